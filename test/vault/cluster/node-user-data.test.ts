// VaultNodeUserData (lib/vault/cluster/node-user-data.ts): what a node runs at first boot, as the launch template carries it.
// The scripts themselves are tested in test/vault/vault-scripts.test.ts and test/vault/node-files.test.ts.
import { tenant } from '../../fixtures';
import { CLOUDWATCH_AGENT_CONFIG } from '../../../lib/vault/node-extras';
import { VaultClusterProps } from '../../../lib/vault/vault-cluster';
import { logicalId, prodAndDev, userDataOf, vaultStack, writtenFile } from '../vault-stack';

const { prod, prodT, dev, devT } = prodAndDev();

test('the Vault config the nodes get names the seal key ARN token, not a literal', () => {
  const config = JSON.parse(writtenFile(userDataOf(prodT.toJSON()), '/etc/vault.d/vault.json'));
  expect(config.seal.awskms.kms_key_id).toBe(`<${logicalId(prod.stack, prod.keys.sealKey)}.Arn>`);
});

test.each([['prod', prodT, prod], ['dev', devT, dev]] as const)('%s: the CloudWatch agent ships the server and audit logs to the cluster\'s two log groups', (_n, t, s) => {
  const agent = JSON.parse(writtenFile(userDataOf(t.toJSON()), CLOUDWATCH_AGENT_CONFIG));
  const groups = Object.keys(t.findResources('AWS::Logs::LogGroup')).filter((id) => /^Vault(Server|Audit)Logs/.test(id)).sort();
  expect(agent.logs.logs_collected.files.collect_list.map((c: any) => [c.file_path, c.log_group_name])).toEqual([
    ['/var/log/vault/vault.log', `<${groups[1]}>`],
    ['/var/log/vault/audit.log', `<${groups[0]}>`],
  ]);
  expect(s.vault.userData).toContain('/dev/sdf');
});

describe('refuses bad props with clear messages', () => {
  const build = (overrides: Partial<VaultClusterProps>) => () => vaultStack(tenant(), overrides);
  test.each([
    [{ snapshotSchedule: 'hourly; rm -rf /' }, /snapshotSchedule must be a systemd OnCalendar= expression .*got "hourly; rm -rf \/"/],
    [{ snapshotSchedule: '$(reboot)' }, /snapshotSchedule must be a systemd OnCalendar= expression .*got "\$\(reboot\)"/],
  ])('%j', (overrides, message) => {
    expect(build(overrides)).toThrow(message);
  });
});
