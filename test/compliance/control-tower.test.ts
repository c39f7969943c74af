// The synth gate's Control Tower check (cfn-guard from @cdklabs/cdk-validator-cfnguard, run for real
// here: the binary ships inside the npm package) and the coverage of every control it leaves off.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { rules } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { CONTROL_TOWER_RULES_DIR, bundledRuleFiles, controlTowerValidator, ruleFileName } from '../../lib/compliance/control-tower';
import { DISABLED_CONTROLS } from '../../lib/compliance/disabled-controls';
import { ruleResourceTypes } from '../../lib/compliance/guard-input';
import { FRAMEWORK_NAG_PACKS, NAG_PACKS } from '../../lib/compliance/nag-packs';
import { nagRuleIds } from '../../lib/compliance/nag-rule-id';
import { denyGrantsExceptForAwsServicesStatement, keyAdminStatement } from '../../lib/keys/cell-keys';
import { cellTemplateIdentity } from '../../lib/cell/cell-identity';
import { Tenant } from '../../lib/registry/registry';
import { cellStack, teamTenant, tenant } from '../fixtures';

/** An app with only the Control Tower gate, writing to a temp dir. */
function gatedApp(): App {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-ct-')), builtinCloudFormationValidation: false });
  Validations.of(app).addPlugins(controlTowerValidator());
  return app;
}

/** A bucket that meets every enabled Control Tower S3 control, optionally without Object Lock (CT.S3.PR.9) or versioning. */
function bucketStack(app: App, opts: { objectLock: boolean; lifecycle?: boolean }): s3.Bucket {
  const stack = new Stack(app, 'Buckets', { env: { account: '123456789012', region: 'eu-west-2' } });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true, policy: new iam.PolicyDocument({ statements: [keyAdminStatement(), denyGrantsExceptForAwsServicesStatement()] }) });
  const bucket = new s3.Bucket(stack, 'Bucket', {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    versioned: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    objectLockDefaultRetention: opts.objectLock ? s3.ObjectLockRetention.governance(Duration.days(90)) : undefined,
    lifecycleRules: opts.lifecycle === false ? undefined : [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(90) }],
  });
  const cfn = bucket.node.defaultChild as s3.CfnBucket;
  cfn.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
  cfn.loggingConfiguration = { logFilePrefix: 'self/' };
  return bucket;
}

const ruleNamesIn = (app: App): string[] => {
  const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8'));
  return report.pluginReports.flatMap((r: any) => r.violations.map((v: any) => `${v.description}`));
};

