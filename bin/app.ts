#!/usr/bin/env node
// The CDK app: the only place that reads context. `-c tenant=<id>` builds one tenant,
// `-c shard=<i>/<n>` one of n balanced shards, no context builds every tenant.
// `-c cfn-validation=true` adds CDK's built-in CloudFormation schema validation to this synth.
import * as path from 'path';
import { App, CloudFormationValidatePlugin, Validations } from 'aws-cdk-lib';
import { CellStack, cellStackName } from '../lib/cell/cell-stack';
import { nagPacks } from '../lib/compliance/nag-packs';
import { CellkitConfigError } from '../lib/registry/errors';
import { TenantRegistry, registryPaths } from '../lib/registry/registry';
import { version } from '../package.json';

// CDK's built-in CloudFormation validation costs ~4 s per synth plus ~0.4 s per tenant, and every
// tenant of a shape has the same template structure: `npm test` runs it on every shape instead.
const app = new App({ builtinCloudFormationValidation: false });
const context = (key: string): string | undefined => {
  const v = app.node.tryGetContext(key);
  return v === undefined ? undefined : String(v);
};

try {
  // Everything is validated before the first construct exists, so bad input writes no template.
  const registry = TenantRegistry.load(registryPaths(context('registry') ?? path.resolve(__dirname, '..')));
  for (const tenant of registry.select(context('tenant'), context('shard'))) {
    new CellStack(app, cellStackName(tenant.id), { tenant, cellkitVersion: version, allowedRegions: registry.regions.codes });
  }
} catch (e) {
  if (!(e instanceof CellkitConfigError)) throw e;
  process.stderr.write(`cellkit: refusing to synthesize: ${e.message}\n`);
  process.exit(1);
}
Validations.of(app).addPlugins(...nagPacks(app));
if (context('cfn-validation') === 'true') Validations.of(app).addPlugins(new CloudFormationValidatePlugin());
