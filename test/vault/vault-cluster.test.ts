import { Match, Template } from 'aws-cdk-lib/assertions';
import { Stack } from 'aws-cdk-lib';
import { cellStack, nagFindings, teamTenant, tenant } from '../fixtures';
import { VAULT_JOIN_TAG, VaultClusterProps } from '../../lib/vault/vault-cluster';
import { VAULT_RELEASE } from '../../lib/vault/vault-release';
import { AL2023_PARAMETER } from '../../lib/vault/vault-image';
import { userDataOf, vaultStack, writtenFile } from './vault-stack';

const prod = vaultStack(tenant()); // ap-southeast-2, nat, 5 nodes
const dev = vaultStack(teamTenant()); // eu-west-2, none, 3 nodes
const prodT = Template.fromStack(prod.stack);
const devT = Template.fromStack(dev.stack);
const logicalId = (stack: Stack, c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
const statementsOf = (t: Template) =>
  Object.entries(t.toJSON().Resources as Record<string, any>)
    .filter(([, r]) => ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::Role'].includes(r.Type))
    .flatMap(([id, r]) => [
      ...(r.Properties.PolicyDocument?.Statement ?? []),
      ...(r.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement),
    ].map((s: any) => ({ id, ...s })));
const list = (x: unknown) => (Array.isArray(x) ? x : [x]);

describe.each([
  ['prod (5 nodes, Sydney, nat)', prodT, 5, ['m6i.large', 'm6a.large'], ['ap-southeast-2a', 'ap-southeast-2b', 'ap-southeast-2c']],
  ['dev (3 nodes, London, none)', devT, 3, ['c6i.large', 'c6a.large'], ['eu-west-2a', 'eu-west-2b', 'eu-west-2c']],
])('%s', (_name, t, nodes, instanceTypes, zones) => {
  const instanceType = instanceTypes[0];
  test('one Auto Scaling group over the app subnets, min = max = desired, ELB health checks after a 10-minute grace', () => {
    t.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 1);
    t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: String(nodes), MaxSize: String(nodes), DesiredCapacity: String(nodes), HealthCheckType: 'ELB', HealthCheckGracePeriod: 600,
      VPCZoneIdentifier: Match.arrayWith([{ Ref: Match.stringLikeRegexp('^NetworkVpcAppSubnet1') }, { Ref: Match.stringLikeRegexp('^NetworkVpcAppSubnet2') }, { Ref: Match.stringLikeRegexp('^NetworkVpcAppSubnet3') }]),
      Tags: Match.arrayWith([{ Key: VAULT_JOIN_TAG, PropagateAtLaunch: true, Value: Match.anyValue() }]),
    });
  });

  test('CT.AUTOSCALING.PR.1: AvailabilityZones names the three zones of the app subnets', () => {
    const asg = Object.values(t.findResources('AWS::AutoScaling::AutoScalingGroup'))[0].Properties;
    expect(asg.AvailabilityZones).toEqual(zones);
    const subnetZones = (asg.VPCZoneIdentifier as { Ref: string }[]).map((r) => t.toJSON().Resources[r.Ref].Properties.AvailabilityZone).sort();
    expect(subnetZones).toEqual(zones);
  });

  test('CT.AUTOSCALING.PR.6/PR.11: two Nitro types of the same size, on demand only, from the one launch template', () => {
    const asg = Object.values(t.findResources('AWS::AutoScaling::AutoScalingGroup'))[0].Properties;
    expect(asg.LaunchTemplate).toBeUndefined();
    expect(asg.MixedInstancesPolicy.LaunchTemplate.Overrides).toEqual(instanceTypes.map((InstanceType) => ({ InstanceType })));
    expect(asg.MixedInstancesPolicy.InstancesDistribution).toEqual({ OnDemandPercentageAboveBaseCapacity: 100 });
    const [ltId] = Object.keys(t.findResources('AWS::EC2::LaunchTemplate'));
    expect(asg.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.LaunchTemplateId).toEqual({ Ref: ltId });
  });

  test('launch template: IMDSv2 hop 1, encrypted gp3 root and Raft volumes, no public IP, no key pair', () => {
    const lt = Object.values(t.findResources('AWS::EC2::LaunchTemplate'))[0].Properties.LaunchTemplateData;
    expect(lt.InstanceType).toBe(instanceType);
    expect(lt.MetadataOptions).toEqual(expect.objectContaining({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 }));
    expect(lt.KeyName).toBeUndefined();
    expect(lt.NetworkInterfaces).toEqual([expect.objectContaining({ AssociatePublicIpAddress: false, DeviceIndex: 0 })]);
    const devices = Object.fromEntries(lt.BlockDeviceMappings.map((b: any) => [b.DeviceName, b.Ebs]));
    expect(Object.keys(devices).sort()).toEqual(['/dev/sdf', '/dev/xvda']);
    for (const ebs of Object.values(devices) as any[]) {
      expect(ebs).toEqual(expect.objectContaining({ Encrypted: true, VolumeType: 'gp3', KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^KeysDataKey/), 'Arn'] } }));
    }
    expect(devices['/dev/sdf'].DeleteOnTermination).toBe(false);
  });

  test('no port 22 anywhere; 8201 only from the cluster itself; 8200 from the NLB, the app SG and peers', () => {
    const ingress = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress')).map((r: any) => r.Properties);
    const inline = Object.values(t.findResources('AWS::EC2::SecurityGroup')).flatMap((r: any) => r.Properties.SecurityGroupIngress ?? []);
    for (const rule of [...ingress, ...inline]) expect(rule.FromPort <= 22 && rule.ToPort >= 22).toBe(false);
    const toVault = ingress.filter((r) => JSON.stringify(r.GroupId).includes('VaultSecurityGroup'));
    const from = (port: number) => toVault.filter((r) => r.FromPort === port).map((r) => r.SourceSecurityGroupId['Fn::GetAtt'][0]).sort();
    expect(from(8201)).toEqual([expect.stringMatching(/^VaultSecurityGroup/)]);
    // The bootstrap function reaches the servers directly too: the NLB preserves client IPs (test/vault/vault-bootstrap.test.ts).
    expect(from(8200)).toEqual([expect.stringMatching(/^NetworkAppSecurityGroup/), expect.stringMatching(/^VaultBootstrapSecurityGroup/), expect.stringMatching(/^VaultLoadBalancerSecurityGroup/), expect.stringMatching(/^VaultSecurityGroup/)]);
    expect(toVault.map((r) => r.FromPort).sort()).toEqual([8200, 8200, 8200, 8200, 8201]);
  });
});