describe('Control Tower gate', () => {
  test('a template that breaks a Control Tower control fails the synth, named by its CT id, and lands in validation-report.json', () => {
    const app = gatedApp();
    bucketStack(app, { objectLock: false });
    expect(() => app.synth()).toThrow(/\[CT\.S3\.PR\.9\]: Require that an Amazon S3 bucket has S3 Object Lock activated/);
    expect(ruleNamesIn(app)).toEqual([expect.stringMatching(/^\[CT\.S3\.PR\.9\]/)]);
  });

  test('the same bucket with Object Lock passes (control: the gate is not failing everything)', () => {
    const app = gatedApp();
    bucketStack(app, { objectLock: true });
    expect(() => app.synth()).not.toThrow();
  });

  test('acknowledging one Control Tower finding on a construct does not let another one through', () => {
    // aws-cdk-lib recomputes a report's success from violation severities once one violation is
    // acknowledged; the plugin sets none, so without the gate's severity every other violation passed.
    const app = gatedApp();
    const bucket = bucketStack(app, { objectLock: false, lifecycle: false });
    Validations.of(bucket).acknowledge({ id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', reason: 'test: acknowledge one of two findings' });
    expect(() => app.synth()).toThrow(/\[CT\.S3\.PR\.3\]/);
  });

  test('on a broken cell, the gate finds exactly what the unmodified plugin finds (the per-type template copies hide nothing)', () => {
    const template = Template.fromStack(cellStack(teamTenant())).toJSON();
    const byType = (type: string) => Object.values(template.Resources as Record<string, any>).filter((r) => r.Type === type);
    for (const b of byType('AWS::S3::Bucket')) delete b.Properties.ObjectLockEnabled;
    for (const g of byType('AWS::AutoScaling::AutoScalingGroup')) delete g.Properties.AvailabilityZones;
    const policy = byType('AWS::KMS::Key')[0].Properties.KeyPolicy;
    policy.Statement = policy.Statement.filter((st: any) => st.Effect !== 'Deny');
    byType('AWS::EC2::LaunchTemplate')[0].Properties.LaunchTemplateData.MetadataOptions.HttpTokens = 'optional';
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-ct-broken-')), 'Cell-globex.template.json');
    fs.writeFileSync(file, JSON.stringify(template));
    const findings = (r: { violations: any[] }) => r.violations.flatMap((v) => v.violatingResources.map((x: any) => `${v.ruleName} ${x.resourceLogicalId} ${x.templatePath}`)).sort();
    const plain = new CfnGuardValidator({ controlTowerRulesEnabled: true, disabledRules: DISABLED_CONTROLS.map((d) => ruleFileName(d.control)) });
    const expected = findings(plain.validate({ templatePaths: [file] } as never));
    expect(expected.map((f) => f.split(' ')[0])).toEqual(expect.arrayContaining(['autoscaling_multiple_az_check', 'ec2_launch_template_imdsv2_check', 'kms_create_grant_aws_service_check', 's3_bucket_object_lock_enabled_check']));
    expect(findings(controlTowerValidator().validate({ templatePaths: [file] } as never))).toEqual(expected);
  });

  test('every disabled control names a rule the package bundles, and the gate refuses one it does not', () => {
    const files = new Set(bundledRuleFiles());
    expect(files.size).toBeGreaterThan(200);
    for (const d of DISABLED_CONTROLS) {
      expect(files.has(ruleFileName(d.control))).toBe(true);
      expect(d.reason.length).toBeGreaterThan(80);
      expect(d.coveredBy).toMatch(/cdk-nag/);
    }
    expect(() => controlTowerValidator({ disabled: [{ control: 'CT.S3.PR.99', reason: 'x', coveredBy: 'y' }] })).toThrow(
      "Control Tower controls to disable are not in @cdklabs/cdk-validator-cfnguard's bundled rules: CT.S3.PR.99 (lib/compliance/disabled-controls.ts)",
    );
  });

  test('each synth runs the rules of the resource types its templates hold: every bundled rule names its types', () => {
    expect(ruleResourceTypes(`let T = "AWS::S3::Bucket"\nlet U = 'AWS::AutoScaling::LaunchConfiguration'`)).toEqual(['aws::s3::bucket', 'aws::autoscaling::launchconfiguration']);
    const untyped = bundledRuleFiles().filter((name) => {
      const file = fs.readdirSync(CONTROL_TOWER_RULES_DIR, { recursive: true, encoding: 'utf8' }).find((f) => path.basename(f, '.guard') === name)!;
      return ruleResourceTypes(fs.readFileSync(path.join(CONTROL_TOWER_RULES_DIR, file), 'utf8')).length === 0;
    });
    expect(untyped).toEqual([]);
  });

  test('docs/compliance.md lists every disabled control', () => {
    const doc = fs.readFileSync(path.join(__dirname, '../../docs/compliance.md'), 'utf8');
    for (const d of DISABLED_CONTROLS) expect(doc).toMatch(new RegExp(`^\\| \`${d.control.replace(/\./g, '\\.')}\` `, 'm'));
  });

  test('CT ids map to the plugin\'s rule file names', () => {
    expect(ruleFileName('CT.ELASTICLOADBALANCING.PR.6')).toBe('ct-elasticloadbalancing-pr-6');
    expect(DISABLED_CONTROLS.map((d) => d.control).sort()).toEqual(['CT.ELASTICLOADBALANCING.PR.5', 'CT.ELASTICLOADBALANCING.PR.6', 'CT.LAMBDA.PR.3', 'CT.RDS.PR.1', 'CT.RDS.PR.13', 'CT.S3.PR.2']);
  });
});

/** Findings as comparable lines: rule, template file, logical id, locations. */
const findingLines = (r: { violations: any[] }) =>
  r.violations.flatMap((v) => v.violatingResources.map((x: any) => `${v.ruleName} ${path.basename(x.templatePath)} ${x.resourceLogicalId} ${[...x.locations].sort().join(',')}`)).sort();

describe('Control Tower gate on a fleet: one check per class of templates', () => {
  // A few rules (cfn-guard as shipped takes ~15 s per cell for all of them): the four a broken cell breaks, and one that follows references.
  const subset = ['ct-autoscaling-pr-1', 'ct-ec2-pr-1', 'ct-kms-pr-3', 'ct-lambda-pr-2', 'ct-s3-pr-9'];
  const disabled = bundledRuleFiles().filter((f) => !subset.includes(f)).map((f) => ({ control: f.toUpperCase().replace(/-/g, '.'), reason: 'test subset', coveredBy: 'test' }));
  const ruleFiles = subset.map((name) => path.join(CONTROL_TOWER_RULES_DIR, fs.readdirSync(CONTROL_TOWER_RULES_DIR, { recursive: true, encoding: 'utf8' }).find((f) => path.basename(f, '.guard') === name)!));
  const acme = tenant();
  const initech = tenant({ id: 'initech-eu', displayName: 'Initech Europe B.V.', account: '210987654321', database: { usernameSuffix: 'zz99yy88' } });
  const globex = teamTenant();
  const synthesized = new Map([acme, initech, globex].map((t) => [t.id, Template.fromStack(cellStack(t)).toJSON()]));

  /** Writes the tenants' templates (broken as asked) to a fresh dir as cdk.out names them. */
  function writeFleet(broken: readonly string[]): string[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-ct-fleet-'));
    return [...synthesized].map(([id, original]) => {
      const template = JSON.parse(JSON.stringify(original));
      if (broken.includes(id)) {
        for (const r of Object.values(template.Resources as Record<string, any>)) {
          if (r.Type === 'AWS::S3::Bucket') delete r.Properties.ObjectLockEnabled;
          if (r.Type === 'AWS::AutoScaling::AutoScalingGroup') delete r.Properties.AvailabilityZones;
        }
      }
      const file = path.join(dir, `Cell-${id}.template.json`);
      fs.writeFileSync(file, JSON.stringify(template));
      return file;
    });
  }

  function compare(broken: readonly string[], expectedRuns: number[]): string[] {
    const files = writeFleet(broken);
    const expected = findingLines(new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: ruleFiles }).validate({ templatePaths: files } as never));
    // Calls through to the plugin: records how many templates each cfn-guard run was given.
    const spy = jest.spyOn(CfnGuardValidator.prototype, 'validate');
    let checked: number[];
    try {
      const gate = controlTowerValidator({ disabled, identities: [acme, initech, globex].map((t: Tenant) => cellTemplateIdentity(t)) });
      expect(findingLines(gate.validate({ templatePaths: files } as never))).toEqual(expected);
      checked = spy.mock.calls.map(([context]) => context.templatePaths.length);
    } finally {
      spy.mockRestore();
    }
    expect([...new Set(checked)]).toEqual(expectedRuns);
    return expected;
  }

  test('two tenants of one shape, both broken: checked once, and each gets the findings at its own logical ids', () => {
    const expected = compare(['acme', 'initech-eu'], [2]);
    expect(expected.some((f) => f.includes('Cell-acme.template.json'))).toBe(true);
    expect(expected.some((f) => f.includes('Cell-initech-eu.template.json'))).toBe(true);
    expect(expected.some((f) => f.includes('Cell-globex.template.json'))).toBe(false);
  });

  test('only one of them broken: they are no longer one class, and only the broken one has findings', () => {
    const expected = compare(['initech-eu'], [3]);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.every((f) => f.includes('Cell-initech-eu.template.json'))).toBe(true);
  });
});

