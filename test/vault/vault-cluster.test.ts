// VaultCluster (lib/vault/vault-cluster.ts), the composing construct: its own refusals, the nag packs on the
// whole cluster, and the locked logical IDs. Each part it composes has its own test in test/vault/cluster/.
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { cellStack, nagFindings, teamTenant, tenant } from '../fixtures';
import { VaultClusterProps } from '../../lib/vault/vault-cluster';
import { prodAndDev, vaultStack } from './vault-stack';

const { prod, dev } = prodAndDev();

test.each([['tenant()', prod], ['teamTenant()', dev]] as const)('all four nag packs pass for the Vault of %s', (_n, s) => {
  expect(nagFindings(s.stack)).toEqual([]);
});

test('in the whole cell stack: nag passes and logical IDs of stateful Vault resources and the seal key are locked', () => {
  const stack = cellStack(tenant());
  expect(nagFindings(stack)).toEqual([]);
  const t = Template.fromStack(stack).toJSON().Resources as Record<string, any>;
  const ids = Object.keys(t);
  for (const id of ['KeysSealKey3B1F7C33', 'VaultSnapshotsBucket4FEF6A4B', 'VaultTlsSecretFF200135', 'VaultBootstrapRecoverySecret84E41848', 'VaultAuditLogs2C4716E9']) expect(ids).toContain(id);
  for (const id of ['VaultSnapshotsBucket4FEF6A4B', 'VaultTlsSecretFF200135', 'VaultBootstrapRecoverySecret84E41848', 'KeysSealKey3B1F7C33', 'VaultAuditLogs2C4716E9', 'VaultServerLogsEFD2B36F']) {
    // RetainExceptOnCreate: kept on delete and replacement, removed only by the rollback of the create that made it.
    expect([id, t[id].DeletionPolicy, t[id].UpdateReplacePolicy]).toEqual([id, 'RetainExceptOnCreate', 'Retain']);
  }
});

