// The evidence report's Vault release warning, read from a real synthesized Vault template.
import { Template } from 'aws-cdk-lib/assertions';
import { renderMarkdown } from '../../lib/evidence/report';
import { pinnedVaultVersions, vaultReleaseWarnings } from '../../lib/evidence/vault-release-warning';
import { CfnTemplate } from '../../lib/evidence/template-model';
import { VAULT_RELEASE } from '../../lib/vault/vault-release';
import { teamTenant } from '../fixtures';
import { vaultStack } from '../vault/vault-stack';

const current = Template.fromStack(vaultStack(teamTenant()).stack).toJSON() as CfnTemplate;
const old = Template.fromStack(vaultStack(teamTenant(), { release: { version: '1.18.3', sha256: '405ec904a45c2261e2c091640fb805bf5904fd2fe8a991ebc58d2eb64f9a269e' } }).stack).toJSON() as CfnTemplate;

test('reads the version the launch template installs', () => {
  expect(pinnedVaultVersions(current)).toEqual([VAULT_RELEASE.version]);
  expect(pinnedVaultVersions(old)).toEqual(['1.18.3']);
});

test('no warning for the current pin on the day it was checked; a warning for 1.18.3 and after the review date', () => {
  expect(vaultReleaseWarnings(current, new Date('2026-11-28T00:00:00Z'))).toEqual([]);
  expect(vaultReleaseWarnings(old, new Date('2026-11-28T00:00:00Z'))).toEqual([expect.stringMatching(/^Vault 1\.18\.3: the 1\.18 line stopped getting security fixes on 2025-03-05/)]);
  expect(vaultReleaseWarnings(current, new Date('2027-03-01T00:00:00Z'))).toEqual([expect.stringContaining('had to be re-checked by 2027-01-31')]);
});

test('the Markdown report lists warnings under the result, and only when there are some', () => {
  const base = { tenant: 'globex', stackName: 'Cell-globex', account: '1', region: 'eu-west-2', cellkitVersion: '0.1.0', template: { file: 't.json', sha256: 'x' }, status: 'PASS' as const, controls: [], acknowledgments: [], controlTowerDisabled: [], diagram: 'flowchart TB' };
  expect(renderMarkdown({ ...base, warnings: [] })).not.toContain('**Warnings**');
  expect(renderMarkdown({ ...base, warnings: ['Vault 1.18.3: ended'] })).toContain('**Result: PASS** (0 of 0 controls pass)\n\n**Warnings**\n\n- Vault 1.18.3: ended\n');
});
