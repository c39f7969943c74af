// The example tenants' delivery, synthesized offline from a real gated assembly of their cells.
// CDK Pipelines behaviour relied on: https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.pipelines-readme.html
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { App } from 'aws-cdk-lib';
import { CellStack, cellStackName } from '../../lib/cell/cell-stack';
import { GATED_ASSEMBLY } from '../../lib/delivery/delivery-config';
import { DeliveryStack } from '../../lib/delivery/delivery-stack';
import { canonicalJson } from '../../lib/delivery/record';
import { planDelivery } from '../../lib/delivery/waves';
import { TenantRegistry, registryPaths } from '../../lib/registry/registry';
import { REPO_ROOT } from '../fixtures';
import { exampleConfig } from './fleet-fixture';

type Resource = { Type: string; Properties: Record<string, any> };
type Action = { Name: string; RunOrder: number; ActionTypeId: { Category: string; Provider: string }; Configuration?: Record<string, any> };

const registry = TenantRegistry.load(registryPaths(REPO_ROOT));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-delivery-test-'));
const gated = path.join(work, GATED_ASSEMBLY);
// Two more team tenants in London so a wave holds several stages.
const config = exampleConfig({ canaries: ['contoso'] }, registry);

let templates: Record<string, { Resources: Record<string, Resource> }>;
let outdir: string;

beforeAll(() => {
  const cells = new App({ outdir: gated, analyticsReporting: false, builtinCloudFormationValidation: false });
  for (const t of registry.tenants) new CellStack(cells, cellStackName(t.id), { tenant: t, cellkitVersion: '0.0.0-test', allowedRegions: registry.regions.codes });
  cells.synth();
  outdir = path.join(work, 'cdk.out');
  const app = new App({ outdir, analyticsReporting: false, builtinCloudFormationValidation: false, context: { 'aws:cdk:enable-path-metadata': false } });
  for (const p of planDelivery(registry.tenants, config, registry.regions.codes)) {
    new DeliveryStack(app, p.name, { config, plan: p, cellkitVersion: '0.0.0-test', gatedAssembly: gated });
  }
  app.synth();
  templates = Object.fromEntries(['CellkitDelivery-eu-west-2', 'CellkitDelivery-ap-southeast-2'].map((n) => [n, JSON.parse(fs.readFileSync(path.join(outdir, `${n}.template.json`), 'utf8'))]));
});