test('internal NLB, TCP 8200 passthrough, HTTPS liveness check that keeps sealed and uninitialised nodes (no replacement)', () => {
  prodT.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
    Type: 'network', Scheme: 'internal',
  });
  // Deletion protection is turned on after create by the cell's DeletionProtection (test/rollback), never in the
  // template: a protected load balancer would make a failed first deploy end in ROLLBACK_FAILED.
  const lb = Object.values(prodT.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))[0];
  expect(lb.Properties.LoadBalancerAttributes).not.toContainEqual({ Key: 'deletion_protection.enabled', Value: 'true' });
  prodT.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 8200, Protocol: 'TCP' });
  prodT.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
    Port: 8200, Protocol: 'TCP', TargetType: 'instance',
    HealthCheckProtocol: 'HTTPS', HealthCheckPort: '8200', HealthCheckPath: '/v1/sys/health?standbyok=true&sealedcode=200&uninitcode=200&haunhealthycode=200', Matcher: { HttpCode: '200' },
  });
});

describe('instance role', () => {
  test.each([['prod', prodT, prod], ['dev', devT, dev]] as const)('%s: the seal key allows exactly Encrypt/Decrypt/DescribeKey to the Vault role (IAM and key policy)', (_n, t, s) => {
    const sealId = logicalId(s.stack, s.keys.sealKey);
    const roleId = logicalId(s.stack, s.vault.role);
    const onSeal = statementsOf(t).filter((st) => list(st.Resource).some((r) => JSON.stringify(r).includes(sealId)));
    expect(onSeal.map((st) => [list(st.Action).sort(), st.Effect])).toEqual([[['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt'], 'Allow']]);
    const keyPolicy = t.toJSON().Resources[sealId].Properties.KeyPolicy.Statement as any[];
    // The role is named in aws:PrincipalArn (KMS validates principals, and the role is brand new), scoped to the account.
    const forRole = keyPolicy.filter((st) => JSON.stringify(st.Condition?.ArnEquals?.['aws:PrincipalArn'] ?? '').includes(roleId));
    expect(forRole).toEqual([
      expect.objectContaining({ Effect: 'Allow', Principal: { AWS: '*' }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey'], Resource: '*', Condition: { ArnEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [roleId, 'Arn'] } }, StringEquals: { 'kms:CallerAccount': s.stack.account } } }),
    ]);
    // Nothing else in the seal key policy names a data-plane action for anyone.
    const others = keyPolicy.filter((st) => st !== forRole[0]).flatMap((st) => list(st.Action));
    expect(others.filter((a) => /Encrypt|Decrypt|GenerateDataKey/.test(a))).toEqual([]);
  });

  test.each([['prod', prodT], ['dev', devT]] as const)('%s: no IAM wildcard except ec2:DescribeInstances and the TLS issuer network interfaces on "*"; KMS actions are exact', (_n, t) => {
    const statements = statementsOf(t).filter((st) => st.Effect === 'Allow');
    for (const st of statements) {
      for (const a of list(st.Action ?? [])) expect(a).not.toMatch(/\*/);
      for (const a of list(st.Action ?? []).filter((x: string) => x.startsWith('kms:'))) {
        expect(['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey']).toContain(a);
      }
    }
    const wildcard = statements.filter((st) => list(st.Resource ?? []).some((r) => JSON.stringify(r).includes('*')));
    // The flow-log role and CDK's own are outside Vault; among Vault's policies only auto-join and the TLS
    // issuer's VPC network interfaces (test/vault/tls/vault-tls-issuer.test.ts) use "*".
    const vaultWildcards = wildcard.filter((st) => st.id.startsWith('Vault'));
    expect(vaultWildcards.map((st) => [st.id.replace(/[0-9A-F]{8}$/, ''), st.Sid ?? st.Action, st.Resource])).toEqual([
      ['VaultAutoJoinPolicy', 'RaftAutoJoin', '*'],
      ['VaultTlsPolicy', 'VpcNetworkInterfaces', '*'],
    ]);
    expect(wildcard.filter((st) => !st.id.startsWith('Vault') && list(st.Action).some((a: string) => a.startsWith('kms:')))).toEqual([]);
  });

  test('managed policies only (no inline policy), SSM core attached, role assumable by EC2 only', () => {
    prodT.resourceCountIs('AWS::IAM::Policy', 0);
    prodT.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [expect.anything() && Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] },
      ManagedPolicyArns: Match.arrayWith([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] }]),
    });
  });

  test('own secrets, own snapshot object, own log groups: exact resources', () => {
    const st = Object.fromEntries(statementsOf(prodT).filter((s) => s.id.startsWith('VaultInstancePolicy')).map((s) => [s.Sid, s]));
    const id = (c: any) => logicalId(prod.stack, c);
    // The recovery shares and the master secret are the bootstrap function's business, not the servers'.
    expect(st.ReadOwnSecrets.Resource).toEqual({ Ref: id(prod.vault.tlsSecret) });
    expect(st.WriteRecoveryShares).toBeUndefined();
    expect(st.WriteSnapshot).toEqual(expect.objectContaining({ Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id(prod.vault.snapshotBucket), 'Arn'] }, '/raft/vault.snap']] } }));
    expect(st.OwnLogs.Resource.map((r: any) => r['Fn::GetAtt'][0]).sort()).toEqual([expect.stringMatching(/^VaultAuditLogs/), expect.stringMatching(/^VaultServerLogs/)]);
    expect(st.DataKeyThroughSecretsManagerAndS3.Condition).toEqual({ StringEquals: { 'kms:ViaService': ['secretsmanager.ap-southeast-2.amazonaws.com', 's3.ap-southeast-2.amazonaws.com'] } });
    expect(st.ReadVaultZip).toBeUndefined();
  });

  test('egress none: reads exactly the pinned zip from the artifact bucket', () => {
    const zip = statementsOf(devT).find((s) => s.Sid === 'ReadVaultZip');
    expect(zip).toEqual(expect.objectContaining({ Action: 's3:GetObject' }));
    expect(JSON.stringify(zip.Resource)).toContain(`:s3:::cellkit-artifacts-123456789012-eu-west-2/vault/vault_${VAULT_RELEASE.version}_linux_amd64.zip`);
  });
});