/** Construct path -> acknowledged rule ids (what `Validations.of(x).acknowledge()` recorded, less its `Annotation::` namespace). */
function acknowledgments(root: IConstruct): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of root.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type === 'aws:cdk:acknowledged-rules' && m.data) out.set(c.node.path, [...(out.get(c.node.path) ?? []), ...Object.keys(m.data as object).map((id) => id.replace(/^Annotation::/, ''))]);
    }
  }
  return out;
}
const acknowledgedAt = (root: IConstruct, rule: string) => [...acknowledgments(root)].filter(([, ids]) => ids.includes(rule)).map(([p]) => p.split('/').slice(1).join('/'));

describe.each([
  ['enterprise, prod, nat', tenant()],
  ['team, dev, no egress', teamTenant()],
])('the controls left off stay covered per resource (%s)', (_shape, t) => {
  const stack = cellStack(t);
  const template = Template.fromStack(stack).toJSON();
  const resources = Object.entries(template.Resources as Record<string, any>);
  const prod = t.spec.sizing === 'prod';

  test('CT.LAMBDA.PR.3: every Lambda function but the region guard and CDK\'s default-SG handler runs in the VPC', () => {
    const outside = resources.filter(([, r]) => r.Type === 'AWS::Lambda::Function' && !r.Properties.VpcConfig).map(([id]) => id);
    expect(outside.sort()).toEqual([expect.stringMatching(/^CustomVpcRestrictDefaultSGCustomResourceProviderHandler/), expect.stringMatching(/^RegionGuardFunction/)]);
    for (const rule of nagRuleIds(FRAMEWORK_NAG_PACKS, rules.lambda.LambdaInsideVPC)) expect(acknowledgedAt(stack, rule)).toEqual(['RegionGuard/Function']);
  });

  test(`CT.RDS.PR.1: the database is ${prod ? 'Multi-AZ' : 'single-AZ, as its dev sizing says'}, and the nag finding is acknowledged only for dev`, () => {
    const dbs = resources.filter(([, r]) => r.Type === 'AWS::RDS::DBInstance').map(([, r]) => r.Properties);
    expect(dbs.map((p) => p.MultiAZ)).toEqual([prod]);
    for (const rule of ['AwsSolutions-RDS3', 'HIPAA.Security-RDSMultiAZSupport', 'NIST.800.53.R5-RDSMultiAZSupport']) {
      expect(acknowledgedAt(stack, rule)).toEqual(prod ? [] : ['Database/Instance']);
    }
  });

  test('CT.S3.PR.2 and CT.ELASTICLOADBALANCING.PR.6: access-log acknowledgments sit on the Vault snapshot bucket and the Vault NLB only', () => {
    for (const rule of nagRuleIds(NAG_PACKS, rules.s3.S3BucketLoggingEnabled)) {
      expect(acknowledgedAt(stack, rule)).toEqual(['Vault/Snapshots/Bucket']);
    }
    for (const rule of nagRuleIds(NAG_PACKS, rules.elb.ELBLoggingEnabled)) {
      expect(acknowledgedAt(stack, rule)).toEqual(['Vault/LoadBalancer']);
    }
  });

  test('the cell passes every Control Tower control that is on', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-ct-cell-'));
    const file = path.join(dir, 'Cell.template.json');
    fs.writeFileSync(file, JSON.stringify(template));
    const report = controlTowerValidator().validate({ templatePaths: [file] } as never);
    expect(report.violations.map((v) => v.description)).toEqual([]);
    expect(report.success).toBe(true);
  });
});
