import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CellStack, TENANT_TAG, cellStackName } from '../../lib/cell/cell-stack';
import { GUARD_APIS, guardRoleName } from '../../lib/guard/guard-role';
import { GUARD_APIS_PROSE, GUARD_READ_ACTIONS, GUARD_SERVICE_TIMEOUT, RegionGuard, RegionGuardProps, guardBundleDir } from '../../lib/guard/region-guard';
import { REPO_ROOT, cellStack, nagFindings, regions, teamTenant, tenant } from '../fixtures';

type Resources = Record<string, {
  Type: string; DependsOn?: string[]; Properties?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string;
}>;

function guardOf(stack: Stack): RegionGuard {
  return stack.node.findChild('RegionGuard') as RegionGuard;
}

/** Logical ids of the guard's own resources. */
function guardIds(stack: Stack): Set<string> {
  return new Set(guardOf(stack).node.findAll().filter(CfnResource.isCfnResource).map((r) => stack.getLogicalId(r)));
}

describe('RegionGuard in a cell', () => {
  let stack: CellStack;
  let resources: Resources;
  let checkId: string;

  beforeAll(() => {
    stack = cellStack(tenant());
    resources = Template.fromStack(stack).toJSON().Resources;
    checkId = stack.getLogicalId(guardOf(stack).check.node.defaultChild as CfnResource);
  });

  test('locks the logical ids of the retained guard key and log group and of the check', () => {
    expect(checkId).toBe('RegionGuardCheckEC19A7C9');
    expect(resources.RegionGuardLogKeyA5F0E27A.Type).toBe('AWS::KMS::Key');
    expect(resources.RegionGuardLogs43933989.Type).toBe('AWS::Logs::LogGroup');
  });

  test('every other resource of the stack depends on the guard check (walked over the whole template)', () => {
    const own = guardIds(stack);
    const others = Object.entries(resources).filter(([id]) => !own.has(id));
    // The data tier, the VPC's default-SG custom resource and its provider are all covered.
    expect(others.length).toBeGreaterThan(50);
    expect(others.map(([, r]) => r.Type)).toEqual(expect.arrayContaining(['AWS::KMS::Key', 'AWS::KMS::Alias', 'AWS::EC2::VPC', 'Custom::VpcRestrictDefaultSG', 'AWS::Lambda::Function']));
    const unguarded = others.filter(([, r]) => !(r.DependsOn ?? []).includes(checkId)).map(([id, r]) => `${id} (${r.Type})`);
    expect(unguarded).toEqual([]);
  });

  test("the guard's own resources never wait for the guard (no cycle), except its key alias, which the check does not need", () => {
    const waiting = [...guardIds(stack)].filter((id) => (resources[id].DependsOn ?? []).includes(checkId));
    expect(waiting).toEqual(['RegionGuardLogKeyAlias1CD3B4DD']);
    expect(JSON.stringify(resources[checkId])).not.toContain('RegionGuardLogKeyAlias1CD3B4DD');
    expect(resources.RegionGuardFunction4DC9644F.DependsOn).toEqual(expect.arrayContaining(['RegionGuardReadPolicy10D1F7D6', 'RegionGuardLogPolicyAFF356EA']));
  });

  test('the check carries tenant, pin, allowed regions, tag key and version (a new version re-runs it on update)', () => {
    expect(resources[checkId]).toMatchObject({
      Type: 'Custom::CellkitRegionGuard',
      Properties: { TenantId: 'acme', PinnedRegion: 'ap-southeast-2', AllowedRegions: [...regions.codes], TenantTagKey: TENANT_TAG, CellkitVersion: '0.0.0-test' },
    });
    expect((resources[checkId].Properties!.ServiceToken as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]).toBe('RegionGuardFunction4DC9644F');
  });

  test('the guard role can only list, describe or get, plus write its own log stream', () => {
    const roleId = stack.getLogicalId(guardOf(stack).role.node.defaultChild as CfnResource);
    const role = resources[roleId];
    expect(role.Properties!.Policies).toBeUndefined();
    expect(role.Properties!.ManagedPolicyArns).toBeUndefined();
    const policies = Object.entries(resources).filter(([, r]) => ['AWS::IAM::ManagedPolicy', 'AWS::IAM::Policy'].includes(r.Type) && JSON.stringify(r.Properties).includes(`"${roleId}"`));
    expect(policies.map(([id]) => id).sort()).toEqual(['RegionGuardLogPolicyAFF356EA', 'RegionGuardReadPolicy10D1F7D6']);
    type PolicyDocument = { Statement: { Action: string | string[]; Resource: unknown; Effect: string }[] };
    const statements = policies.flatMap(([, p]) => (p.Properties!.PolicyDocument as PolicyDocument).Statement);
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.length).toBeGreaterThan(0);
    const writes = actions.filter((a) => !/^[a-z0-9-]+:(List|Describe|Get)[A-Za-z]*$/.test(a));
    expect(writes.sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    const logStatement = statements.find((s) => [s.Action].flat().includes('logs:PutLogEvents'))!;
    expect(logStatement.Resource).toEqual({ 'Fn::GetAtt': ['RegionGuardLogs43933989', 'Arn'] });
    expect([...GUARD_READ_ACTIONS].sort()).toEqual(actions.filter((a) => !a.startsWith('logs:')).sort());
  });

  test('its log group is encrypted with the retained guard key, kept on delete, with retention', () => {
    expect(resources.RegionGuardLogs43933989).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { KmsKeyId: { 'Fn::GetAtt': ['RegionGuardLogKeyA5F0E27A', 'Arn'] }, RetentionInDays: 365 },
    });
    expect(resources.RegionGuardLogs43933989.Properties!.LogGroupName).toBeUndefined();
    expect(resources.RegionGuardLogKeyA5F0E27A).toMatchObject({ DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true, RotationPeriodInDays: 365 } });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/cellkit/acme/guard', TargetKeyId: { 'Fn::GetAtt': ['RegionGuardLogKeyA5F0E27A', 'Arn'] } });
  });

  test('the function runs on the latest Node.js runtime, reserves no concurrency, and logs to its log group', () => {
    expect(resources.RegionGuardFunction4DC9644F.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: 90,
      LoggingConfig: { LogGroup: { Ref: 'RegionGuardLogs43933989' } },
    });
    // Reserving any would fail the first deploy in new accounts with a Lambda quota of 10.
    expect(resources.RegionGuardFunction4DC9644F.Properties?.ReservedConcurrentExecutions).toBeUndefined();
  });

  test('CloudFormation waits at most 5 minutes for the check, not the default hour (ServiceTimeout, CloudFormation Template Reference)', () => {
    expect(resources[checkId].Properties!.ServiceTimeout).toBe('300'); // as CDK's CustomResource renders it
    expect(GUARD_SERVICE_TIMEOUT.toSeconds()).toBeGreaterThan(resources.RegionGuardFunction4DC9644F.Properties!.Timeout as number);
  });

  test("the guard's role has the fixed name the account's SCP exempts", () => {
    const roleId = stack.getLogicalId(guardOf(stack).role.node.defaultChild as CfnResource);
    expect(resources[roleId].Properties!.RoleName).toBe('cellkit-guard-acme-ap-southeast-2');
    expect(resources[roleId].Properties!.RoleName).toBe(guardRoleName('acme', 'ap-southeast-2'));
  });

  test('passes all four nag packs (enterprise tenant)', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

test('passes all four nag packs (team tenant, no egress)', () => {
  expect(nagFindings(cellStack(teamTenant()))).toEqual([]);
});

describe('guard bundle', () => {
  test('is built once per process and gives the same asset hash in every stack and synth', () => {
    expect(guardBundleDir()).toBe(guardBundleDir());
    const code = fs.readFileSync(path.join(guardBundleDir(), 'index.js'), 'utf8');
    expect(code).toContain('cellkit-region-guard-');
    expect(code).not.toContain(os.homedir());
    const hashes = ['acme', 'globex'].map((id) => {
      const s = new Stack(new App(), `S-${id}`, { env: { account: '123456789012', region: 'eu-west-2' } });
      new RegionGuard(s, 'RegionGuard', props({ tenantId: id }));
      return Template.fromStack(s).toJSON().Resources.RegionGuardFunction4DC9644F.Properties.Code.S3Key;
    });
    expect(hashes[0]).toBe(hashes[1]);
    expect(hashes[0]).toMatch(/^[0-9a-f]{64}\.zip$/);
  });

  test("is cached inside the checkout (node_modules/.cache/cellkit), not in the shared temp dir another user could write to", () => {
    const dir = guardBundleDir();
    expect(path.dirname(dir)).toBe(path.join(REPO_ROOT, 'node_modules', '.cache', 'cellkit', 'region-guard'));
    expect(path.basename(dir)).toMatch(/^[0-9a-f]{16}$/);
  });

  test('an unusable cache folder falls back to a fresh private temp folder with the same bundle', () => {
    const blocker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-guard-test-')), 'a-file');
    fs.writeFileSync(blocker, '');
    const dir = guardBundleDir(path.join(blocker, 'region-guard'));
    expect(path.dirname(dir)).toBe(os.tmpdir());
    expect(path.basename(dir)).toMatch(/^cellkit-region-guard-/);
    if (process.platform !== 'win32') expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(path.join(dir, 'index.js'))).toEqual(fs.readFileSync(path.join(guardBundleDir(), 'index.js')));
    expect(guardBundleDir(path.join(blocker, 'region-guard'))).toBe(dir); // once per process, like the cached one
    fs.rmSync(dir, { recursive: true });
  });
});

