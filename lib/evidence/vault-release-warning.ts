// Warns in the evidence report when the Vault release a template installs is past its documented
// support window (lib/vault/vault-release.ts: VAULT_SUPPORT). A warning, not a failed control:
// the template still proves what it proves; the report tells auditors the release needs moving.
import { vaultReleaseSupport } from '../vault/vault-release';
import { CfnTemplate, TemplateModel } from './template-model';

/** The Vault versions the template's launch templates install (the install script's `version='x.y.z'`). */
export function pinnedVaultVersions(template: CfnTemplate): string[] {
  const m = new TemplateModel(template);
  const found = m.ofType('AWS::EC2::LaunchTemplate').flatMap(([, r]) => [...JSON.stringify(r.Properties ?? {}).matchAll(/version='(\d+\.\d+\.\d+)'/g)].map((x) => x[1]));
  return [...new Set(found)];
}

/** One line per pinned release outside its support window on `now`; none when every release is supported. */
export function vaultReleaseWarnings(template: CfnTemplate, now: Date): string[] {
  return pinnedVaultVersions(template)
    .map((version) => vaultReleaseSupport({ version }, now))
    .filter((r) => r.status === 'warning')
    .map((r) => r.message);
}
