import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CellStack, MANAGED_BY_TAG, PLAN_TAG, REGION_TAG, TENANT_TAG, cellStackName } from '../../lib/cell/cell-stack';
import { nagPacks } from '../../lib/compliance/nag-packs';
import { cellStack, nagFindings, regions, teamTenant, tenant } from '../fixtures';

function synthTemplates(): Record<string, string> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-synth-'));
  const app = new App({ outdir });
  for (const t of [tenant(), teamTenant()]) new CellStack(app, cellStackName(t.id), { tenant: t, cellkitVersion: '1.2.3', allowedRegions: regions.codes });
  const assembly = app.synth();
  return Object.fromEntries(assembly.stacks.map((s) => [s.stackName, fs.readFileSync(path.join(outdir, s.templateFile), 'utf8')]));
}

describe('CellStack', () => {
  let stack: CellStack;
  let team: CellStack;
  beforeAll(() => {
    stack = cellStack(tenant());
    team = cellStack(teamTenant());
  });

  test('is named per tenant and deployed to its account and pinned region, with termination protection', () => {
    expect(stack.stackName).toBe('Cell-acme');
    expect(stack.account).toBe('123456789012');
    expect(stack.region).toBe('ap-southeast-2');
    expect(stack.terminationProtection).toBe(true);
    expect(team.stackName).toBe('Cell-globex');
    expect(team.region).toBe('eu-west-2');
  });

  test("the Vault bootstrap copies the file share's SMB user secret into Vault, and may read only that one more secret", () => {
    const json = Template.fromStack(cellStack(teamTenant())).toJSON() as { Resources: Record<string, any> };
    const [smbSecretId] = Object.entries(json.Resources).find(([id, r]) => r.Type === 'AWS::SecretsManager::Secret' && /^FileShareSmbShareUserSecret/.test(id))!;
    const run = Object.values(json.Resources).find((r) => r.Type === 'Custom::CellkitVaultBootstrap');
    expect(run.Properties.FileShareSecretArn).toEqual({ Ref: smbSecretId });
    const policy = Object.entries(json.Resources).find(([id, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && /^VaultBootstrapPolicy/.test(id))![1];
    const read = policy.Properties.PolicyDocument.Statement.find((st: { Sid: string }) => st.Sid === 'ReadCaAndMasterSecret');
    expect(read.Action).toBe('secretsmanager:GetSecretValue');
    expect(read.Resource).toContainEqual({ Ref: smbSecretId });
    expect(read.Resource).toHaveLength(3);
  });

  test('describes itself for auditors: tenant, plan, cellkit version, region', () => {
    expect(Template.fromStack(team).toJSON().Description).toBe('cellkit 0.0.0-test: company cell of tenant "globex" (Globex GmbH), team plan, pinned to eu-west-2 (London)');
  });

  test('uses the AZs of regions.json and never asks AWS for context', () => {
    expect(stack.availabilityZones).toEqual(['ap-southeast-2a', 'ap-southeast-2b', 'ap-southeast-2c']);
    const app = new App();
    new CellStack(app, 'Cell-acme', { tenant: tenant(), cellkitVersion: 'x', allowedRegions: regions.codes });
    expect(app.synth().manifest.missing).toBeUndefined();
  });

  test('tags every taggable resource with tenant, plan, region and managed-by', () => {
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties?: { Tags?: unknown } }>;
    const taggable = Object.entries(resources).filter(([, r]) => r.Properties?.Tags !== undefined);
    expect(taggable.length).toBeGreaterThan(20);
    for (const [id, r] of taggable) {
      const tags = Array.isArray(r.Properties!.Tags)
        ? Object.fromEntries((r.Properties!.Tags as { Key: string; Value: string }[]).map((x) => [x.Key, x.Value]))
        : (r.Properties!.Tags as Record<string, string>);
      expect({ id, tenant: tags[TENANT_TAG], plan: tags[PLAN_TAG], region: tags[REGION_TAG], managedBy: tags[MANAGED_BY_TAG] }).toEqual({ id, tenant: 'acme', plan: 'enterprise', region: 'ap-southeast-2', managedBy: 'cellkit' });
    }
    for (const type of ['AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::EC2::SecurityGroup']) {
      expect(Object.entries(resources).filter(([, r]) => r.Type === type).every(([id]) => taggable.some(([t]) => t === id))).toBe(true);
    }
  });

  test('refuses a tenant whose resolved region differs from its pin', () => {
    const moved = { ...tenant(), pin: { region: 'eu-west-1', pinnedAt: '2026-01-01T00:00:00.000Z' } };
    expect(() => cellStack(moved)).toThrow(/tenant "acme": resolved region ap-southeast-2 differs from its pin eu-west-1; a cell's region cannot change after creation/);
  });

  test('two synths of the same inputs give byte-identical templates', () => {
    const first = synthTemplates();
    const second = synthTemplates();
    expect(Object.keys(first).sort()).toEqual(['Cell-acme', 'Cell-globex']);
    for (const name of Object.keys(first)) expect(second[name]).toBe(first[name]);
  });

  test('passes all four cdk-nag packs for both example shapes (prod + nat, dev + no egress)', () => {
    expect(nagFindings(stack)).toEqual([]);
    expect(nagFindings(team)).toEqual([]);
  });

  test('the nag check does find problems (control: an unencrypted log group without retention)', () => {
    const s = new Stack(new App(), 'Control', { env: { account: '123456789012', region: 'eu-west-2' } });
    new logs.LogGroup(s, 'Plain', { retention: logs.RetentionDays.INFINITE });
    const rules = nagFindings(s).map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['HIPAA.Security-CloudWatchLogGroupEncrypted', 'NIST.800.53.R5-CloudWatchLogGroupEncrypted']));
  });

  test('synth with the nag gate writes every acknowledgment into the template next to its resource', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-nag-'));
    const app = new App({ outdir });
    new CellStack(app, 'Cell-acme', { tenant: tenant(), cellkitVersion: 'x', allowedRegions: regions.codes });
    Validations.of(app).addPlugins(...nagPacks(app));
    app.synth();
    const resources = JSON.parse(fs.readFileSync(path.join(outdir, 'Cell-acme.template.json'), 'utf8')).Resources as Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress: { id: string; reason: string }[] } } }>;
    const acknowledged = Object.entries(resources)
      .flatMap(([id, r]) => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((x) => ({ id, rule: x.id, reason: x.reason })));
    const routes = acknowledged.filter((a) => /^NetworkVpcPublicSubnet\dDefaultRoute/.test(a.id));
    expect(routes.map((a) => a.rule).sort()).toEqual(
      ['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'].flatMap((p) => [1, 2, 3].map(() => `${p}-VPCNoUnrestrictedRouteToIGW`)).sort(),
    );
    for (const a of acknowledged) {
      // One exact finding per acknowledgment: a rule id, optionally with the one finding it names.
      expect(a.rule).toMatch(/^[A-Za-z0-9.:@/_-]+(\[[^\]]+\])?$/);
      expect(a.reason.length).toBeGreaterThan(40);
    }
  });
});
