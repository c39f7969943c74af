// Real `cellkit tenant add` processes, started through the entry point users run (bin/cellkit.js), against
// throwaway registries: overlapping writers must never lose a pin, and a kill at any point must leave a
// registry that loads and a creation that the same command completes. No mocks: real processes, real
// files, real locks (proper-lockfile), real SIGKILL.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { registryLockPath } from '../../lib/registry/registry-lock';
import { TenantRegistry } from '../../lib/registry/registry';
import { REPO_ROOT } from '../fixtures';
import { RegistryDir, registryDir } from './registry-dir';

const CLI = path.join(REPO_ROOT, 'bin', 'cellkit.js');

interface Run {
  readonly child: ChildProcess;
  /** Resolves with the exit code (null when killed), stdout and stderr. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Resolves when stdout has shown `text`. */
  saw(text: string): Promise<void>;
}

function addArgs(root: string, id: string): string[] {
  return [CLI, '--registry', root, 'tenant', 'add', '--id', id, '--name', `Company ${id}`, '--plan', 'team', '--geography', 'EU', '--account', '123456789012'];
}

function run(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    for (const w of waiters.filter((x) => stdout.includes(x.text))) w.resolve();
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return {
    child,
    done,
    saw: (text) => (stdout.includes(text) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ text, resolve }))),
  };
}

/** Runs `count` jobs, at most `parallel` at a time. */
async function inBatches<T>(count: number, parallel: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += parallel) {
    results.push(...(await Promise.all(Array.from({ length: Math.min(parallel, count - start) }, (_, k) => job(start + k)))));
  }
  return results;
}

/** The registry loads; returns its tenant ids. */
const tenantIds = (dir: RegistryDir) => TenantRegistry.load(dir.paths).tenants.map((t) => t.id);
const pinIds = (dir: RegistryDir) => Object.keys(JSON.parse(dir.read('tenants.lock.json')).pins).sort();

