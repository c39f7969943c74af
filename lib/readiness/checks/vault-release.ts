import { VAULT_RELEASE, vaultReleaseSupport } from '../../vault/vault-release';
import { ReadinessCheck, pass } from '../check';

/**
 * The pinned Vault release is inside its documented support window (lib/vault/vault-release.ts VAULT_SUPPORT).
 * A release past its window still deploys, so this check warns and passes: the fix is a pin bump, not an account change.
 */
export const vaultRelease: ReadinessCheck = {
  name: 'vault-release',
  description: 'the pinned Vault release is inside its documented support window (warns, never blocks)',
  async run(ctx) {
    const support = vaultReleaseSupport(VAULT_RELEASE, ctx.now ?? new Date());
    return support.status === 'ok' ? pass(support.message) : pass(`WARNING: ${support.message}`);
  },
};