test('the Vault config the nodes get names the seal key ARN token, not a literal', () => {
  const config = JSON.parse(writtenFile(userDataOf(prodT.toJSON()), '/etc/vault.d/vault.json'));
  expect(config.seal.awskms.kms_key_id).toBe(`<${logicalId(prod.stack, prod.keys.sealKey)}.Arn>`);
});

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

describe('refuses bad props with clear messages', () => {
  const build = (overrides: Partial<VaultClusterProps>) => () => vaultStack(tenant(), overrides);
  test.each([
    [{ nodes: 4 as never }, /VaultCluster for tenant "acme": nodes must be 3 or 5 .*got 4/],
    [
      { image: { parameter: AL2023_PARAMETER, pins: { 'ap-southeast-2': { imageId: 'ami-xyz', parameter: AL2023_PARAMETER, parameterVersion: 1, fetchedAt: '2026-11-28T00:00:00.000Z' } } } },
      /the pinned image for ap-southeast-2 \(lib\/vault\/amis.json, pins.ap-southeast-2.imageId\) must be "ami-" and 8 or 17 hex digits; got "ami-xyz"/,
    ],
    [{ release: { version: 'v1.18', sha256: 'a'.repeat(64) } }, /release.version must be a Vault release such as "1.18.3"; got "v1.18"/],
    [{ release: { version: '1.18.3', sha256: 'ABC' } }, /release.sha256 must be 64 lowercase hex digits .*got "ABC"/],
    [{ artifactPrefix: 'vault' }, /artifactPrefix must be empty or end with "\/" .*got "vault"/],
    [{ snapshotSchedule: 'hourly; rm -rf /' }, /snapshotSchedule must be a systemd OnCalendar= expression .*got "hourly; rm -rf \/"/],
  ])('%j', (overrides, message) => {
    expect(build(overrides)).toThrow(message);
  });
});

