// VaultNodeSecurityGroup (lib/vault/cluster/node-security-group.ts): who may reach the Vault servers, and where they may go.
import { teamTenant } from '../../fixtures';
import { VaultClusterProps } from '../../../lib/vault/vault-cluster';
import { prodAndDev, vaultStack } from '../vault-stack';

const { prodT, devT } = prodAndDev();

test.each([['prod', prodT], ['dev', devT]] as const)('%s: no port 22 anywhere; 8201 only from the cluster itself; 8200 from the NLB, the app SG and peers', (_n, t) => {
  const ingress = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress')).map((r: any) => r.Properties);
  const inline = Object.values(t.findResources('AWS::EC2::SecurityGroup')).flatMap((r: any) => r.Properties.SecurityGroupIngress ?? []);
  for (const rule of [...ingress, ...inline]) expect(rule.FromPort <= 22 && rule.ToPort >= 22).toBe(false);
  const toVault = ingress.filter((r) => JSON.stringify(r.GroupId).includes('VaultSecurityGroup'));
  const from = (port: number) => toVault.filter((r) => r.FromPort === port).map((r) => r.SourceSecurityGroupId['Fn::GetAtt'][0]).sort();
  expect(from(8201)).toEqual([expect.stringMatching(/^VaultSecurityGroup/)]);
  // The bootstrap function reaches the servers directly too: the NLB preserves client IPs (test/vault/bootstrap/bootstrap-function.test.ts).
  expect(from(8200)).toEqual([expect.stringMatching(/^NetworkAppSecurityGroup/), expect.stringMatching(/^VaultBootstrapSecurityGroup/), expect.stringMatching(/^VaultLoadBalancerSecurityGroup/), expect.stringMatching(/^VaultSecurityGroup/)]);
  expect(toVault.map((r) => r.FromPort).sort()).toEqual([8200, 8200, 8200, 8200, 8201]);
});

test.each([['prod', prodT], ['dev', devT]] as const)('%s: out only on 443 to anywhere, to peers on 8200/8201 and to the database on its port', (_n, t) => {
  const [sg] = Object.entries(t.findResources('AWS::EC2::SecurityGroup')).filter(([id]) => /^VaultSecurityGroup[0-9A-F]{8}$/.test(id)).map(([, r]) => r.Properties);
  expect(sg.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })]);
  const egress = Object.values(t.findResources('AWS::EC2::SecurityGroupEgress')).map((r: any) => r.Properties).filter((r) => JSON.stringify(r.GroupId).includes('VaultSecurityGroup'));
  const to = (r: any) => r.DestinationSecurityGroupId['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, '');
  expect(egress.map((r) => [r.FromPort, r.ToPort, to(r)]).sort()).toEqual([[5432, 5432, 'DatabaseSecurityGroup'], [8200, 8200, 'VaultSecurityGroup'], [8201, 8201, 'VaultSecurityGroup']]);
});

describe('refuses bad props with clear messages', () => {
  const database = (port: number): Partial<VaultClusterProps> => ({ database: { hostname: 'db', port, databaseName: 'company', masterSecret: undefined as never, connections: undefined as never } });
  // The stacks above use 5432 and pass (control).
  test.each([0, 65536, 5432.5, -1])('database.port %p', (port) => {
    expect(() => vaultStack(teamTenant(), database(port))).toThrow(`VaultCluster for tenant "globex": database.port must be a TCP port, a whole number from 1 to 65535; got ${port}`);
  });
});
