#!/usr/bin/env node
// Where one app process spends its time: bin/app.ts's steps, timed one by one (wall and CPU).
// Usage: node bin/run-ts.js bench/phases.ts <registry dir> [tenant id]   (no tenant: the whole registry)
// Try a setting: CDK_CONTEXT_JSON='{"@aws-cdk/core:enableAdditionalMetadataCollection":false}'.
// Modules are required lazily, inside the timed phases.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const [registryDir, tenantId] = process.argv.slice(2);
if (!registryDir) {
  process.stderr.write('usage: node bin/run-ts.js bench/phases.ts <registry dir> [tenant id]\n');
  process.exit(2);
}

const phases: { phase: string; wallMs: number; cpuMs: number }[] = [{ phase: 'node start + TypeScript runner', wallMs: performance.now(), cpuMs: cpuMs() }];
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
function timed<T>(phase: string, fn: () => T): T {
  const [w, c] = [performance.now(), cpuMs()];
  const result = fn();
  phases.push({ phase, wallMs: performance.now() - w, cpuMs: cpuMs() - c });
  return result;
}

const cdk = timed('require aws-cdk-lib (core)', () => require('aws-cdk-lib') as typeof import('aws-cdk-lib'));
const { CellStack, cellStackName } = timed('require lib/cell (construct modules)', () => require('../lib/cell/cell-stack') as typeof import('../lib/cell/cell-stack'));
const { nagPacks } = timed('require cdk-nag', () => require('../lib/compliance/nag-packs') as typeof import('../lib/compliance/nag-packs'));
const { TenantRegistry, registryPaths } = require('../lib/registry/registry') as typeof import('../lib/registry/registry');

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-phases-'));
// cdk.json's feature flags, as the CLI passes them; CDK_CONTEXT_JSON (read by App) may add or override keys.
const { context } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
// As bin/app.ts builds it: no built-in validation, no creation stack traces.
const app = new cdk.App({ outdir, context: { ...context, 'aws:cdk:disable-creation-stack-traces': true }, builtinCloudFormationValidation: false, stackTraces: false });
const registry = timed('registry load + validation', () => TenantRegistry.load(registryPaths(registryDir)));
const tenants = registry.select(tenantId);
timed(`construct ${tenants.length} stack(s)`, () => {
  for (const tenant of tenants) new CellStack(app, cellStackName(tenant.id), { tenant, cellkitVersion: '0.0.0-bench', allowedRegions: registry.regions.codes });
});
const packs = nagPacks(app);
let nagWall = 0;
let nagCpu = 0;
for (const pack of packs) {
  const validate = pack.validate.bind(pack);
  pack.validate = (context) => {
    const [w, c] = [performance.now(), cpuMs()];
    try {
      return validate(context);
    } finally {
      nagWall += performance.now() - w;
      nagCpu += cpuMs() - c;
    }
  };
}
// The Control Tower gate runs cfn-guard in child processes: their CPU is read from /proc (cutime + cstime).
const { controlTowerValidator } = require('../lib/compliance/control-tower') as typeof import('../lib/compliance/control-tower');
const { cellTemplateIdentity } = require('../lib/cell/cell-identity') as typeof import('../lib/cell/cell-identity');
const gate = controlTowerValidator({ identities: tenants.map(cellTemplateIdentity) });
const childCpuMs = () => {
  const f = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) * 10;
};
let ctWall = 0;
let ctCpu = 0;
let ctChildCpu = 0;
const validateCt = gate.validate.bind(gate);
gate.validate = (context) => {
  const [w, c, cc] = [performance.now(), cpuMs(), childCpuMs()];
  try {
    return validateCt(context);
  } finally {
    ctWall += performance.now() - w;
    ctChildCpu += childCpuMs() - cc;
    ctCpu += cpuMs() - c + childCpuMs() - cc;
  }
};
cdk.Validations.of(app).addPlugins(...packs, gate);
let failed = '';
timed('app.synth() (aspects, templates, assets, nag, Control Tower)', () => {
  try {
    app.synth();
  } catch (e) {
    failed = e instanceof Error ? e.message.slice(0, 500) : String(e);
  }
});
const synth = phases[phases.length - 1];
phases.splice(
  phases.length - 1,
  1,
  { phase: '  of which synth without the gate', wallMs: synth.wallMs - nagWall - ctWall, cpuMs: synth.cpuMs - nagCpu - (ctCpu - ctChildCpu) },
  { phase: '  of which nag (4 packs)', wallMs: nagWall, cpuMs: nagCpu },
  { phase: '  of which Control Tower (incl. cfn-guard child CPU)', wallMs: ctWall, cpuMs: ctCpu },
);
fs.rmSync(outdir, { recursive: true, force: true });

const total = performance.now();
process.stdout.write(`| Phase | Wall (ms) | CPU (ms) | Share of wall |\n|---|---|---|---|\n`);
for (const p of phases) process.stdout.write(`| ${p.phase} | ${p.wallMs.toFixed(0)} | ${p.cpuMs.toFixed(0)} | ${((100 * p.wallMs) / total).toFixed(0)}% |\n`);
process.stdout.write(`| total (process) | ${total.toFixed(0)} | ${cpuMs().toFixed(0)} | 100% |\n`);
if (failed) {
  process.stderr.write(`phases: synth failed: ${failed}\n`);
  process.exit(1);
}
