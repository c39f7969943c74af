#!/usr/bin/env node
// Measures cellkit's home-made machinery against what Node and npm offer (docs/performance.md, "Home-made
// machinery, measured"): the TypeScript runner and V8 code cache of bin/run-ts.js against tsx and Node's
// compile cache, per Node binary; and the fleet's worker merge against shards in separate processes.
// Variants are interleaved round by round, so a change in machine load hits all of them alike.
//
//   node bin/run-ts.js bench/machinery.ts app   --runs 5 --node <node> [--node <node>...] [--tsx <tsx/dist/cli.mjs>]
//   node bin/run-ts.js bench/machinery.ts cli   --runs 5 --node <node> [--tsx <tsx/dist/cli.mjs>]
//   node bin/run-ts.js bench/machinery.ts fleet --runs 5 --tenants 100
//
// `app` times the app process alone (`node bin/run-ts.js bin/app.ts`, as the CDK CLI spawns it, with cdk.json's
// context and one tenant); `cli` the whole `npx cdk synth -q -c tenant=contoso`. Each run reports its wall time
// and the CPU time of its whole process tree (GNU time): on a shared machine, CPU time is the steadier figure. "cold" runs start with
// empty caches, "warm" ones reuse caches filled by one run before the first round.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command, InvalidArgumentError } from 'commander';
import { REPO_ROOT, writeRegistry } from './fleet';

interface Variant {
  readonly name: string;
  /** Commands run at once; the variant's time is the wall time until the last one ends. */
  readonly commands: (scratch: () => string) => { cmd: string; args: string[]; env: NodeJS.ProcessEnv }[];
  /** A fresh cache dir per run (cold), or one dir reused by every run after a warm-up (warm). */
  readonly cold: boolean;
}

const TENANT = 'contoso';
/** Every cache, output and registry of this measurement; removed at exit. */
const ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-machinery-'));
process.on('exit', () => fs.rmSync(ROOT, { recursive: true, force: true }));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
const CONTEXT = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

/** Runs one command under GNU time; resolves to the CPU seconds (user + system) of it and every child it waited for. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const times = path.join(fs.mkdtempSync(path.join(ROOT, 'time-')), 'times');
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%U %S', '-o', times, cmd, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${stderr.slice(-2000)}`));
      const [user, system] = fs.readFileSync(times, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
      resolve(user + system);
    });
  });
}

/** Wall seconds until the variant's last command ends, and the CPU seconds of all of them. */
async function time(v: Variant, cacheDir: string): Promise<{ wall: number; cpu: number }> {
  const scratch = () => fs.mkdtempSync(path.join(ROOT, 'scratch-'));
  const started = performance.now();
  const cpus = await Promise.all(v.commands(() => (v.cold ? scratch() : cacheDir)).map((c) => run(c.cmd, c.args, c.env)));
  return { wall: (performance.now() - started) / 1000, cpu: cpus.reduce((a, b) => a + b, 0) };
}

/** Environment of one run: caches (ours, Node's and tsx's, which lives in TMPDIR) in `cache`, output in a temp dir. */
function baseEnv(cache: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CELLKIT_CACHE_DIR: path.join(cache, 'cellkit'), TMPDIR: path.join(cache, 'tmp'), CDK_DISABLE_CLI_TELEMETRY: 'true', ...extra };
  fs.mkdirSync(env.TMPDIR!, { recursive: true });
  delete env.NODE_COMPILE_CACHE;
  return env;
}

function outdir(): string {
  return fs.mkdtempSync(path.join(ROOT, 'out-'));
}

function appVariants(node: string, tsx: string | undefined): Variant[] {
  const context = JSON.stringify({ ...CONTEXT, tenant: TENANT });
  const appEnv = (cache: string, extra: NodeJS.ProcessEnv) => baseEnv(cache, { CDK_OUTDIR: outdir(), CDK_CONTEXT_JSON: context, ...extra });
  const runTs = (mode: string) => (dir: () => string) => [{ cmd: node, args: ['bin/run-ts.js', 'bin/app.ts'], env: appEnv(dir(), { CELLKIT_CODE_CACHE: mode }) }];
  const variants: Variant[] = [];
  for (const cold of [true, false]) {
    const t = cold ? 'cold' : 'warm';
    variants.push({ name: `run-ts + cellkit code cache, ${t}`, cold, commands: runTs('cellkit') });
    variants.push({ name: `run-ts + Node compile cache, ${t}`, cold, commands: runTs('node') });
    if (!cold) variants.push({ name: 'run-ts, no code cache (transpile cache warm)', cold, commands: runTs('off') });
    if (tsx) {
      variants.push({ name: `tsx, ${t}`, cold, commands: (dir) => [{ cmd: node, args: [tsx, 'bin/app.ts'], env: appEnv(dir(), {}) }] });
      const withNodeCache = (dir: () => string) => {
        const d = dir();
        return [{ cmd: node, args: [tsx, 'bin/app.ts'], env: appEnv(d, { NODE_COMPILE_CACHE: path.join(d, 'node-cc') }) }];
      };
      variants.push({ name: `tsx + NODE_COMPILE_CACHE, ${t}`, cold, commands: withNodeCache });
    }
  }
  return variants;
}