function props(overrides: Partial<RegionGuardProps> = {}): RegionGuardProps {
  return { tenantId: 'acme', pinnedRegion: 'eu-west-2', allowedRegions: regions.codes, tenantTagKey: TENANT_TAG, cellkitVersion: '1.0.0', ...overrides };
}

describe('RegionGuard validation', () => {
  const build = (overrides: Partial<RegionGuardProps>, region: string | null) => () => {
    const s = new Stack(new App(), 'S', region ? { env: { account: '123456789012', region } } : {});
    new RegionGuard(s, 'RegionGuard', props(overrides));
  };
  test.each([
    ['a pinned region outside the allowed list', { pinnedRegion: 'us-west-2' }, 'eu-west-2', 'RegionGuard for tenant "acme": pinnedRegion must be one of the allowed regions (eu-west-2, eu-central-1, eu-west-1, us-east-1, ap-southeast-1, ap-southeast-2); got us-west-2'],
    ['a pinned region that is not the stack region', { pinnedRegion: 'eu-west-1' }, 'eu-west-2', "pinnedRegion must equal the stack's concrete region; got eu-west-1, stack region eu-west-2"],
    ['a stack without a concrete region', {}, null, "pinnedRegion must equal the stack's concrete region; got eu-west-2, stack region (not set)"],
    ['repeated allowed regions', { allowedRegions: ['eu-west-2', 'eu-west-2'] }, 'eu-west-2', 'allowedRegions must not repeat a region; got eu-west-2, eu-west-2'],
    ['an invalid tenant id', { tenantId: 'Acme!' }, 'eu-west-2', 'RegionGuard for tenant "Acme!": tenantId must be 3-32 characters'],
    ['an empty tag key', { tenantTagKey: '' }, 'eu-west-2', 'tenantTagKey must not be empty'],
  ] as const)('refuses %s', (_, overrides, region, message) => {
    expect(build(overrides, region)).toThrow(message);
  });

  test('resources added after the guard, by any construct, also wait for it', () => {
    const s = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-2' } });
    new RegionGuard(s, 'RegionGuard', props());
    new sqs.Queue(s, 'Later', { enforceSSL: true });
    const res = Template.fromStack(s).toJSON().Resources as Resources;
    const queue = Object.values(res).find((r) => r.Type === 'AWS::SQS::Queue')!;
    expect(queue.DependsOn).toContain('RegionGuardCheckEC19A7C9');
  });

  test('CDK metadata is not made to wait', () => {
    const app = new App({ analyticsReporting: true });
    const s = new CellStack(app, cellStackName('acme'), { tenant: tenant(), cellkitVersion: 'x', allowedRegions: regions.codes });
    const res = Template.fromStack(s).toJSON().Resources as Resources;
    const meta = Object.values(res).filter((r) => r.Type === 'AWS::CDK::Metadata');
    for (const r of meta) expect(r.DependsOn ?? []).not.toContain('RegionGuardCheckEC19A7C9');
  });
});

test('the scanned APIs are spelled once (GUARD_APIS): the read policy, its acknowledgment and the readiness hint follow it', () => {
  for (const api of GUARD_APIS) expect(GUARD_APIS_PROSE.split(api)).toHaveLength(2);
  expect([...GUARD_READ_ACTIONS].sort()).toEqual([...GUARD_APIS].sort());
  // The construct's acknowledgment reason and the readiness hint build their text from GUARD_APIS_PROSE.
  for (const file of ['lib/guard/region-guard.ts', 'lib/readiness/checks/region-guard.ts']) {
    const source = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
    expect(source).toContain('${GUARD_APIS_PROSE}');
    for (const api of GUARD_APIS) expect(`${file}: ${source.includes(api)}`).toBe(`${file}: false`);
  }
});