function pipelineStages(stack: string): { Name: string; Actions: Action[] }[] {
  const pipeline = Object.values(templates[stack].Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline')!;
  return pipeline.Properties.Stages;
}

function buildCommands(stack: string, action: Action): string {
  const projectRef = action.Configuration!.ProjectName.Ref as string;
  const spec = JSON.parse(templates[stack].Resources[projectRef].Properties.Source.BuildSpec);
  return JSON.stringify(spec.phases);
}

describe('delivery stacks of the example tenants', () => {
  test('one pipeline per region with tenants, in the delivery account and region of delivery.json', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    for (const name of ['CellkitDelivery-eu-west-2', 'CellkitDelivery-ap-southeast-2']) {
      expect(manifest.artifacts[name].environment).toBe('aws://999999999999/eu-west-2');
    }
  });

  test('source from the company repository through the CodeConnections connection', () => {
    const [source] = pipelineStages('CellkitDelivery-eu-west-2');
    expect(source.Actions[0].ActionTypeId).toMatchObject({ Category: 'Source', Provider: 'CodeStarSourceConnection' });
    expect(source.Actions[0].Configuration).toMatchObject({ ConnectionArn: config.source.connectionArn, FullRepositoryId: 'example-org/cellkit-fleet', BranchName: 'main' });
  });

  test('the synth step runs the CI gate for its tenants (nag packs, evidence) and keeps the evidence as an artifact; then self-update', () => {
    const stages = pipelineStages('CellkitDelivery-eu-west-2');
    expect(stages.slice(0, 4).map((s) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets']);
    const synth = stages[1].Actions[0] as Action & { OutputArtifacts: { Name: string }[] };
    const commands = buildCommands('CellkitDelivery-eu-west-2', synth);
    expect(commands).toContain('npx cdk synth -q -c pipeline=CellkitDelivery-eu-west-2 -o cdk.out.cells');
    expect(commands).toContain('cellkit.ts evidence --cdk-out cdk.out.cells --out evidence');
    expect(commands).toContain('npx cdk synth -q -c delivery=CellkitDelivery-eu-west-2 -c gated=cdk.out.cells');
    expect(synth.OutputArtifacts).toHaveLength(3); // cdk.out, evidence, and the gated assembly for the preflight
  });

  test('every wave: (approval if enterprise) -> preflight -> change set -> deploy -> record, in that order', () => {
    for (const [stack, tenant, approval] of [['CellkitDelivery-eu-west-2', 'contoso', false], ['CellkitDelivery-ap-southeast-2', 'northwind', true]] as const) {
      const wave = pipelineStages(stack)[4];
      const order = Object.fromEntries(wave.Actions.map((a) => [a.Name, a.RunOrder]));
      const preflight = order.Preflight;
      expect(order[`Cell-${tenant}.Prepare`]).toBeGreaterThan(preflight);
      expect(order[`Cell-${tenant}.Deploy`]).toBeGreaterThan(order[`Cell-${tenant}.Prepare`]);
      expect(order.Record).toBeGreaterThan(order[`Cell-${tenant}.Deploy`]);
      if (approval) expect(order.ApproveEnterprise).toBeLessThan(preflight);
      else expect(order.ApproveEnterprise).toBeUndefined();
      const commands = buildCommands(stack, wave.Actions.find((a) => a.Name === 'Preflight')!);
      const t = registry.tenants.find((x) => x.id === tenant)!;
      expect(commands).toContain(`bash lib/delivery/scripts/preflight.sh ${tenant}:${t.spec.account}:${t.pin.region}`);
    }
  });

  test("the preflight and record steps may assume only their wave's read-only CDK lookup roles", () => {
    const policies = Object.values(templates['CellkitDelivery-ap-southeast-2'].Resources).filter((r) => r.Type === 'AWS::IAM::Policy');
    const assumes = policies.flatMap((p) => p.Properties.PolicyDocument.Statement).filter((s: any) => JSON.stringify(s.Resource ?? '').includes('lookup-role'));
    expect(assumes.length).toBeGreaterThanOrEqual(2);
    for (const s of assumes) {
      expect(s.Action).toBe('sts:AssumeRole');
      expect(s.Resource).toBe('arn:aws:iam::111111111111:role/cdk-hnb659fds-lookup-role-111111111111-ap-southeast-2');
    }
  });

  test('each stage deploys the gated template unchanged (same logical IDs and properties) and its assets under the same hashes', () => {
    for (const t of registry.tenants) {
      const name = cellStackName(t.id);
      const stageDir = fs.readdirSync(outdir).find((d) => d.endsWith(`Tenant-${t.id}`))!;
      const templateFile = fs.readdirSync(path.join(outdir, stageDir)).find((f) => f.endsWith('.template.json'))!;
      const deployed = JSON.parse(fs.readFileSync(path.join(outdir, stageDir, templateFile), 'utf8'));
      const gatedTemplate = JSON.parse(fs.readFileSync(path.join(gated, `${name}.template.json`), 'utf8'));
      expect(canonicalJson(deployed)).toBe(canonicalJson(gatedTemplate));
      const assets = (dir: string, file: string) => Object.entries(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')).files).filter(([, a]: [string, any]) => a.source.packaging === 'zip').map(([h]) => h).sort();
      expect(assets(path.join(outdir, stageDir), templateFile.replace('.template.json', '.assets.json'))).toEqual(assets(gated, `${name}.assets.json`));
      const stack = JSON.parse(fs.readFileSync(path.join(outdir, stageDir, 'manifest.json'), 'utf8')).artifacts;
      const artifact = Object.values(stack).find((a: any) => a.type === 'aws:cloudformation:stack') as any;
      expect(artifact.properties.stackName).toBe(name);
      expect(artifact.environment).toBe(`aws://${t.spec.account}/${t.pin.region}`);
    }
  });

  test('a tenant missing from the gated assembly is refused with a clear message', () => {
    const app = new App({ outdir: path.join(work, 'refused.out'), builtinCloudFormationValidation: false });
    const [plan] = planDelivery(registry.tenants, config, registry.regions.codes);
    expect(() => new DeliveryStack(app, plan.name, { config, plan, cellkitVersion: '0', gatedAssembly: path.join(work, 'empty') })).toThrow(
      /tenant "contoso": no gated template in .*empty \(missing Cell-contoso.template.json or Cell-contoso.assets.json\); run `npx cdk synth -c pipeline=<name>/,
    );
  });

  test('the wave scripts pass shellcheck', () => {
    const scripts = ['preflight.sh', 'record.sh'].map((s) => path.join(REPO_ROOT, 'lib/delivery/scripts', s));
    expect(() => execFileSync('shellcheck', ['--severity=style', ...scripts], { encoding: 'utf8' })).not.toThrow();
  });
});
