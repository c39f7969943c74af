import { vaultArtifactCheck } from '../../vault/artifacts/vault-artifacts';
import { VAULT_RELEASE } from '../../vault/vault-release';
import { ReadinessCheck, fail, pass, unknown } from '../check';

/**
 * Egress "none" cells install Vault from the account's artifact bucket (no route to the internet):
 * the pinned zip must be there, with the pinned SHA-256, before the deploy starts (docs/vault-bootstrap.md).
 */
export const vaultArtifact: ReadinessCheck = {
  name: 'vault-artifact',
  description: 'egress "none": the pinned Vault zip is in the account\'s artifact bucket with the pinned SHA-256 (other cells: not needed)',
  async run(ctx) {
    if (ctx.tenant.spec.egress !== 'none') return pass(`egress "${ctx.tenant.spec.egress}": Vault nodes download the release themselves (and check its SHA-256)`);
    const region = ctx.tenant.pin.region;
    const check = await vaultArtifactCheck({ s3: ctx.clients.s3(region), account: ctx.tenant.spec.account, region, release: VAULT_RELEASE });
    if (check.status === 'ready') return pass(check.message);
    if (check.status === 'error') return unknown(check.message, `allow s3:GetObject on ${check.bucket} and run again`);
    const cut = check.message.indexOf('; run ');
    return cut < 0 ? fail(check.message, 'run "cellkit vault artifacts" (docs/vault-bootstrap.md)') : fail(check.message.slice(0, cut), check.message.slice(cut + 2));
  },
};
