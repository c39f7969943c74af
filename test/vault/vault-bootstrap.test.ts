import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { VAULT_BOOTSTRAP_BUNDLE_CACHE, vaultBootstrapBundleDir } from '../../lib/vault/vault-bootstrap';
import { EXAMPLE_PGP_KEYS, nagFindings, teamTenant, tenant } from '../fixtures';
import { vaultStack } from './vault-stack';

const dev = vaultStack(teamTenant());
const prod = vaultStack(tenant());
const t = Template.fromStack(dev.stack);
const json = t.toJSON() as { Resources: Record<string, any> };
const id = (c: { node: { defaultChild?: unknown } } | any) => dev.stack.getLogicalId((c.node.defaultChild ?? c) as never);
const b = dev.vault.bootstrap;
const run = Object.entries(json.Resources).find(([, r]) => r.Type === 'Custom::CellkitVaultBootstrap')!;

test('runs as a custom resource ordered after the Auto Scaling group, the NLB listener and the TLS secret', () => {
  expect(run[0]).toBe(id(b.run));
  const deps: string[] = run[1].DependsOn;
  expect(deps).toEqual(expect.arrayContaining([id(dev.vault.autoScalingGroup), id(dev.vault.tlsSecret)]));
  expect(deps.some((d) => /^VaultLoadBalancerApi/.test(d))).toBe(true);
  expect(run[1].Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [id(b.function), 'Arn'] });
  // The function answers before its 900 s timeout; CloudFormation waits a little longer, not the default hour.
  expect(run[1].Properties.ServiceTimeout).toBe('1020');
});

test('hands the function what it needs and no secret value', () => {
  const p = run[1].Properties;
  expect(p.RecoveryPgpKeys).toEqual(EXAMPLE_PGP_KEYS);
  expect(p).toEqual(expect.objectContaining({ TenantId: 'globex', Region: 'eu-west-2', RecoveryThreshold: '2', Nodes: '3', TlsServerName: 'vault.globex.cellkit.internal', AuditLogPath: '/var/log/vault/audit.log' }));
  expect(p.VaultAddress).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [id(dev.vault.loadBalancer), 'DNSName'] }, ':8200']] });
  expect(p.TlsSecretArn).toEqual({ Ref: id(dev.vault.tlsSecret) });
  expect(p.RecoverySecretArn).toEqual({ Ref: id(b.recoverySecret) });
  expect(p.Database.MasterSecretArn).toEqual({ Ref: id(dev.databaseSecret) });
  expect(p.RoleArns.Bootstrap).toEqual({ 'Fn::GetAtt': [id(b.role), 'Arn'] });
  const prodRun = Object.values(Template.fromStack(prod.stack).toJSON().Resources as Record<string, any>).find((r) => r.Type === 'Custom::CellkitVaultBootstrap');
  expect(prodRun.Properties.Nodes).toBe('5');
});

test('the function runs Node.js 24 in the app subnets of the cell VPC, with an encrypted log', () => {
  const fn = json.Resources[id(b.function)];
  expect(fn.Properties.Runtime).toBe('nodejs24.x');
  expect(fn.Properties.Timeout).toBe(900);
  const subnetIds = dev.network.vpc.selectSubnets(dev.network.appSubnets).subnetIds;
  expect(fn.Properties.VpcConfig.SubnetIds).toEqual(subnetIds.map((s) => ({ Ref: dev.stack.resolve(s).Ref })));
  expect(fn.Properties.VpcConfig.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [id(b.connections.securityGroups[0]), 'GroupId'] }]);
  const log = Object.values(json.Resources).find((r: any) => r.Type === 'AWS::Logs::LogGroup' && fn.Properties.LoggingConfig?.LogGroup?.Ref && json.Resources[fn.Properties.LoggingConfig.LogGroup.Ref] === r) as any;
  expect(log.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [id(dev.keys.dataKey), 'Arn'] });
});

test('network: out only to Vault (NLB and servers) on 8200 and HTTPS; Vault lets it in on 8200', () => {
  const sg = json.Resources[id(b.connections.securityGroups[0])];
  const egress = [
    ...(sg.Properties.SecurityGroupEgress ?? []),
    ...Object.values(json.Resources).filter((r: any) => r.Type === 'AWS::EC2::SecurityGroupEgress' && JSON.stringify(r.Properties.GroupId).includes(id(b.connections.securityGroups[0]))).map((r: any) => r.Properties),
  ];
  const ports = egress.map((e: any) => `${e.FromPort}-${e.DestinationSecurityGroupId ? JSON.stringify(e.DestinationSecurityGroupId['Fn::GetAtt'][0]) : e.CidrIp}`).sort();
  expect(ports).toEqual([`443-0.0.0.0/0`, `8200-"${id(dev.vault.loadBalancer.connections.securityGroups[0])}"`, `8200-"${id(dev.vault.securityGroup)}"`].sort());
  const ingress = Object.values(json.Resources).filter((r: any) => r.Type === 'AWS::EC2::SecurityGroupIngress' && JSON.stringify(r.Properties.SourceSecurityGroupId ?? '').includes(id(b.connections.securityGroups[0])));
  expect(ingress.map((r: any) => r.Properties.FromPort)).toEqual([8200, 8200]);
});

