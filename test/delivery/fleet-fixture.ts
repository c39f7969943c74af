// A generated fleet for delivery tests: the benchmark's registry generator plus a stand-in gated assembly
// (bench/delivery-fleet.ts says why a stand-in is faithful for the pipeline's structure).
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { DeliveryConfig, deliveryConfigSchema } from '../../lib/delivery/delivery-config';
import { DeliveryStack } from '../../lib/delivery/delivery-stack';
import { planDelivery, PlannedPipeline } from '../../lib/delivery/waves';
import { TenantRegistry, registryPaths } from '../../lib/registry/registry';
import { writeRegistry } from '../../bench/fleet';
import { writeStandInAssembly } from '../../bench/delivery-fleet';

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
