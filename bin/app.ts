#!/usr/bin/env node
// The CDK app: the only place that reads context. `-c tenant=<id>` builds one tenant,
// `-c shard=<i>/<n>` one of n balanced shards, no context builds every tenant.
// `-c workers=<n>` sets how many processes synthesize a fleet (default: one per CPU, or per CPU of the
// container's cgroup quota, with at least 8 tenants each).
// `-c cfn-validation=true` adds CDK's built-in CloudFormation schema validation to this synth.
// `-c tree=true|false` writes cdk.out/tree.json or not (default: only for `-c tenant=` and `-c delivery=`).
// `-c pipeline=<name>` builds the cells of one delivery pipeline; `-c delivery=<name>|all` builds the delivery
// pipelines themselves (delivery.json; docs/delivery.md) instead of cells.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CloudFormationValidatePlugin, Validations } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { CellStack, cellStackName } from '../lib/cell/cell-stack';
import { controlTowerValidator } from '../lib/compliance/control-tower';
import { cellTemplateIdentity } from '../lib/cell/cell-identity';
import { nagPacks } from '../lib/compliance/nag-packs';
import { AssemblyLayoutError, ParallelSynthError, WORKER_ENV, cgroupCpuLimit, parseWorker, synthesizeInWorkers, workerCount, workerShare } from '../lib/fleet/parallel-synth';
import { DELIVERY_FILE, GATED_ASSEMBLY, loadDeliveryConfig } from '../lib/delivery/delivery-config';
import { DeliveryStack } from '../lib/delivery/delivery-stack';
import { planDelivery } from '../lib/delivery/waves';
import { CellkitConfigError } from '../lib/registry/errors';
import { TenantRegistry, registryPaths } from '../lib/registry/registry';
import { version } from '../package.json';

// CDK's built-in CloudFormation validation costs ~4 s per synth plus ~0.4 s per tenant, and every
// tenant of a shape has the same template structure: `npm test` runs it on every shape instead.
// Creation stack traces in cdk.out cost ~7% of a fleet synth; `cdk synth --debug-app` (CDK_DEBUG) records them.
// Synthesized explicitly below: a parallel fleet synth writes the assembly from its workers instead.
// Context (cdk.json, -c, CDK_CONTEXT_JSON) is read through an App that is never synthesized: the App that is
// must know when it is created whether it writes tree.json. The construct tree of a fleet (91 MB for 500 cells)
// is held by every worker, merged by this process and read again by the CDK CLI, about 1 GiB in all; no cellkit
// command, CloudFormation or CDK deploy reads it, so only a synth of one tenant (or `-c tree=true`) writes it.
const debug = process.env.CDK_DEBUG === 'true';
const contextApp = new App({ autoSynth: false });
const context = (key: string): string | undefined => {
  const v = contextApp.node.tryGetContext(key);
  return v === undefined ? undefined : String(v);
};
const treeMetadata = context('tree') === undefined ? context('tenant') !== undefined || context('delivery') !== undefined : context('tree') === 'true';
const app = new App({ builtinCloudFormationValidation: false, stackTraces: debug, autoSynth: false, treeMetadata });
if (!debug) app.node.setContext(cxapi.DISABLE_CREATION_STACK_TRACES, true);