function cliVariants(node: string, tsx: string | undefined): Variant[] {
  const PATH = `${path.dirname(node)}${path.delimiter}${process.env.PATH}`;
  const cdk = (extraArgs: string[], extra: NodeJS.ProcessEnv) => (dir: () => string) => [
    { cmd: 'npx', args: ['cdk', 'synth', '-q', '--no-notices', '-c', `tenant=${TENANT}`, '-o', outdir(), ...extraArgs], env: baseEnv(dir(), { PATH, ...extra }) },
  ];
  const variants: Variant[] = [
    { name: 'cdk synth, run-ts + cellkit code cache, cold', cold: true, commands: cdk([], { CELLKIT_CODE_CACHE: 'cellkit' }) },
    { name: 'cdk synth, run-ts + cellkit code cache, warm', cold: false, commands: cdk([], { CELLKIT_CODE_CACHE: 'cellkit' }) },
    { name: 'cdk synth, run-ts + Node compile cache, warm', cold: false, commands: cdk([], { CELLKIT_CODE_CACHE: 'node' }) },
    { name: 'cdk synth, run-ts, no code cache, warm', cold: false, commands: cdk([], { CELLKIT_CODE_CACHE: 'off' }) },
  ];
  if (tsx) variants.push({ name: 'cdk synth, tsx, warm', cold: false, commands: cdk(['--app', `node ${tsx} bin/app.ts`], {}) });
  return variants;
}

function fleetVariants(registry: string, shards: number): Variant[] {
  const synth = (args: string[]) => ({ cmd: 'npx', args: ['cdk', 'synth', '-q', '--no-notices', '-c', `registry=${registry}`, '-o', outdir(), ...args] });
  return [
    { name: 'fleet: one cdk synth, default workers (merged assembly)', cold: false, commands: (dir) => [{ ...synth([]), env: baseEnv(dir()) }] },
    {
      name: `fleet: ${shards} cdk synth processes at once, -c shard=i/${shards} -c workers=1, own -o each (no merge)`,
      cold: false,
      commands: (dir) => Array.from({ length: shards }, (_, i) => ({ ...synth(['-c', `shard=${i + 1}/${shards}`, '-c', 'workers=1']), env: baseEnv(dir()) })),
    },
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function measureAll(label: string, variants: Variant[], runs: number): Promise<void> {
  const warmCache = new Map(variants.map((v) => [v.name, fs.mkdtempSync(path.join(ROOT, 'cache-'))]));
  for (const v of variants) if (!v.cold) await time(v, warmCache.get(v.name)!); // fills the warm caches
  const times = new Map<string, { wall: number; cpu: number }[]>(variants.map((v) => [v.name, []]));
  const loads: number[] = [];
  for (let r = 0; r < runs; r++) {
    loads.push(os.loadavg()[0]);
    for (const v of variants) times.get(v.name)!.push(await time(v, warmCache.get(v.name)!));
    process.stderr.write(`${label}: round ${r + 1}/${runs} done (load ${os.loadavg()[0].toFixed(2)})\n`);
  }
  const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`;
  console.log(`\n${label} (${runs} runs each, interleaved; 1-min load average at round start ${range(loads)})\n`);
  console.log('| variant | median wall (s) | wall range (s) | median CPU (s) | CPU range (s) |\n|---|---|---|---|---|');
  for (const v of variants) {
    const wall = times.get(v.name)!.map((t) => t.wall);
    const cpu = times.get(v.name)!.map((t) => t.cpu);
    console.log(`| ${v.name} | ${median(wall).toFixed(2)} | ${range(wall)} | ${median(cpu).toFixed(2)} | ${range(cpu)} |`);
  }
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number >= 1; got "${value}"`);
  return n;
}

const program = new Command('machinery')
  .argument('<what>', 'app | cli | fleet')
  .option('--runs <n>', 'rounds', positiveInt, 5)
  .option('--node <path>', 'a node binary (repeat for several)', (v: string, prev: string[]) => [...prev, v], [] as string[])
  .option('--tsx <cli.mjs>', "tsx's dist/cli.mjs, to compare with")
  .option('--tenants <n>', 'fleet size', positiveInt, 100)
  .option('--shards <n>', 'shard processes to compare with', positiveInt, 2)
  .action(async (what: string, o: { runs: number; node: string[]; tsx?: string; tenants: number; shards: number }) => {
    const nodes = o.node.length ? o.node : [process.execPath];
    const version = (node: string) => `Node ${require('child_process').execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()}`;
    if (what === 'app') for (const n of nodes) await measureAll(`app process alone, ${version(n)}`, appVariants(n, o.tsx), o.runs);
    else if (what === 'cli') for (const n of nodes) await measureAll(`whole CLI, ${version(n)}`, cliVariants(n, o.tsx), o.runs);
    else if (what === 'fleet') {
      const registry = writeRegistry(o.tenants);
      process.on('exit', () => fs.rmSync(registry, { recursive: true, force: true }));
      await measureAll(`fleet of ${o.tenants}, ${version(process.execPath)}`, fleetVariants(registry, o.shards), o.runs);
    }
    else throw new InvalidArgumentError(`what: got "${what}"; expected app, cli or fleet`);
  });

program.parseAsync().catch((e: unknown) => {
  process.stderr.write(`machinery: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