// Every logical ID under the cluster, in template order, for the two shapes that differ in the cluster
// (prod with NAT egress; dev with no egress). A logical ID is CloudFormation's name for a resource: a
// changed one deletes the old resource and creates a new one on the next deploy (Raft data volumes kept,
// but new servers, a new NLB address, new secrets). The parts in lib/vault/cluster/ create their resources
// in the cluster's scope precisely to keep these IDs (docs/vault.md, "How the cluster code is split").
const ACME_VAULT_IDS = [
  ['VaultTlsSecretFF200135', 'AWS::SecretsManager::Secret'],
  ['VaultSnapshotsBucket4FEF6A4B', 'AWS::S3::Bucket'],
  ['VaultSnapshotsBucketPolicy700DCD94', 'AWS::S3::BucketPolicy'],
  ['VaultServerLogsEFD2B36F', 'AWS::Logs::LogGroup'],
  ['VaultAuditLogs2C4716E9', 'AWS::Logs::LogGroup'],
  ['VaultRole1D223108', 'AWS::IAM::Role'],
  ['VaultInstancePolicy4D424BCF', 'AWS::IAM::ManagedPolicy'],
  ['VaultAutoJoinPolicyE2A16B6A', 'AWS::IAM::ManagedPolicy'],
  ['VaultSecurityGroupD3A8C874', 'AWS::EC2::SecurityGroup'],
  ['VaultSecurityGroupfromCellacmeVaultSecurityGroup87BE96F18200639672BF', 'AWS::EC2::SecurityGroupIngress'],
  ['VaultSecurityGrouptoCellacmeVaultSecurityGroup87BE96F18200BD01082B', 'AWS::EC2::SecurityGroupEgress'],
  ['VaultSecurityGroupfromCellacmeVaultSecurityGroup87BE96F18201AD44282C', 'AWS::EC2::SecurityGroupIngress'],
  ['VaultSecurityGrouptoCellacmeVaultSecurityGroup87BE96F18201141A6A32', 'AWS::EC2::SecurityGroupEgress'],
  ['VaultSecurityGroupfromCellacmeNetworkAppSecurityGroup32F7F179820096B8ABE0', 'AWS::EC2::SecurityGroupIngress'],
  ['VaultSecurityGrouptoCellacmeDatabaseSecurityGroup21409D205433E229D1CB', 'AWS::EC2::SecurityGroupEgress'],
  ['VaultSecurityGroupfromCellacmeVaultLoadBalancerSecurityGroupD6D318F982008694AB32', 'AWS::EC2::SecurityGroupIngress'],
  ['VaultSecurityGroupfromCellacmeVaultBootstrapSecurityGroup72D7ED5782008E07072B', 'AWS::EC2::SecurityGroupIngress'],
  ['VaultLaunchTemplateProfile5623762A', 'AWS::IAM::InstanceProfile'],
  ['VaultLaunchTemplateD9380DED', 'AWS::EC2::LaunchTemplate'],
  ['VaultServersASGCD89A202', 'AWS::AutoScaling::AutoScalingGroup'],
  ['VaultLoadBalancerSecurityGroup959C812E', 'AWS::EC2::SecurityGroup'],
  ['VaultLoadBalancerSecurityGroupfromCellacmeNetworkAppSecurityGroup32F7F17982006603C8E8', 'AWS::EC2::SecurityGroupIngress'],
  ['VaultLoadBalancerSecurityGrouptoCellacmeVaultSecurityGroup87BE96F18200ADE827FC', 'AWS::EC2::SecurityGroupEgress'],
  ['VaultLoadBalancerSecurityGroupfromCellacmeVaultBootstrapSecurityGroup72D7ED578200132934E5', 'AWS::EC2::SecurityGroupIngress'],
  ['VaultLoadBalancer87A009AB', 'AWS::ElasticLoadBalancingV2::LoadBalancer'],
  ['VaultLoadBalancerApiE99530EA', 'AWS::ElasticLoadBalancingV2::Listener'],
  ['VaultLoadBalancerApiServersGroupCC508519', 'AWS::ElasticLoadBalancingV2::TargetGroup'],
  ['VaultTlsCaSecret5D60BD07', 'AWS::SecretsManager::Secret'],
  ['VaultTlsLogs870C3C37', 'AWS::Logs::LogGroup'],
  ['VaultTlsRoleB64AF1DA', 'AWS::IAM::Role'],
  ['VaultTlsPolicy13D3EF95', 'AWS::IAM::ManagedPolicy'],
  ['VaultTlsSecurityGroup45DDE848', 'AWS::EC2::SecurityGroup'],
  ['VaultTlsFunctionDF779F85', 'AWS::Lambda::Function'],
  ['VaultTlsCertificate0908901C', 'Custom::CellkitVaultTls'],
  ['VaultTlsInvokedBySecretsManagerEA348B8A', 'AWS::Lambda::Permission'],
  ['VaultTlsRotationA826B2D6', 'AWS::SecretsManager::RotationSchedule'],
  ['VaultBootstrapRecoverySecret84E41848', 'AWS::SecretsManager::Secret'],
  ['VaultBootstrapRole0CF5F4FA', 'AWS::IAM::Role'],
  ['VaultBootstrapPolicy59C44489', 'AWS::IAM::ManagedPolicy'],
  ['VaultBootstrapSecurityGroupE8040D8D', 'AWS::EC2::SecurityGroup'],
  ['VaultBootstrapSecurityGrouptoCellacmeVaultLoadBalancerSecurityGroupD6D318F982007A2232EE', 'AWS::EC2::SecurityGroupEgress'],
  ['VaultBootstrapSecurityGrouptoCellacmeVaultSecurityGroup87BE96F18200808E861F', 'AWS::EC2::SecurityGroupEgress'],
  ['VaultBootstrapLogs6726BFAA', 'AWS::Logs::LogGroup'],
  ['VaultBootstrapFunction7D01D3FE', 'AWS::Lambda::Function'],
  ['VaultBootstrapRun808BD3C9', 'Custom::CellkitVaultBootstrap'],
  ['VaultAddressC66A7F81', 'CfnOutput'],
  ['VaultAutoScalingGroupName7BED8E09', 'CfnOutput'],
];