describe('cellkit tenant add: concurrent processes (issue 12, point 1)', () => {
  const PAIRS = 50;

  test(`${PAIRS} overlapping pairs of real processes, released at the same moment, lose no pin`, async () => {
    const started = Date.now();
    const outcomes = await inBatches(PAIRS, 10, async (i) => {
      const dir = registryDir();
      const go = path.join(dir.root, 'go');
      const runs = ['first', 'second'].map((who) => run(addArgs(dir.root, `t${i}-${who}`), { CELLKIT_TEST_START_WHEN: go }));
      await Promise.all(runs.map((r) => r.saw('ready')));
      fs.writeFileSync(go, ''); // both processes are loaded and waiting: release them together
      const results = await Promise.all(runs.map((r) => r.done));
      let registry: string;
      try {
        registry = `tenants ${tenantIds(dir).join(',')}`;
      } catch (e) {
        registry = (e as Error).message; // e.g. a lost pin: "no region pin"
      }
      return { pair: i, results, registry, pins: pinIds(dir) };
    });
    const failures = outcomes.flatMap((o) => o.results.filter((r) => r.code !== 0).map((r) => r.stderr));
    expect(failures).toEqual([]);
    for (const o of outcomes) expect(o.results.every((r) => /created: .*pinned to eu-west-2/.test(r.stdout))).toBe(true);
    const lost = outcomes.filter((o) => o.pins.length !== 2 || o.registry !== `tenants t${o.pair}-first,t${o.pair}-second`).map((o) => `pair ${o.pair}: pins ${o.pins.join(',')}; ${o.registry}`);
    expect(lost).toEqual([]);
    // Wall time on this 2-core machine is logged so it can be watched (about 15-30 s; see docs/registry.md).
    process.stdout.write(`${PAIRS} overlapping pairs: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }, 300_000);

  test('a lock held by a live run is waited for, then refused with the lock named (exit 2), changing nothing', async () => {
    const dir = registryDir();
    const lock = registryLockPath(dir.paths);
    fs.mkdirSync(lock);
    const keepFresh = setInterval(() => fs.utimesSync(lock, new Date(), new Date()), 500); // a live holder refreshes it
    try {
      const r = await run(addArgs(dir.root, 'acme')).done;
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`cellkit tenant add: tenants\\.lock\\.json: another cellkit run is changing the registry \\(lock ${lock}, refreshed \\d+ s ago\\)\\. Wait for it to finish and run the command again\\. .*if it persists and no cellkit run is active, remove it: rm -r ${lock}\\n$`));
      expect(dir.list('tenants')).toEqual([]);
      expect(fs.existsSync(dir.paths.pinFile)).toBe(false);
    } finally {
      clearInterval(keepFresh);
    }
  });

  test('a stale lock left by a killed run is taken over, with a note naming it', async () => {
    const dir = registryDir();
    const lock = registryLockPath(dir.paths);
    fs.mkdirSync(lock);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    const r = await run(addArgs(dir.root, 'acme')).done;
    expect(r.stderr).toMatch(new RegExp(`taking over the registry lock ${lock}, left \\d+ s ago by an interrupted run`));
    expect(r.code).toBe(0);
    expect(tenantIds(dir)).toEqual(['acme']);
    expect(fs.existsSync(lock)).toBe(false);
  });
});

describe('cellkit tenant add: killed at any point (issue 12, point 2)', () => {
  /**
   * After the kill the registry must load, and the tenant either exists (spec and pin) or the same
   * command completes it. The re-run first waits for the killed run's lock to go stale.
   */
  async function expectNeverStuck(dir: RegistryDir, id: string): Promise<string> {
    expect(() => tenantIds(dir)).not.toThrow();
    const existed = tenantIds(dir).includes(id);
    const again = await run(addArgs(dir.root, id)).done;
    if (existed) {
      expect(again.code).toBe(3);
      expect(again.stderr).toMatch(/a tenant with this id already exists/);
    } else {
      expect(again.stderr).not.toMatch(/Error|at .*\.ts:\d+/);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(new RegExp(`tenant "${id}" (created|completed \\(an earlier run was interrupted\\))`));
    }
    expect(tenantIds(dir)).toEqual(['globex', id].sort());
    expect(pinIds(dir)).toEqual(['globex', id].sort());
    return existed ? 'existed' : /completed/.test(again.stdout) ? 'completed' : 'created';
  }

  function withOneTenant(): RegistryDir {
    const dir = registryDir();
    dir.writeTenant('globex', { $schema: '../schemas/tenant.schema.json', id: 'globex', displayName: 'Globex', plan: 'team', placement: { geography: 'EU' }, account: '210987654321', sizing: 'dev', egress: 'none', database: { usernameSuffix: 'abcd1234' } });
    dir.writePins({ globex: { region: 'eu-west-2', pinnedAt: '2026-01-01T00:00:00.000Z' } });
    return dir;
  }

  // SIGKILL while paused at each step (a test hook in bin/cellkit.ts stops the process there).
  test('SIGKILL at each step between the writes: never stuck, and the same command completes it', async () => {
    const steps = ['locked', 'pending-spec-written', 'pin-written', 'spec-committed'];
    const outcomes = await Promise.all(
      steps.map(async (step) => {
        const dir = withOneTenant();
        const r = run(addArgs(dir.root, 'acme'), { CELLKIT_TEST_PAUSE_AT: step });
        await r.saw(`paused at ${step}`);
        r.child.kill('SIGKILL');
        expect((await r.done).signal).toBe('SIGKILL');
        expect(fs.existsSync(registryLockPath(dir.paths))).toBe(true); // the killed run held the lock
        return [step, await expectNeverStuck(dir, 'acme')];
      }),
    );
    expect(Object.fromEntries(outcomes)).toEqual({ locked: 'created', 'pending-spec-written': 'created', 'pin-written': 'completed', 'spec-committed': 'existed' });
  }, 120_000);

  // Real timed kills: whatever state each one leaves, the invariant holds.
  test('SIGKILL after fixed delays from start: never stuck', async () => {
    const delays = [150, 300, 450, 600, 750, 900, 1200, 1600];
    const outcomes = await Promise.all(
      delays.map(async (ms) => {
        const dir = withOneTenant();
        const r = run(addArgs(dir.root, 'acme'));
        await new Promise((resolve) => setTimeout(resolve, ms));
        r.child.kill('SIGKILL');
        await r.done;
        return expectNeverStuck(dir, 'acme');
      }),
    );
    expect(outcomes).toHaveLength(delays.length);
  }, 120_000);
});
