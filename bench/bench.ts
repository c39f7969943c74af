#!/usr/bin/env node
// `npm run bench`: times whole `cdk synth` processes (CLI + app, as engineers and CI run them) and
// compares ratios measured in the same run against the targets of issue 7. See the README "Performance".
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command, InvalidArgumentError } from 'commander';
import { workerCount } from '../lib/fleet/parallel-synth';
import { loadDeliveryConfig } from '../lib/delivery/delivery-config';
import { planDelivery } from '../lib/delivery/waves';
import { TenantRegistry, registryPaths } from '../lib/registry/registry';
import { writeDeliveryConfig, writeStandInAssembly } from './delivery-fleet';
import { BENCH_TENANT, REPO_ROOT, writeRegistry } from './fleet';
import { ProcessRun, measure } from './measure';

const CFN_MAX_RESOURCES = 500;
const CFN_MAX_TEMPLATE_BYTES = 1_000_000;
const MAX_PEAK_BYTES = 4 * 1024 ** 3;
const CDK = path.join(REPO_ROOT, 'node_modules/.bin/cdk');
const TENANT_APP = 'bin/app.ts';
const FLOOR_APP = 'bench/floor/app.ts';

interface Options {
  runs: number;
  fleet: number[];
  fleetRuns: number;
  registered: number;
  /** Tenants whose delivery pipelines are synthesized (0: none). */
  delivery: number;
  quick: boolean;
  check: boolean;
  keep: boolean;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number >= 1; got "${value}"`);
  return n;
}

function fleetSizes(value: string): number[] {
  return value === 'none' ? [] : value.split(',').map((v) => positiveInt(v.trim()));
}

function parseOptions(): Options {
  const cmd = new Command('bench')
    .description('Times whole `cdk synth` runs of cellkit against a one-resource CDK app and checks the performance targets.')
    .option('--runs <n>', 'timed runs per single-tenant scenario (median reported)', positiveInt)
    .option('--fleet <sizes>', 'comma-separated fleet sizes to synthesize whole, or "none"', fleetSizes)
    .option('--fleet-runs <n>', 'timed runs per fleet size', positiveInt, 1)
    .option('--registered <n>', 'registered tenants for the "one of many" scenario', positiveInt, 1000)
    .option('--delivery <n>', 'tenants whose delivery pipelines are synthesized (cdk synth -c delivery=all), or "none"', (v: string) => (v === 'none' ? 0 : positiveInt(v)))
    .option('--quick', 'smoke run in about 3 minutes: 2 runs, a fleet of 20 (fleet targets are skipped)', false)
    .option('--check', 'exit 1 if a target fails (default: report only, exit 0)', false)
    .option('--keep', 'keep the generated registries and cdk.out folders in the temp dir', false)
    .parse();
  const o = cmd.opts<{
    runs?: number; fleet?: number[]; fleetRuns: number; registered: number; delivery?: number; quick: boolean; check: boolean; keep: boolean;
  }>();
  return { ...o, runs: o.runs ?? (o.quick ? 2 : 5), fleet: o.fleet ?? (o.quick ? [20] : [100, 500]), delivery: o.delivery ?? (o.quick ? 0 : 1000) };
}

/** The environment of an offline synth: no AWS credentials or defaults, no CLI telemetry. */
function synthEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' };
  for (const k of Object.keys(env)) if (k.startsWith('AWS_') || k.startsWith('CDK_DEFAULT_')) delete env[k];
  return env;
}

interface TemplateStats {
  readonly stacks: number;
  readonly maxResources: number;
  readonly maxResourcesStack: string;
  readonly maxBytes: number;
  readonly maxBytesStack: string;
}

function templateStats(outdir: string): TemplateStats {
  let stats: TemplateStats = { stacks: 0, maxResources: 0, maxResourcesStack: '', maxBytes: 0, maxBytesStack: '' };
  for (const file of fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'))) {
    const text = fs.readFileSync(path.join(outdir, file), 'utf8');
    const stack = file.replace(/\.template\.json$/, '');
    const resources = Object.keys(JSON.parse(text).Resources ?? {}).length;
    const bytes = Buffer.byteLength(text);
    stats = {
      stacks: stats.stacks + 1,
      ...(resources > stats.maxResources
        ? { maxResources: resources, maxResourcesStack: stack }
        : { maxResources: stats.maxResources, maxResourcesStack: stats.maxResourcesStack }),
      ...(bytes > stats.maxBytes ? { maxBytes: bytes, maxBytesStack: stack } : { maxBytes: stats.maxBytes, maxBytesStack: stats.maxBytesStack }),
    };
  }
  return stats;
}

interface Scenario {
  readonly name: string;
  readonly app: string;
  readonly registry: string;
  readonly tenant?: string;
  /** Extra environment for the synth, e.g. CDK_VALIDATION=false. */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra context, e.g. the delivery pipelines instead of cells. */
  readonly context?: Readonly<Record<string, string>>;
  /** Templates a successful run must write. */
  readonly stacks: number;
}

interface Sample extends ProcessRun {
  readonly templates: TemplateStats;
}

interface ScenarioResult {
  readonly scenario: Scenario;
  readonly samples: Sample[];
  readonly errors: string[];
}

async function synth(s: Scenario, keep: boolean): Promise<Sample> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-bench-out-'));
  const args = ['synth', '-q', '--no-notices', '-o', outdir, '-c', `registry=${s.registry}`, ...(s.tenant ? ['-c', `tenant=${s.tenant}`] : []), ...Object.entries(s.context ?? {}).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  // The floor replaces only the app command; cdk.json's context (feature flags) applies to both.
  if (s.app !== TENANT_APP) args.push('--app', `node bin/run-ts.js ${s.app}`);
  const run = await measure(CDK, args, { cwd: REPO_ROOT, env: { ...synthEnv(), ...s.env }, appMarker: s.app });
  const templates = templateStats(outdir);
  if (!keep) fs.rmSync(outdir, { recursive: true, force: true });
  return { ...run, templates };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function runScenario(result: ScenarioResult, keep: boolean): Promise<void> {
  const { scenario } = result;
  const sample = await synth(scenario, keep);
  const wrote = sample.templates.stacks;
  if (sample.exitCode !== 0 || wrote !== scenario.stacks) {
    result.errors.push(`exit ${sample.exitCode}, ${wrote} of ${scenario.stacks} templates written:\n${sample.stderrTail.trim()}`);
  } else {
    result.samples.push(sample);
  }
  process.stderr.write(`  ${scenario.name}: ${(sample.wallMs / 1000).toFixed(1)} s${sample.exitCode === 0 ? '' : ' FAILED'}\n`);
}

const wallS = (r: ScenarioResult) => (r.samples.length ? median(r.samples.map((s) => s.wallMs)) / 1000 : NaN);
const maxOf = (xs: readonly number[]) => (xs.length ? Math.max(...xs) : NaN);
const peakMiB = (r: ScenarioResult, key: keyof ProcessRun['memory']) => maxOf(r.samples.map((s) => s.memory[key])) / 1024;
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');

interface Target {
  readonly target: string;
  readonly measured: string;
  readonly limit: string;
  readonly result: 'PASS' | 'FAIL' | 'SKIP';
}

function target(name: string, value: number, limit: number, show: (n: number) => string, limitText: string): Target {
  const result = !Number.isFinite(value) ? 'SKIP' : value <= limit ? 'PASS' : 'FAIL';
  return { target: name, measured: Number.isFinite(value) ? show(value) : 'not measured', limit: limitText, result };
}

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function machine() {
  const version = (pkg: string) => JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version as string;
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    if (execFileSync('git', ['status', '--porcelain', '--', 'bin', 'lib'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim()) commit += '+dirty';
  } catch {
    // not a git checkout
  }
  return {
    date: new Date().toISOString(),
    cpu: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    cdkCli: version('aws-cdk'),
    awsCdkLib: version('aws-cdk-lib'),
    cdkNag: version('cdk-nag'),
    commit,
    loadAverageAtStart: os.loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

async function main(): Promise<number> {
  const opts = parseOptions();
  const started = Date.now();
  const host = machine();
  process.stderr.write(`bench: generating registries (1, ${opts.registered}${opts.fleet.map((n) => `, ${n}`).join('')} tenants)\n`);
  const registries = new Map<number, string>();
  for (const n of [1, opts.registered, ...opts.fleet, ...(opts.delivery ? [opts.delivery] : [])]) if (!registries.has(n)) registries.set(n, writeRegistry(n));
  const one = registries.get(1)!;

  const fresh = (scenario: Scenario): ScenarioResult => ({ scenario, samples: [], errors: [] });
  const floor = fresh({ name: 'floor: one-resource CDK app', app: FLOOR_APP, registry: one, tenant: BENCH_TENANT, stacks: 1 });
  // Like for like: cellkit's app leaves CDK's built-in CloudFormation validation to `npm test`.
  const bareFloor = fresh({ name: 'floor without built-in CloudFormation validation', app: FLOOR_APP, registry: one, tenant: BENCH_TENANT, stacks: 1, env: { CDK_VALIDATION: 'false' } });
  const single = fresh({ name: 'one tenant of 1 (4 nag packs)', app: TENANT_APP, registry: one, tenant: BENCH_TENANT, stacks: 1 });
  const ofMany = fresh({ name: `one tenant of ${opts.registered}`, app: TENANT_APP, registry: registries.get(opts.registered)!, tenant: BENCH_TENANT, stacks: 1 });
  // As `cdk synth` runs a fleet by default: one worker process per CPU (lib/fleet/parallel-synth.ts).
  const fleets = opts.fleet.map((n) => fresh({ name: `fleet of ${n} (${workerCount(undefined, n, os.availableParallelism())} workers)`, app: TENANT_APP, registry: registries.get(n)!, stacks: n }));

  // The delivery pipelines of a generated fleet, built from a stand-in gated assembly (bench/delivery-fleet.ts).
  const deliveries = opts.delivery ? [deliveryScenario(registries.get(opts.delivery)!, opts.delivery)].map(fresh) : [];

  try {
    // Warm the transpile and V8 code caches and the page cache; not counted.
    process.stderr.write('bench: warm-up\n');
    await runScenario(fresh(floor.scenario), opts.keep);
    await runScenario(fresh(single.scenario), opts.keep);
    // Interleaved and rotated, so drift in machine load hits every scenario alike.
    const rounds = [floor, bareFloor, single, ofMany];
    for (let r = 0; r < opts.runs; r++) {
      process.stderr.write(`bench: round ${r + 1} of ${opts.runs}\n`);
      for (let i = 0; i < rounds.length; i++) await runScenario(rounds[(i + r) % rounds.length], opts.keep);
    }
    for (const fleet of [...fleets, ...deliveries]) {
      for (let r = 0; r < opts.fleetRuns; r++) await runScenario(fleet, opts.keep);
    }
  } finally {
    if (!opts.keep) for (const dir of registries.values()) fs.rmSync(dir, { recursive: true, force: true });
  }

  const all = [floor, bareFloor, single, ofMany, ...fleets, ...deliveries];
  const oneS = wallS(single);
  const largest = fleets.find((f) => f.scenario.stacks === 500);
  const treeMiB = (r: ScenarioResult) => peakMiB(r, 'sumOfPeaksKb');
  const targets: Target[] = [
    target('one tenant <= 1.5x floor', oneS / wallS(floor), 1.5, (n) => `${f2(n)}x`, '1.5x'),
    target('one tenant <= 1.5x floor without built-in validation (like for like)', oneS / wallS(bareFloor), 1.5, (n) => `${f2(n)}x`, '1.5x'),
    target(`one of ${opts.registered} <= 1.1x one of 1`, wallS(ofMany) / oneS, 1.1, (n) => `${f2(n)}x`, '1.1x'),
    target('fleet of 500 <= 25x one tenant', largest ? wallS(largest) / oneS : NaN, 25, (n) => `${f1(n)}x`, '25x'),
    target('fleet of 500 peak memory < 4 GiB', largest ? treeMiB(largest) * 1024 ** 2 : NaN, MAX_PEAK_BYTES, (n) => `${f2(n / 1024 ** 3)} GiB`, '4 GiB (sum of process peaks)'),
  ];
  const withTemplates = all.filter((r) => r.samples.length && r.scenario.app === TENANT_APP);
  const maxResources = maxOf(withTemplates.map((r) => r.samples[0].templates.maxResources));
  const maxBytes = maxOf(withTemplates.map((r) => r.samples[0].templates.maxBytes));
  targets.push(
    target(`resources per stack <= ${CFN_MAX_RESOURCES}`, maxResources, CFN_MAX_RESOURCES, String, `${CFN_MAX_RESOURCES} (CloudFormation)`),
    target('template size <= 1 MB', maxBytes, CFN_MAX_TEMPLATE_BYTES, (n) => `${f1(n / 1000)} KB`, '1 MB (CloudFormation)'),
  );

  const [first, last] = [fleets[0], fleets[fleets.length - 1]];
  const marginal = fleets.length >= 2 ? (wallS(last) - wallS(first)) / (last.scenario.stacks - first.scenario.stacks) : NaN;
  const timing = table(
    ['Scenario', 'Runs', 'Median wall (s)', 'Range (s)', 'x one tenant', 'Per tenant (s)', 'App peak RSS (MiB)', 'CLI peak RSS (MiB)', 'Tree peak RSS (MiB)'],
    all.map((r) => {
      const walls = r.samples.map((s) => s.wallMs / 1000);
      return [
        r.scenario.name,
        `${r.samples.length}${r.errors.length ? ` (+${r.errors.length} failed)` : ''}`,
        f1(wallS(r)),
        walls.length ? `${f1(Math.min(...walls))}-${f1(Math.max(...walls))}` : 'n/a',
        f2(wallS(r) / oneS),
        r.scenario.stacks > 1 ? f2(wallS(r) / r.scenario.stacks) : '',
        f1(peakMiB(r, 'appKb')),
        f1(peakMiB(r, 'cliKb')),
        `${f1(peakMiB(r, 'treeSampledKb'))}-${f1(treeMiB(r))}`,
      ];
    }),
  );
  const sizes = table(
    ['Synth', 'Stacks', 'Max resources (stack)', 'Max template KB (stack)'],
    withTemplates.map((r) => {
      const t = r.samples[0].templates;
      return [r.scenario.name, String(t.stacks), `${t.maxResources} (${t.maxResourcesStack})`, `${f1(t.maxBytes / 1000)} (${t.maxBytesStack})`];
    }),
  );
  const verdicts = table(['Target', 'Measured', 'Limit', 'Result'], targets.map((t) => [t.target, t.measured, t.limit, t.result]));
  const minutes = (Date.now() - started) / 60000;
  process.stdout.write(
    [
      `## cellkit synth benchmark, ${host.date}`,
      '',
      `${host.cpu}, ${host.memoryGiB} GiB, ${host.os}; Node ${host.node}, CDK CLI ${host.cdkCli}, aws-cdk-lib ${host.awsCdkLib}, cdk-nag ${host.cdkNag}; commit ${host.commit}; load average at start ${host.loadAverageAtStart}; took ${f1(minutes)} min.`,
      '',
      timing,
      '',
      `Wall: whole \`cdk synth -q\` process (CLI + app), median. Per tenant: wall / tenants${Number.isFinite(marginal) ? `; marginal between the fleets: ${f2(marginal)} s per tenant` : ''}.`,
      'Memory: peak RSS (VmHWM) of the app process and of the CLI process; tree: sampled peak of the summed RSS - sum of every process peak (lower - upper bound).',
      '',
      sizes,
      '',
      verdicts,
      '',
    ].join('\n'),
  );
  const errors = all.flatMap((r) => r.errors.map((e) => `${r.scenario.name}: ${e}`));
  for (const e of errors) process.stderr.write(`bench: synth failed: ${e}\n`);

  const resultsDir = path.join(REPO_ROOT, 'bench', 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `bench-${host.date.replace(/[:.]/g, '-')}.json`);
  const scenarios = all.map((r) => ({ ...r.scenario, medianWallS: wallS(r), samples: r.samples, errors: r.errors }));
  const json = { machine: host, options: opts, minutes, marginalPerTenantS: marginal, targets, scenarios };
  fs.writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  process.stderr.write(`bench: wrote ${path.relative(REPO_ROOT, file)}\n`);

  if (errors.length) return 1;
  return opts.check && targets.some((t) => t.result === 'FAIL') ? 1 : 0;
}

/** `cdk synth -c delivery=all` for a generated registry: delivery.json and a stand-in gated assembly in its root. */
function deliveryScenario(root: string, tenants: number): Scenario {
  writeDeliveryConfig(root);
  const registry = TenantRegistry.load(registryPaths(root));
  const gated = path.join(root, 'gated.out');
  writeStandInAssembly(gated, registry.tenants);
  const config = loadDeliveryConfig(path.join(root, 'delivery.json'), registry.regions, registry.tenants.map((t) => t.id));
  const plan = planDelivery(registry.tenants, config, registry.regions.codes);
  // Each pipeline's stack, plus CDK Pipelines' cross-region support stack per other region it deploys to.
  const supportStacks = new Set(plan.map((p) => p.region).filter((r) => r !== config.region)).size;
  return { name: `delivery of ${tenants} tenants (${plan.length} pipelines)`, app: TENANT_APP, registry: root, context: { delivery: 'all', gated }, stacks: plan.length + supportStacks };
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