test('least privilege: read the TLS and master secrets, write the recovery secret, KMS only through Secrets Manager', () => {
  const policies = Object.values(json.Resources).filter((r: any) => r.Type === 'AWS::IAM::ManagedPolicy' && r.Properties.Roles?.some((x: any) => x.Ref === id(b.role)));
  expect(policies).toHaveLength(1);
  const st = Object.fromEntries((policies[0] as any).Properties.PolicyDocument.Statement.map((s: any) => [s.Sid, s]));
  expect(st.ReadCaAndMasterSecret).toEqual(expect.objectContaining({ Action: 'secretsmanager:GetSecretValue', Resource: [{ Ref: id(dev.vault.tlsSecret) }, { Ref: id(dev.databaseSecret) }] }));
  expect(st.WriteRecoveryShares).toEqual(expect.objectContaining({ Action: 'secretsmanager:PutSecretValue', Resource: { Ref: id(b.recoverySecret) } }));
  expect(st.SecretKeysThroughSecretsManager).toEqual(expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-2.amazonaws.com' } } }));
  expect(JSON.stringify(st)).not.toMatch(/"\*"|:\*"/);
  // The Vault servers lost what the on-node bootstrap needed: no recovery secret, no master secret.
  const instance = JSON.stringify(Object.values(json.Resources).filter((r: any) => r.Type === 'AWS::IAM::ManagedPolicy' && r.Properties.Roles?.some((x: any) => x.Ref === id(dev.vault.role))));
  expect(instance).not.toContain(id(b.recoverySecret));
  expect(instance).not.toContain(id(dev.databaseSecret));
});

test('no SSM bootstrap document and no hand-run step remain in the template', () => {
  expect(t.findResources('AWS::SSM::Document')).toEqual({});
  expect(Object.keys(t.findOutputs('*')).some((o) => /BootstrapDocument/.test(o))).toBe(false);
});

test('both shapes pass all four cdk-nag packs', () => {
  expect(nagFindings(dev.stack)).toEqual([]);
  expect(nagFindings(prod.stack)).toEqual([]);
});

test('the handler bundle is built once, holds no CDK, and exports the handler', () => {
  const dir = vaultBootstrapBundleDir();
  expect(vaultBootstrapBundleDir()).toBe(dir);
  expect(dir.startsWith(VAULT_BOOTSTRAP_BUNDLE_CACHE)).toBe(true);
  const code = fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
  expect(code).not.toMatch(/aws-cdk-lib|constructs/);
  expect(code).toContain('sys/init');
  const lib = path.join(__dirname, '..', '..', 'lib');
  const sources = [...fs.readdirSync(path.join(lib, 'vault', 'bootstrap', 'handler')).map((x) => path.join(lib, 'vault', 'bootstrap', 'handler', x)), path.join(lib, 'vault', 'bootstrap', 'vault-plan.ts'), path.join(lib, 'lambda', 'cfn-response.ts')];
  for (const f of sources) expect(fs.readFileSync(f, 'utf8')).not.toMatch(/from 'aws-cdk-lib|from 'constructs'/);
  // The bundle loads and exports the handler (the SDK client is only constructed, nothing is called).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loads the bundle just built, by path
  expect(typeof require(path.join(dir, 'index.js')).handler).toBe('function');
});

describe('refuses at synth, naming the tenant and the field', () => {
  test.each([
    ['no recovery keys', { recovery: undefined }, /VaultBootstrap for tenant "globex": field "vault.recoveryPgpKeys" of tenants\/globex.json is missing or empty/],
    ['an empty key list', { recovery: { pgpKeys: [], threshold: 1 } }, /field "vault.recoveryPgpKeys" of tenants\/globex.json is missing or empty/],
    ['threshold above the key count', { recovery: { pgpKeys: EXAMPLE_PGP_KEYS, threshold: 4 } }, /VaultBootstrap for tenant "globex": recoveryThreshold must be an integer from 1 to 3 .*got 4/],
    ['threshold 0', { recovery: { pgpKeys: EXAMPLE_PGP_KEYS, threshold: 0 } }, /recoveryThreshold must be an integer from 1 to 3 .*got 0/],
    ['threshold 1 of several keys', { recovery: { pgpKeys: EXAMPLE_PGP_KEYS, threshold: 1 } }, /recoveryThreshold must be at least 2 when there are 3 recovery PGP keys/],
  ])('%s', (_label, overrides, message) => {
    expect(() => vaultStack(teamTenant(), overrides)).toThrow(message);
  });
});
