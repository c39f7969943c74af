// The Vault nodes' image: never a made-up AMI. Unpinned regions resolve AWS's public Amazon Linux 2023
// parameter at deploy time; a pin is only what `cellkit amis pin` fetched. A new image never replaces
// running nodes (EC2 Auto Scaling API reference, LaunchTemplate: "When you update the launch template ...
// existing Amazon EC2 instances continue to run"; CloudFormation UpdatePolicy attribute: only
// AutoScalingRollingUpdate / AutoScalingReplacingUpdate replace instances on a launch template change).
import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { TenantRegistry, registryPaths } from '../../lib/registry/registry';
import { AL2023_PARAMETER, AmiFile, VAULT_IMAGE, parseAmiFile } from '../../lib/vault/vault-image';
import { REPO_ROOT, cellStack, tenant } from '../fixtures';
import { vaultStack } from './vault-stack';

const registry = TenantRegistry.load(registryPaths(REPO_ROOT));
const examples = registry.tenants.map((t) => [t.id, Template.fromStack(cellStack(t, { allowedRegions: registry.regions.codes })).toJSON()] as const);
const pinned = (imageId: string): AmiFile => ({
  parameter: AL2023_PARAMETER,
  pins: { 'ap-southeast-2': { imageId, parameter: AL2023_PARAMETER, parameterVersion: 42, fetchedAt: '2026-11-28T10:00:00.000Z' } },
});
const launchTemplate = (json: any) => Object.values(json.Resources as Record<string, any>).find((r) => r.Type === 'AWS::EC2::LaunchTemplate');

test('the committed image file pins nothing and holds no AMI ID at all', () => {
  expect(VAULT_IMAGE).toEqual({ $comment: expect.any(String), parameter: AL2023_PARAMETER, pins: {} });
  const text = fs.readFileSync(path.join(REPO_ROOT, 'lib', 'vault', 'amis.json'), 'utf8');
  expect(text).not.toMatch(/ami-[0-9a-f]{8}/);
  expect(text.toLowerCase()).not.toContain('placeholder');
});

describe.each(examples)('%s', (_id, json) => {
  test('no literal AMI ID anywhere in the template; the launch template takes the Amazon Linux 2023 SSM parameter type', () => {
    expect(JSON.stringify(json)).not.toMatch(/ami-[0-9a-f]{8}/);
    const ref = launchTemplate(json).Properties.LaunchTemplateData.ImageId.Ref;
    // CloudFormation user guide: Systems Manager parameter types resolve at each stack create and update.
    expect(json.Parameters[ref]).toEqual({ Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: AL2023_PARAMETER });
  });

  test('the Vault group has no update policy that would replace running nodes on a new image', () => {
    const groups = Object.values(json.Resources as Record<string, any>).filter((r) => r.Type === 'AWS::AutoScaling::AutoScalingGroup');
    expect(groups).toHaveLength(1);
    const policy = groups[0].UpdatePolicy ?? {};
    expect(Object.keys(policy).filter((k) => /RollingUpdate|ReplacingUpdate|InstanceRefresh/i.test(k))).toEqual([]);
    expect(groups[0].CreationPolicy?.AutoScalingCreationPolicy).toBeUndefined();
  });
});

test('a pinned region launches exactly the fetched AMI and has no image parameter', () => {
  const json = Template.fromStack(vaultStack(tenant(), { image: pinned('ami-0123456789abcdef0') }).stack).toJSON();
  expect(launchTemplate(json).Properties.LaunchTemplateData.ImageId).toBe('ami-0123456789abcdef0');
  expect(Object.values(json.Parameters ?? {}).filter((p: any) => p.Type.includes('Image::Id'))).toEqual([]);
});

test('a new image changes only the launch template: the Auto Scaling group (and so its running nodes) is untouched', () => {
  const a = Template.fromStack(vaultStack(tenant(), { image: pinned('ami-0123456789abcdef0') }).stack).toJSON().Resources as Record<string, any>;
  const b = Template.fromStack(vaultStack(tenant(), { image: pinned('ami-0fedcba9876543210') }).stack).toJSON().Resources as Record<string, any>;
  const changed = Object.keys(a).filter((id) => JSON.stringify(a[id]) !== JSON.stringify(b[id]));
  expect(changed.map((id) => a[id].Type)).toEqual(['AWS::EC2::LaunchTemplate']);
  // The group follows the template's latest version, an in-place update of the group (no replacement).
  const asg = Object.values(a).find((r) => r.Type === 'AWS::AutoScaling::AutoScalingGroup');
  expect(asg.Properties.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.Version).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^VaultLaunchTemplate/), 'LatestVersionNumber'] });
});

test.each([
  [{ ...pinned('ami-xyz') }, /lib\/vault\/amis.json: field "pins.ap-southeast-2.imageId": must be "ami-" and 8 or 17 lowercase hex digits; got "ami-xyz"/],
  [{ parameter: '/my/own/ami', pins: {} }, /field "parameter": must be an AWS public parameter \(\/aws\/service\/...\); got "\/my\/own\/ami"/],
  [{ parameter: AL2023_PARAMETER, pins: {}, amis: {} }, /unknown field "amis"/],
  [{ parameter: AL2023_PARAMETER, pins: { 'ap-southeast-2': { ...pinned('ami-0123456789abcdef0').pins['ap-southeast-2'], fetchedAt: 'yesterday' } } }, /field "pins.ap-southeast-2.fetchedAt": .*got "yesterday"/],
  [{ parameter: AL2023_PARAMETER, pins: { 'Sydney': pinned('ami-0123456789abcdef0').pins['ap-southeast-2'] } }, /key "Sydney" must be an AWS region code: two letters, a direction and a digit, like the keys of regions.json/],
])('the image file refuses %j', (input, message) => {
  expect(() => parseAmiFile(input)).toThrow(message);
});
