import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { AssemblyManifest, Manifest } from 'aws-cdk-lib/cloud-assembly-schema';
import { CellkitConfigError } from '../registry/errors';
import { Part, everyNth, parsePart } from '../registry/registry';

/** Environment variable that tells an app process it is worker `k/n` of a parallel fleet synth. */
export const WORKER_ENV = 'CELLKIT_WORKER';

/** Below this many tenants per worker, starting another process (~1.5 s) costs more than it saves. */
export const MIN_TENANTS_PER_WORKER = 8;

/**
 * How many processes synthesize `tenants` stacks.
 * @param requested `-c workers=<n>`, or undefined for the default: one per CPU, each with at least
 *   {@link MIN_TENANTS_PER_WORKER} tenants.
 * @param cpus CPUs available to this synth.
 */
export function workerCount(requested: string | undefined, tenants: number, cpus: number): number {
  if (requested === undefined) return Math.max(1, Math.min(cpus, Math.floor(tenants / MIN_TENANTS_PER_WORKER)));
  if (!/^\d+$/.test(requested) || Number(requested) < 1) {
    throw new CellkitConfigError([`context "workers": got ${JSON.stringify(requested)}; expected a whole number >= 1 (1 synthesizes in this process)`]);
  }
  return Math.min(Number(requested), Math.max(1, tenants));
}

/**
 * The CPUs a cgroup v2 CPU quota allows (the text of `/sys/fs/cgroup/cpu.max`, e.g. "200000 100000" = 2),
 * or undefined when there is no quota. Node counts the host's CPUs, not a container's share of them.
 */
export function cgroupCpuLimit(cpuMax: string | undefined): number | undefined {
  const m = /^(\d+|max)\s+(\d+)\s*$/.exec(cpuMax ?? '');
  if (!m || m[1] === 'max' || Number(m[2]) === 0) return undefined;
  return Math.max(1, Math.floor(Number(m[1]) / Number(m[2])));
}

/** Parses `k/n` from {@link WORKER_ENV}. */
export function parseWorker(value: string): Part {
  const part = parsePart(value, 2);
  if (!part) throw new ParallelSynthError(`${WORKER_ENV}: got ${JSON.stringify(value)}; expected "k/n" with 1 <= k <= n and n >= 2`);
  return part;
}

/** Worker k's share of the selection: every n-th item starting at the k-th, as shards split a fleet. */
export const workerShare = everyNth;

export class ParallelSynthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParallelSynthError';
  }
}

/**
 * The workers synthesized, but their cloud assemblies are not laid out as the merge knows (CDK does not promise
 * the layout of `cdk.out`): the caller synthesizes in one process instead of writing a merge it cannot vouch for.
 */
export class AssemblyLayoutError extends ParallelSynthError {
  constructor(message: string) {
    super(message);
    this.name = 'AssemblyLayoutError';
  }
}

/** Artifact types the merge knows to belong to one stack: the stack and its asset manifest. */
const STACK_ARTIFACT_TYPES: ReadonlySet<string> = new Set(['aws:cloudformation:stack', 'cdk:asset-manifest']);

export interface ParallelSynthOptions {
  /** The cloud assembly directory the CDK CLI reads (the App's outdir). */
  readonly outdir: string;
  /** Stack names in the order a single-process synth writes them; worker k owns every n-th. */
  readonly stacks: readonly string[];
  /** Worker processes, at least 2. */
  readonly workers: number;
  /**
   * Command and arguments of one worker: the same app, run with `CELLKIT_WORKER=<k>/<n>` and
   * `CDK_OUTDIR` set, so it synthesizes its share into its own cloud assembly.
   */
  readonly command: readonly string[];
  /**
   * Environment of the workers, before `CELLKIT_WORKER` and `CDK_OUTDIR` are added: the app passes its
   * own, so workers see the same context (CDK_CONTEXT_JSON) the CLI gave it.
   */
  readonly env: NodeJS.ProcessEnv;
}