// teamTenant(): the same elements; only the IDs of security group rules differ, since they name the
// peer group's path, which holds the stack name.
const GLOBEX_RULE_IDS: Record<string, string> = {
  VaultSecurityGroupfromCellacmeVaultSecurityGroup87BE96F18200639672BF: 'VaultSecurityGroupfromCellglobexVaultSecurityGroup4A11CB4482000929A3C0',
  VaultSecurityGrouptoCellacmeVaultSecurityGroup87BE96F18200BD01082B: 'VaultSecurityGrouptoCellglobexVaultSecurityGroup4A11CB448200374533E9',
  VaultSecurityGroupfromCellacmeVaultSecurityGroup87BE96F18201AD44282C: 'VaultSecurityGroupfromCellglobexVaultSecurityGroup4A11CB4482011A62E74A',
  VaultSecurityGrouptoCellacmeVaultSecurityGroup87BE96F18201141A6A32: 'VaultSecurityGrouptoCellglobexVaultSecurityGroup4A11CB448201E594B937',
  VaultSecurityGroupfromCellacmeNetworkAppSecurityGroup32F7F179820096B8ABE0: 'VaultSecurityGroupfromCellglobexNetworkAppSecurityGroupA61CE3B88200486365D2',
  VaultSecurityGrouptoCellacmeDatabaseSecurityGroup21409D205433E229D1CB: 'VaultSecurityGrouptoCellglobexDatabaseSecurityGroup9F980FD0543353124986',
  VaultSecurityGroupfromCellacmeVaultLoadBalancerSecurityGroupD6D318F982008694AB32: 'VaultSecurityGroupfromCellglobexVaultLoadBalancerSecurityGroup15F7DBA082003B47FB9F',
  VaultSecurityGroupfromCellacmeVaultBootstrapSecurityGroup72D7ED5782008E07072B: 'VaultSecurityGroupfromCellglobexVaultBootstrapSecurityGroupC8F9E1EC82002ECE4D5B',
  VaultLoadBalancerSecurityGroupfromCellacmeNetworkAppSecurityGroup32F7F17982006603C8E8: 'VaultLoadBalancerSecurityGroupfromCellglobexNetworkAppSecurityGroupA61CE3B882006C7683FF',
  VaultLoadBalancerSecurityGrouptoCellacmeVaultSecurityGroup87BE96F18200ADE827FC: 'VaultLoadBalancerSecurityGrouptoCellglobexVaultSecurityGroup4A11CB448200840EBA00',
  VaultLoadBalancerSecurityGroupfromCellacmeVaultBootstrapSecurityGroup72D7ED578200132934E5: 'VaultLoadBalancerSecurityGroupfromCellglobexVaultBootstrapSecurityGroupC8F9E1EC820056893A0B',
  VaultBootstrapSecurityGrouptoCellacmeVaultLoadBalancerSecurityGroupD6D318F982007A2232EE: 'VaultBootstrapSecurityGrouptoCellglobexVaultLoadBalancerSecurityGroup15F7DBA0820026B45E68',
  VaultBootstrapSecurityGrouptoCellacmeVaultSecurityGroup87BE96F18200808E861F: 'VaultBootstrapSecurityGrouptoCellglobexVaultSecurityGroup4A11CB448200B683A1C1',
};
const GLOBEX_VAULT_IDS = ACME_VAULT_IDS.map(([id, type]) => [GLOBEX_RULE_IDS[id] ?? id, type]);

/** [logical ID, resource type or element class] of everything the cluster puts in the template, in template order. */
function vaultElements(stack: Stack): [string, string][] {
  const vault = stack.node.findChild('Vault');
  return vault.node.findAll().filter((c): c is CfnElement => CfnElement.isCfnElement(c))
    .map((c) => [stack.getLogicalId(c), (c as unknown as { cfnResourceType?: string }).cfnResourceType ?? c.constructor.name]);
}

test.each([
  ['tenant() (prod, nat)', tenant(), ACME_VAULT_IDS],
  ['teamTenant() (dev, none)', teamTenant(), GLOBEX_VAULT_IDS],
])('the logical ID of every resource and output of the cluster is locked: %s', (_n, t, expected) => {
  const stack = cellStack(t);
  expect(vaultElements(stack)).toEqual(expected);
  // The same IDs, in the same order, in the synthesized template.
  const template = Template.fromStack(stack).toJSON();
  const inTemplate = [...Object.keys(template.Resources), ...Object.keys(template.Outputs)].filter((id) => id.startsWith('Vault'));
  expect(inTemplate).toEqual(expected.map(([id]) => id));
  // The node image parameter (an unpinned region), at stack level.
  expect(Object.keys(template.Parameters).filter((p) => template.Parameters[p].Type === 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>')).toEqual([
    'SsmParameterValueawsserviceamiamazonlinuxlatestal2023amikerneldefaultx8664C96584B6F00A464EAD1953AFF4B05118Parameter',
  ]);
});

describe('refuses bad props with clear messages', () => {
  const build = (overrides: Partial<VaultClusterProps>) => () => vaultStack(tenant(), overrides);
  // Missing recovery keys and a bad tls mode are refused here too: test/vault/bootstrap/recovery-secret.test.ts, test/vault/tls/vault-tls-issuer.test.ts.
  test.each([
    [{ nodes: 4 as never }, /VaultCluster for tenant "acme": nodes must be 3 or 5 .*got 4/],
    [{ nodes: 1 as never }, /VaultCluster for tenant "acme": nodes must be 3 or 5 .*got 1/],
  ])('%j', (overrides, message) => {
    expect(build(overrides)).toThrow(message);
  });
});
