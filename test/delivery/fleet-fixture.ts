// A generated fleet for delivery tests: the benchmark's registry generator plus a stand-in gated assembly.
// A delivery pipeline's structure (stages, actions, IAM, template size) depends on each cell stack's name,
// account, region and file assets, not on the cell's resources; so each stand-in template holds one resource
// and the asset manifest lists the same two zip assets (region guard, default-SG provider) a real cell has.
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { cellStackName } from '../../lib/cell/cell-stack';
import { DeliveryConfig, deliveryConfigSchema } from '../../lib/delivery/delivery-config';
import { DeliveryStack } from '../../lib/delivery/delivery-stack';
import { planDelivery, PlannedPipeline } from '../../lib/delivery/waves';
import { Tenant, TenantRegistry, registryPaths } from '../../lib/registry/registry';
import { writeRegistry } from '../../bench/fleet';

export const STAND_IN_ASSETS = ['b5d18185e623b076827c26feea71514dc7c40d5cc6ca7ed1eaf2d507fdbdab64', 'f178182c7c3aac6ad18bdaae53a2d38f72b2cf690d17b9efa635c7ce37f77d71'];

export function exampleConfig(overrides: Partial<DeliveryConfig> = {}, registry?: TenantRegistry): DeliveryConfig {
  const regions = registry?.regions ?? TenantRegistry.load(registryPaths(path.resolve(__dirname, '../..'))).regions;
  return {
    ...deliveryConfigSchema(regions).parse({
      account: '999999999999',
      region: 'eu-west-2',
      source: { repository: 'example-org/cellkit-fleet', branch: 'main', connectionArn: 'arn:aws:codeconnections:eu-west-2:999999999999:connection/00000000-0000-4000-8000-000000000000' },
    }),
    ...overrides,
  };
}

/** Writes a stand-in gated assembly for the tenants into `dir`. */
export function writeStandInAssembly(dir: string, tenants: readonly Tenant[]): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const hash of STAND_IN_ASSETS) {
    fs.mkdirSync(path.join(dir, `asset.${hash}`), { recursive: true });
    fs.writeFileSync(path.join(dir, `asset.${hash}`, 'index.js'), 'exports.handler = async () => ({});\n');
  }
  for (const t of tenants) {
    const name = cellStackName(t.id);
    const template = { Description: `stand-in cell of ${t.id}`, Resources: { Topic: { Type: 'AWS::SNS::Topic' } } };
    fs.writeFileSync(path.join(dir, `${name}.template.json`), JSON.stringify(template));
    const files = Object.fromEntries(STAND_IN_ASSETS.map((hash) => [hash, { source: { path: `asset.${hash}`, packaging: 'zip' }, destinations: {} }]));
    fs.writeFileSync(path.join(dir, `${name}.assets.json`), JSON.stringify({ version: '55.0.0', files }));
  }
}

export interface SynthesizedDelivery {
  readonly plan: PlannedPipeline[];
  readonly outdir: string;
  readonly templates: Map<string, { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> }>;
  readonly templateBytes: Map<string, number>;
}

/** Generates a registry of `count` tenants, a stand-in gated assembly, and synthesizes every delivery stack. */
export function synthesizeFleetDelivery(count: number, config?: Partial<DeliveryConfig>): SynthesizedDelivery {
  const root = writeRegistry(count);
  const registry = TenantRegistry.load(registryPaths(root));
  const gated = path.join(root, 'gated.out');
  writeStandInAssembly(gated, registry.tenants);
  const plan = planDelivery(registry.tenants, exampleConfig(config, registry), registry.regions.codes);
  const outdir = path.join(root, 'cdk.out');
  const app = new App({ outdir, analyticsReporting: false, builtinCloudFormationValidation: false, stackTraces: false, context: { 'aws:cdk:enable-path-metadata': false } });
  for (const p of plan) new DeliveryStack(app, p.name, { config: exampleConfig(config, registry), plan: p, cellkitVersion: '0.0.0-test', gatedAssembly: gated });
  app.synth();
  const templates = new Map();
  const templateBytes = new Map<string, number>();
  for (const p of plan) {
    const file = path.join(outdir, `${p.name}.template.json`);
    const text = fs.readFileSync(file, 'utf8');
    templates.set(p.name, JSON.parse(text));
    templateBytes.set(p.name, Buffer.byteLength(text));
  }
  return { plan, outdir, templates, templateBytes };
}
