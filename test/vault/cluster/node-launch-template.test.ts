// VaultLaunchTemplate (lib/vault/cluster/node-launch-template.ts): the servers' image, metadata options and volumes.
import { App, Size, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { tenant } from '../../fixtures';
import { VaultLaunchTemplate } from '../../../lib/vault/cluster/node-launch-template';
import { VaultClusterProps } from '../../../lib/vault/vault-cluster';
import { AL2023_PARAMETER } from '../../../lib/vault/vault-image';
import { prodAndDev, vaultStack } from '../vault-stack';

const { prodT, devT } = prodAndDev();
const launchTemplateData = (t: Template) => (Object.values(t.findResources('AWS::EC2::LaunchTemplate'))[0] as any).Properties.LaunchTemplateData;

describe.each([
  ['prod (5 nodes, Sydney, nat)', prodT, 'm6i.large'],
  ['dev (3 nodes, London, none)', devT, 'c6i.large'],
])('%s', (_name, t, instanceType) => {
  // cdk-nag does not follow the group's mixed instances policy here, so this test is what proves
  // IMDSv2 and volume encryption (acknowledged in lib/vault/cluster/server-group.ts).
  test('launch template: IMDSv2 hop 1, encrypted gp3 root and Raft volumes, no public IP, no key pair', () => {
    const lt = launchTemplateData(t);
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
    expect([devices['/dev/xvda'].VolumeSize, devices['/dev/sdf'].VolumeSize]).toEqual([20, 50]);
  });

  test('an unpinned region resolves the AL2023 public parameter at deploy time', () => {
    const [param] = Object.values(t.toJSON().Parameters as Record<string, any>).filter((p) => p.Type === 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>');
    expect(param.Default).toBe(AL2023_PARAMETER);
  });
});

test('a pinned region launches exactly the pinned image; dataVolumeSize sets the Raft volume', () => {
  const pins = { 'ap-southeast-2': { imageId: 'ami-0123456789abcdef0', parameter: AL2023_PARAMETER, parameterVersion: 1, fetchedAt: '2026-11-28T00:00:00.000Z' } };
  const pinned = vaultStack(tenant(), { image: { parameter: AL2023_PARAMETER, pins }, dataVolumeSize: Size.tebibytes(1) });
  const lt = launchTemplateData(Template.fromStack(pinned.stack));
  expect(lt.ImageId).toBe('ami-0123456789abcdef0');
  expect(lt.BlockDeviceMappings.find((b: any) => b.DeviceName === '/dev/sdf').Ebs.VolumeSize).toBe(1024);
});

describe('refuses bad props with clear messages', () => {
  const build = (overrides: Partial<VaultClusterProps>) => () => vaultStack(tenant(), overrides);
  test.each([
    [
      { image: { parameter: AL2023_PARAMETER, pins: { 'ap-southeast-2': { imageId: 'ami-xyz', parameter: AL2023_PARAMETER, parameterVersion: 1, fetchedAt: '2026-11-28T00:00:00.000Z' } } } },
      /the pinned image for ap-southeast-2 \(lib\/vault\/amis.json, pins.ap-southeast-2.imageId\) must be "ami-" and 8 or 17 hex digits; got "ami-xyz"/,
    ],
    [{ dataVolumeSize: Size.mebibytes(1536) }, /VaultCluster for tenant "acme": dataVolumeSize must be a whole number of GiB from 1 GiB to 16 TiB \(gp3\); got 1.5 GiB/],
    [{ dataVolumeSize: Size.mebibytes(0) }, /dataVolumeSize must be a whole number of GiB from 1 GiB to 16 TiB \(gp3\); got 0 GiB/],
    [{ dataVolumeSize: Size.tebibytes(17) }, /dataVolumeSize must be a whole number of GiB from 1 GiB to 16 TiB \(gp3\); got 17408 GiB/],
  ])('%j', (overrides, message) => {
    expect(build(overrides)).toThrow(message);
  });

  test('a stack without a concrete region cannot pick the node image', () => {
    const stack = new Stack(new App(), 'NoRegion');
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0 });
    expect(() => new VaultLaunchTemplate(stack, {
      tenantId: 'acme',
      instanceType: new ec2.InstanceType('c6i.large'),
      role: new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }),
      securityGroup: new ec2.SecurityGroup(stack, 'Sg', { vpc }),
      userData: '#!/bin/bash',
      dataKey: new kms.Key(stack, 'Key'),
    })).toThrow('VaultCluster for tenant "acme": the stack needs a concrete region (env.region) to pick the node image');
  });
});
