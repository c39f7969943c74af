// VaultBootstrap (lib/vault/vault-bootstrap.ts), the composing construct: the custom resource, what it hands
// the function, the nag packs, and the locked logical IDs. Each part it composes has its own test in
// test/vault/bootstrap/ (recovery-secret: the refusals; bootstrap-policy; bootstrap-function).
import { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { cellStack, EXAMPLE_PGP_KEYS, nagFindings, teamTenant, tenant } from '../fixtures';
import { bootstrapOfDev, vaultStack } from './vault-stack';

const { dev, json, id, b } = bootstrapOfDev();
const prod = vaultStack(tenant());
const t = Template.fromStack(dev.stack);
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

test('no SSM bootstrap document and no hand-run step remain in the template', () => {
  expect(t.findResources('AWS::SSM::Document')).toEqual({});
  expect(Object.keys(t.findOutputs('*')).some((o) => /BootstrapDocument/.test(o))).toBe(false);
});

test('both shapes pass all four cdk-nag packs', () => {
  expect(nagFindings(dev.stack)).toEqual([]);
  expect(nagFindings(prod.stack)).toEqual([]);
});

// Every logical ID under the bootstrap in a cell, in template order. A changed logical ID replaces the
// resource on the next deploy (a new, empty recovery secret whose name clashes with the retained one). The
// parts in lib/vault/bootstrap/ create their resources in the bootstrap's scope precisely to keep these IDs
// (docs/vault-bootstrap.md, "How the code is split").
const bootstrapIds = (tenantId: string, lbRule: string, serverRule: string) => [
  ['VaultBootstrapRecoverySecret84E41848', 'AWS::SecretsManager::Secret'],
  ['VaultBootstrapRole0CF5F4FA', 'AWS::IAM::Role'],
  ['VaultBootstrapPolicy59C44489', 'AWS::IAM::ManagedPolicy'],
  ['VaultBootstrapSecurityGroupE8040D8D', 'AWS::EC2::SecurityGroup'],
  [`VaultBootstrapSecurityGrouptoCell${tenantId}VaultLoadBalancerSecurityGroup${lbRule}`, 'AWS::EC2::SecurityGroupEgress'],
  [`VaultBootstrapSecurityGrouptoCell${tenantId}VaultSecurityGroup${serverRule}`, 'AWS::EC2::SecurityGroupEgress'],
  ['VaultBootstrapLogs6726BFAA', 'AWS::Logs::LogGroup'],
  ['VaultBootstrapFunction7D01D3FE', 'AWS::Lambda::Function'],
  ['VaultBootstrapRun808BD3C9', 'Custom::CellkitVaultBootstrap'],
];

test.each([
  ['tenant() (prod, nat)', tenant(), bootstrapIds('acme', 'D6D318F982007A2232EE', '87BE96F18200808E861F')],
  ['teamTenant() (dev, none)', teamTenant(), bootstrapIds('globex', '15F7DBA0820026B45E68', '4A11CB448200B683A1C1')],
])('the logical ID of every resource of the bootstrap is locked: %s', (_n, tn, expected) => {
  const stack = cellStack(tn);
  const bootstrap = stack.node.findChild('Vault').node.findChild('Bootstrap');
  const elements = bootstrap.node.findAll().filter((c): c is CfnElement => CfnElement.isCfnElement(c))
    .map((c) => [stack.getLogicalId(c), (c as unknown as { cfnResourceType: string }).cfnResourceType]);
  expect(elements).toEqual(expected);
  // The same IDs, in the same order, in the synthesized template.
  expect(Object.keys(Template.fromStack(stack).toJSON().Resources).filter((x) => x.startsWith('VaultBootstrap'))).toEqual(expected.map(([x]) => x));
});