const CGROUP_CPU_MAX = '/sys/fs/cgroup/cpu.max';
function readIfPresent(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function refuse(e: unknown): never {
  if (!(e instanceof CellkitConfigError) && !(e instanceof ParallelSynthError)) throw e;
  process.stderr.write(`cellkit: refusing to synthesize: ${e.message}\n`);
  process.exit(1);
}

try {
  // Everything is validated before the first construct exists, so bad input writes no template.
  if (!['true', 'false', undefined].includes(context('tree'))) {
    throw new CellkitConfigError([`context "tree": got ${JSON.stringify(context('tree'))}; expected true (write cdk.out/tree.json) or false`]);
  }
  const root = context('registry') ?? path.resolve(__dirname, '..');
  const registry = TenantRegistry.load(registryPaths(root));
  const pipelineName = context('delivery') ?? context('pipeline');
  const config = pipelineName === undefined
    ? undefined
    : loadDeliveryConfig(path.join(root, DELIVERY_FILE), registry.regions, registry.tenants.map((t) => t.id));
  const plan = config && planDelivery(registry.tenants, config, registry.regions.codes);
  const pipelines = plan?.filter((p) => pipelineName === 'all' || p.name === pipelineName);
  if (pipelines && pipelines.length === 0) {
    throw new CellkitConfigError([`context "${context('delivery') ? 'delivery' : 'pipeline'}": no delivery pipeline "${pipelineName}"; the plan has: all, ${plan!.map((p) => p.name).join(', ')}`]);
  }
  const selected = context('pipeline') ? pipelines!.flatMap((p) => p.waves.flatMap((w) => w.tenants)) : registry.select(context('tenant'), context('shard'));
  // Vault is initialised during the deploy with the tenant's operator PGP keys: refuse, before any construct exists, a
  // tenant that names none (the VaultBootstrap construct refuses it too, for other callers).
  const keyless = selected.filter((t) => !t.spec.vault?.recoveryPgpKeys?.length);
  if (keyless.length) {
    throw new CellkitConfigError(keyless.map((t) => `tenant "${t.id}" (tenants/${t.id}.json): field "vault.recoveryPgpKeys" is missing or empty; Vault is initialised during the deploy and needs the operators' PGP public keys ("gpg --export KEYID | base64 -w0") to encrypt each recovery share to (docs/vault-bootstrap.md)`));
  }
  const worker = process.env[WORKER_ENV];
  // The manifest names tree.json only when this synth writes it: a copy from an earlier synth would describe other stacks.
  if (!treeMetadata && !worker) fs.rmSync(path.join(app.outdir, 'tree.json'), { force: true });
  const workers = worker ? 1 : workerCount(context('workers'), selected.length, Math.min(os.availableParallelism(), cgroupCpuLimit(readIfPresent(CGROUP_CPU_MAX)) ?? Infinity));
  if (context('delivery') !== undefined) {
    // The pipelines' own assembly: each holds its tenants' cells as stages; the nag gate ran on them in `-c pipeline=`.
    // Cells come from the gated assembly as synthesized; no second CDK::Metadata or path metadata is added to them.
    app.node.setContext(cxapi.ANALYTICS_REPORTING_ENABLED_CONTEXT, false);
    app.node.setContext(cxapi.PATH_METADATA_ENABLE_CONTEXT, false);
    const gatedAssembly = path.resolve(context('gated') ?? GATED_ASSEMBLY);
    for (const p of pipelines!) new DeliveryStack(app, p.name, { config: config!, plan: p, cellkitVersion: version, gatedAssembly });
    app.synth();
  } else {
    const synthesizeHere = (tenants: typeof selected) => {
      for (const tenant of tenants) new CellStack(app, cellStackName(tenant.id), { tenant, cellkitVersion: version, allowedRegions: registry.regions.codes });
      Validations.of(app).addPlugins(...nagPacks(app), controlTowerValidator({ identities: tenants.map(cellTemplateIdentity) }));
      if (context('cfn-validation') === 'true') Validations.of(app).addPlugins(new CloudFormationValidatePlugin());
      app.synth();
    };
    if (workers === 1) synthesizeHere(worker ? workerShare(selected, parseWorker(worker)) : selected);
    else {
      // This process only starts the workers (the same app command) and merges their assemblies; where their
      // layout is not what the merge knows (a newer CDK), it synthesizes here instead (docs/performance.md).
      synthesizeInWorkers({
        outdir: app.outdir,
        stacks: selected.map((t) => cellStackName(t.id)),
        workers,
        command: [process.execPath, path.join(__dirname, 'run-ts.js'), path.join(__dirname, 'app.ts')],
        env: process.env,
      })
        .catch((e: unknown) => {
          if (!(e instanceof AssemblyLayoutError)) throw e;
          process.stderr.write(`cellkit: ${e.message}; synthesizing in one process instead (-c workers=1 goes straight there)\n`);
          synthesizeHere(selected);
        })
        .catch(refuse);
    }
  }
} catch (e) {
  refuse(e);
}