// A deploy must never replace Vault nodes behind the operator's back: with no UpdatePolicy,
// CloudFormation only points the group at the new launch template version and running instances
// stay ("UpdatePolicy attribute", AWS CloudFormation User Guide: AutoScalingReplacingUpdate and
// AutoScalingRollingUpdate are what replace instances on a launch template change). Nodes are then
// replaced one at a time by `cellkit vault roll` (docs/vault-upgrades.md).
test.each([['prod', prodT], ['dev', devT]] as const)('%s: a launch template change (AMI, Vault version, user data) replaces no instance on deploy', (_n, t) => {
  const [asg] = Object.values(t.findResources('AWS::AutoScaling::AutoScalingGroup')) as any[];
  expect(asg.UpdatePolicy?.AutoScalingReplacingUpdate).toBeUndefined();
  expect(asg.UpdatePolicy?.AutoScalingRollingUpdate).toBeUndefined();
  // The only update policy CDK adds keeps scheduled actions' sizes; it replaces nothing.
  for (const key of Object.keys(asg.UpdatePolicy ?? {})) expect(key).toBe('AutoScalingScheduledAction');
  // The group follows a numbered launch template version, so every instance records which one it came from.
  expect(asg.Properties.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.Version).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^VaultLaunchTemplate/), 'LatestVersionNumber'] });
  // The Vault version is part of the user data: bumping it changes the launch template, which the roll detects.
  const lt = Object.values(t.findResources('AWS::EC2::LaunchTemplate'))[0] as any;
  expect(JSON.stringify(lt.Properties.LaunchTemplateData.UserData)).toContain(`version='${VAULT_RELEASE.version}'`);
});