interface WorkerRun {
  readonly index: number;
  readonly dir: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

const MANIFEST = 'manifest.json';
const TREE = 'tree.json';
const VALIDATION_REPORT = 'validation-report.json';

/**
 * Synthesizes a fleet in parallel worker processes and merges their cloud assemblies into `outdir`,
 * so the CLI sees one assembly with the same bytes a single process writes (tested).
 * Every worker runs to the end, so a failing synth reports the findings of the whole fleet, as one
 * process does: the failed workers' output is in the error and their validation reports are merged
 * into `outdir/validation-report.json`.
 */
export async function synthesizeInWorkers(options: ParallelSynthOptions): Promise<void> {
  const { outdir, stacks, workers } = options;
  if (!Number.isInteger(workers) || workers < 2) throw new ParallelSynthError(`parallel synth: workers must be a whole number >= 2; got ${workers}`);
  if (workers > stacks.length) throw new ParallelSynthError(`parallel synth: ${workers} workers for ${stacks.length} stacks would leave a worker empty`);
  fs.mkdirSync(outdir, { recursive: true });
  // A fresh folder per synth: workers of an interrupted synth can never write into this one.
  const scratch = fs.mkdtempSync(path.join(outdir, '.cellkit-workers-'));
  try {
    const runs = await runWorkers(options, scratch);
    // Worker output names its own scratch assembly; the user only ever sees outdir.
    const output = (r: WorkerRun) => r.stderr.split(r.dir).join(outdir);
    const failed = runs.filter((r) => r.code !== 0);
    if (failed.length) {
      mergeValidationReports(outdir, failed.map((r) => r.dir));
      throw new ParallelSynthError(
        failed
          .map((r) => `fleet worker ${r.index}/${workers} (${workerShare(stacks, { index: r.index, count: workers }).length} stacks) failed with ${r.signal ? `signal ${r.signal}` : `exit code ${r.code}`}:\n${output(r).trim()}`)
          .join('\n\n'),
      );
    }
    for (const r of runs) if (r.stderr) process.stderr.write(output(r));
    try {
      mergeAssemblies(outdir, stacks, runs.map((r) => r.dir));
    } catch (e) {
      if (e instanceof ParallelSynthError) throw e;
      throw new AssemblyLayoutError(`parallel synth: could not merge the workers' cloud assemblies: ${e instanceof Error ? e.message : String(e)}`);
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Runs every worker to the end. A signal to this process stops the workers, removes `scratch` and is re-raised. */
function runWorkers(options: ParallelSynthOptions, scratch: string): Promise<WorkerRun[]> {
  const [file, ...args] = options.command;
  const children: ChildProcess[] = [];
  const onSignal = (signal: NodeJS.Signals) => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    fs.rmSync(scratch, { recursive: true, force: true });
    for (const s of FORWARDED_SIGNALS) process.removeListener(s, onSignal);
    process.kill(process.pid, signal);
  };
  for (const s of FORWARDED_SIGNALS) process.on(s, onSignal);
  const env: NodeJS.ProcessEnv = { ...options.env };
  delete env.CDK_PERF_COUNTERS_FILE; // one file for the whole synth: workers would overwrite each other's
  const runs = Array.from({ length: options.workers }, (_, i) => {
    const index = i + 1;
    const dir = path.join(scratch, String(index));
    fs.mkdirSync(dir, { recursive: true });
    return new Promise<WorkerRun>((resolve) => {
      const child = spawn(file, args, { env: { ...env, [WORKER_ENV]: `${index}/${options.workers}`, CDK_OUTDIR: dir }, stdio: ['ignore', 'inherit', 'pipe'] });
      children.push(child);
      let stderr = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => (stderr += chunk));
      child.on('error', (e) => resolve({ index, dir, code: -1, signal: null, stderr: `could not start ${file}: ${e.message}` }));
      child.on('close', (code, signal) => resolve({ index, dir, code, signal, stderr }));
    });
  });
  return Promise.all(runs).finally(() => {
    for (const s of FORWARDED_SIGNALS) process.removeListener(s, onSignal);
  });
}

/** The stack an artifact belongs to: the stack itself or its `<stack>.assets` manifest. */
function ownerOf(artifactId: string, stacks: ReadonlySet<string>): string | undefined {
  if (stacks.has(artifactId)) return artifactId;
  const dot = artifactId.indexOf('.');
  return dot > 0 && stacks.has(artifactId.slice(0, dot)) ? artifactId.slice(0, dot) : undefined;
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/**
 * Merges worker assemblies into `outdir` in single-process order: each stack's artifacts, then app-level ones.
 * It relies only on what it checks first: a stack's artifacts are the stack and its asset manifest, and every
 * other artifact is written the same by every worker. Anything else is an {@link AssemblyLayoutError}, thrown
 * before `outdir` changes (or, for a file two workers wrote differently, before a manifest is written).
 */
export function mergeAssemblies(outdir: string, stacks: readonly string[], workerDirs: readonly string[]): void {
  const stackSet = new Set(stacks);
  const manifests = workerDirs.map((dir) => Manifest.loadAssemblyManifest(path.join(dir, MANIFEST)));
  const owned = new Map<string, [string, NonNullable<AssemblyManifest['artifacts']>[string]][]>();
  const appLevel = new Map<string, string>(); // artifact id -> JSON, identical in every worker
  const appLevelOrder: string[] = [];
  manifests.forEach((m, w) => {
    for (const [id, artifact] of Object.entries(m.artifacts ?? {})) {
      const owner = ownerOf(id, stackSet);
      if (owner) {
        if (!STACK_ARTIFACT_TYPES.has(artifact.type)) {
          throw new AssemblyLayoutError(`parallel synth: artifact "${id}" of worker ${w + 1} has type "${artifact.type}"; the merge knows ${[...STACK_ARTIFACT_TYPES].join(' and ')} per stack`);
        }
        owned.set(owner, [...(owned.get(owner) ?? []), [id, artifact]]);
        continue;
      }
      const json = JSON.stringify(artifact);
      if (!appLevel.has(id)) {
        appLevel.set(id, json);
        appLevelOrder.push(id);
      } else if (appLevel.get(id) !== json) {
        throw new AssemblyLayoutError(`parallel synth: workers disagree on artifact "${id}" (worker ${w + 1} differs from worker 1)`);
      }
    }
  });
  manifests.forEach((m, w) => {
    const lacking = appLevelOrder.filter((id) => !(id in (m.artifacts ?? {})));
    if (lacking.length) throw new AssemblyLayoutError(`parallel synth: worker ${w + 1} did not write artifact ${lacking.map((id) => `"${id}"`).join(', ')}, which other workers wrote`);
  });
  const missing = stacks.filter((s) => !owned.has(s));
  if (missing.length) throw new AssemblyLayoutError(`parallel synth: the workers wrote no stack ${missing.join(', ')}`);

  const artifacts: NonNullable<AssemblyManifest['artifacts']> = {};
  for (const stack of stacks) for (const [id, artifact] of owned.get(stack)!) artifacts[id] = artifact;
  for (const id of appLevelOrder) artifacts[id] = JSON.parse(appLevel.get(id)!);

  // cdk.out is reused between synths: the first worker to write a name replaces what a previous
  // synth left there; a second worker writing the same name must write the same bytes.
  const written = new Set<string>();
  for (const dir of workerDirs) {
    for (const entry of fs.readdirSync(dir)) {
      if (entry === MANIFEST || entry === TREE || entry === VALIDATION_REPORT) continue;
      const from = path.join(dir, entry);
      const to = path.join(outdir, entry);
      if (!written.has(entry)) {
        written.add(entry);
        fs.rmSync(to, { recursive: true, force: true });
        fs.renameSync(from, to);
      } else if (!entry.startsWith('asset.') && fs.readFileSync(from, 'utf8') !== fs.readFileSync(to, 'utf8')) {
        // Asset folders are named by their content hash; any other file written twice must match.
        throw new AssemblyLayoutError(`parallel synth: workers wrote different ${entry}`);
      }
    }
  }

  mergeTree(outdir, stacks, workerDirs);
  mergeValidationReports(outdir, workerDirs);
  // Context lookups a worker could not answer (none today: synth is offline), so the CLI sees them all.
  const lookups = new Map(manifests.flatMap((m) => m.missing ?? []).map((l) => [JSON.stringify(l), l]));
  const { missing: _, ...base } = manifests[0];
  Manifest.saveAssemblyManifest({ ...base, artifacts, ...(lookups.size ? { missing: [...lookups.values()] } : {}) }, path.join(outdir, MANIFEST));
}

interface TreeNode {
  readonly id: string;
  readonly path: string;
  readonly children?: Record<string, TreeNode>;
  readonly [key: string]: unknown;
}

function mergeTree(outdir: string, stacks: readonly string[], workerDirs: readonly string[]): void {
  const trees = workerDirs.filter((d) => fs.existsSync(path.join(d, TREE))).map((d) => readJson<{ version: string; tree: TreeNode }>(path.join(d, TREE)));
  if (!trees.length) return;
  const children: Record<string, TreeNode> = {};
  for (const stack of stacks) {
    const node = trees.map((t) => t.tree.children?.[stack]).find((c) => c !== undefined);
    if (node) children[stack] = node;
  }
  for (const [id, node] of Object.entries(trees[0].tree.children ?? {})) if (!(id in children)) children[id] = node;
  const tree = { ...trees[0], tree: { ...trees[0].tree, children } };
  fs.writeFileSync(path.join(outdir, TREE), JSON.stringify(tree));
}

function mergeValidationReports(outdir: string, workerDirs: readonly string[]): void {
  const reports = workerDirs
    .filter((d) => fs.existsSync(path.join(d, VALIDATION_REPORT)))
    .map((d) => readJson<{ pluginReports?: unknown[] }>(path.join(d, VALIDATION_REPORT)));
  if (!reports.length) return;
  const merged = { ...reports[0], pluginReports: reports.flatMap((r) => r.pluginReports ?? []) };
  fs.writeFileSync(path.join(outdir, VALIDATION_REPORT), JSON.stringify(merged, undefined, 2));
}
