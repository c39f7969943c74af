// VaultServerGroup (lib/vault/cluster/server-group.ts): the servers' Auto Scaling group.
import { Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { tenant } from '../../fixtures';
import { VAULT_JOIN_TAG, VaultClusterProps } from '../../../lib/vault/vault-cluster';
import { VAULT_RELEASE } from '../../../lib/vault/vault-release';
import { prodAndDev, vaultStack } from '../vault-stack';

const { prodT, devT } = prodAndDev();

describe.each([
  ['prod (5 nodes, Sydney, nat)', prodT, 5, ['m6i.large', 'm6a.large'], ['ap-southeast-2a', 'ap-southeast-2b', 'ap-southeast-2c']],
  ['dev (3 nodes, London, none)', devT, 3, ['c6i.large', 'c6a.large'], ['eu-west-2a', 'eu-west-2b', 'eu-west-2c']],
])('%s', (_name, t, nodes, instanceTypes, zones) => {
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

describe('refuses bad props with clear messages', () => {
  const types = (...names: string[]): Partial<VaultClusterProps> => ({ instanceTypes: names.map((n) => new ec2.InstanceType(n)) });
  test.each([
    [types('m6i.large'), 'm6i.large'],
    [types('m6i.large', 'm6i.large'), 'm6i.large, m6i.large'],
    [types('m6i.large', 'm6a.large', 'm6i.large'), 'm6i.large, m6a.large, m6i.large'],
  ])('instanceTypes %#', (overrides, given) => {
    expect(() => vaultStack(tenant(), overrides)).toThrow(`VaultCluster for tenant "acme": instanceTypes must list at least two distinct instance types (Control Tower CT.AUTOSCALING.PR.6); got [${given}]`);
  });

  test('three distinct types are accepted, the first on the launch template (control)', () => {
    const s = vaultStack(tenant(), types('m7i.large', 'm6i.large', 'm6a.large'));
    expect(s.vault.autoScalingGroup).toBeDefined();
  });
});
