import { Template } from 'aws-cdk-lib/assertions';
import { vaultServerConfig } from '../../lib/vault/vault-config';
import { teamTenant, tenant } from '../fixtures';
import { userDataOf, vaultStack, writtenFile } from './vault-stack';

// The config exactly as each node receives it, per region and per size.
const cases = [
  { t: tenant(), region: 'ap-southeast-2', nodes: 5 },
  { t: teamTenant(), region: 'eu-west-2', nodes: 3 },
  { t: tenant({ id: 'initech', placement: { region: 'us-east-1' }, sizing: 'dev' }), region: 'us-east-1', nodes: 3 },
].map((c) => {
  const { stack, keys } = vaultStack(c.t);
  const json = Template.fromStack(stack).toJSON();
  const userData = userDataOf(json);
  return { ...c, sealKeyId: stack.getLogicalId(keys.sealKey.node.defaultChild as never), json, userData, config: JSON.parse(writtenFile(userData, '/etc/vault.d/vault.json')) };
});

describe.each(cases)('$t.id in $region with $nodes nodes', (c) => {
  test('the whole rendered vault.json', () => {
    expect(c.config).toEqual({
      cluster_name: `cellkit-${c.t.id}`,
      ui: false,
      disable_mlock: true,
      log_level: 'info',
      log_file: '/var/log/vault/vault.log',
      listener: [{ tcp: { address: '0.0.0.0:8200', cluster_address: '0.0.0.0:8201', tls_cert_file: '/opt/vault/tls/vault.crt', tls_key_file: '/opt/vault/tls/vault.key', tls_min_version: 'tls12', telemetry: { unauthenticated_metrics_access: false } } }],
      seal: { awskms: { region: c.region, kms_key_id: `<${c.sealKeyId}.Arn>` } },
      storage: {
        raft: {
          path: '/opt/vault/data',
          retry_join: [
            {
              auto_join: `provider=aws region=${c.region} tag_key=cellkit:vault-cluster tag_value=${c.t.id} addr_type=private_v4`,
              auto_join_scheme: 'https',
              leader_tls_servername: `vault.${c.t.id}.cellkit.internal`,
              leader_ca_cert_file: '/opt/vault/tls/ca.crt',
            },
          ],
        },
      },
      telemetry: { disable_hostname: true, prometheus_retention_time: '24h' },
    });
  });

  test('node id, API and cluster addresses come from the instance at boot', () => {
    expect(c.userData).toContain(`printf 'VAULT_RAFT_NODE_ID=%s\\nVAULT_API_ADDR=https://%s:8200\\nVAULT_CLUSTER_ADDR=https://%s:8201\\n' "$instance_id" "$private_ip" "$private_ip" > /etc/vault.d/vault.env`);
    expect(c.userData).toContain('instance_id="$(imds instance-id)"');
  });

  test('size: the group and autopilot quorum follow the node count', () => {
    const asg = Object.values(c.json.Resources as Record<string, any>).find((r) => r.Type === 'AWS::AutoScaling::AutoScalingGroup');
    expect([asg.Properties.MinSize, asg.Properties.MaxSize, asg.Properties.DesiredCapacity]).toEqual([String(c.nodes), String(c.nodes), String(c.nodes)]);
    // The bootstrap sets autopilot's min_quorum and checks the voters against the same count (test/vault/bootstrap-handler.test.ts).
    const run = Object.values(c.json.Resources as Record<string, any>).find((r) => r.Type === 'Custom::CellkitVaultBootstrap');
    expect(run.Properties.Nodes).toBe(String(c.nodes));
  });

  test('the machine image is resolved by CloudFormation from AWS\'s Amazon Linux 2023 parameter (no pin committed)', () => {
    const lt = Object.values(c.json.Resources as Record<string, any>).find((r) => r.Type === 'AWS::EC2::LaunchTemplate');
    const ref = lt.Properties.LaunchTemplateData.ImageId.Ref;
    expect(c.json.Parameters[ref]).toEqual({ Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' });
  });
});

test('the config renderer takes tokens and values as given (no string pasting)', () => {
  const config = vaultServerConfig({ region: 'eu-west-1', sealKeyArn: '${Token[TOKEN.1]}', joinTagKey: 'k', joinTagValue: 'v', tlsServerName: 'n', clusterName: 'c' });
  expect(config.seal.awskms).toEqual({ region: 'eu-west-1', kms_key_id: '${Token[TOKEN.1]}' });
  expect(config.storage.raft.retry_join[0].auto_join).toBe('provider=aws region=eu-west-1 tag_key=k tag_value=v addr_type=private_v4');
});
