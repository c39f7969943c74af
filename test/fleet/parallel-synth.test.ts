import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CellkitConfigError } from '../../lib/registry/errors';
import { MIN_TENANTS_PER_WORKER, ParallelSynthError, mergeAssemblies, parseWorker, synthesizeInWorkers, workerCount, workerShare } from '../../lib/fleet/parallel-synth';
import { REPO_ROOT } from '../fixtures';
import { PINNED_AT, enterpriseSpec, registryDir, teamSpec } from '../registry/registry-dir';

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

describe('workerCount', () => {
  test('by default one worker per CPU, each with at least MIN_TENANTS_PER_WORKER tenants', () => {
    expect(MIN_TENANTS_PER_WORKER).toBe(8);
    expect(workerCount(undefined, 1, 2)).toBe(1);
    expect(workerCount(undefined, 2, 8)).toBe(1);
    expect(workerCount(undefined, 15, 2)).toBe(1);
    expect(workerCount(undefined, 16, 2)).toBe(2);
    expect(workerCount(undefined, 500, 2)).toBe(2);
    expect(workerCount(undefined, 20, 8)).toBe(2);
    expect(workerCount(undefined, 500, 8)).toBe(8);
    expect(workerCount(undefined, 500, 1)).toBe(1);
  });

  test('-c workers is taken as given, and never more than one per tenant', () => {
    expect(workerCount('1', 500, 8)).toBe(1);
    expect(workerCount('3', 500, 2)).toBe(3);
    expect(workerCount('4', 2, 2)).toBe(2);
  });

  test.each(['0', '-1', '1.5', 'two', ''])('-c workers=%j is refused naming the context key, the value and what is allowed', (value) => {
    expect(() => workerCount(value, 10, 2)).toThrow(CellkitConfigError);
    expect(() => workerCount(value, 10, 2)).toThrow(`context "workers": got ${JSON.stringify(value)}; expected a whole number >= 1 (1 synthesizes in this process)`);
  });
});

describe('parseWorker and workerShare', () => {
  test('k/n is parsed', () => {
    expect(parseWorker('1/2')).toEqual({ index: 1, count: 2 });
    expect(parseWorker('8/8')).toEqual({ index: 8, count: 8 });
  });

  test.each(['', '1', '0/2', '3/2', '1/1', 'a/b', '1/2/3'])('CELLKIT_WORKER=%j is refused', (value) => {
    expect(() => parseWorker(value)).toThrow(ParallelSynthError);
    expect(() => parseWorker(value)).toThrow(`CELLKIT_WORKER: got ${JSON.stringify(value)}; expected "k/n" with 1 <= k <= n and n >= 2`);
  });

  test('the shares partition the selection, keep its order and differ in size by at most one', () => {
    const items = Array.from({ length: 11 }, (_, i) => `t${i}`);
    for (const count of [2, 3, 5, 11]) {
      const shares = Array.from({ length: count }, (_, i) => workerShare(items, { index: i + 1, count }));
      expect(shares.flat().sort()).toEqual([...items].sort());
      for (const share of shares) expect(share).toEqual(items.filter((t) => share.includes(t)));
      const sizes = shares.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });
});

/** Every file under dir, relative path -> SHA-256 of its bytes. */
function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), crypto.createHash('sha256').update(fs.readFileSync(p, 'latin1'), 'latin1').digest('hex'));
    }
  };
  walk(dir);
  return out;
}

describe('parallel fleet synth through bin/app.ts', () => {
  function registry() {
    const dir = registryDir();
    const ids = ['acme', 'globex', 'initech', 'umbrella', 'wayne'];
    const pins: Record<string, { region: string; pinnedAt: string }> = {};
    ids.forEach((id, i) => {
      if (i % 2 === 0) {
        dir.writeTenant(id, enterpriseSpec({ id, placement: { region: 'ap-southeast-2' } }));
        pins[id] = { region: 'ap-southeast-2', pinnedAt: PINNED_AT };
      } else {
        dir.writeTenant(id, teamSpec({ id }));
        pins[id] = { region: 'eu-west-2', pinnedAt: PINNED_AT };
      }
    });
    dir.writePins(pins);
    return dir;
  }

  function synth(registryRoot: string, workers: string) {
    const outdir = tmp('cellkit-parallel-');
    const env: NodeJS.ProcessEnv = { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ registry: registryRoot, workers }) };
    delete env.CELLKIT_WORKER;
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/run-ts.js'), path.join(REPO_ROOT, 'bin/app.ts')], { env, encoding: 'utf8', cwd: REPO_ROOT });
    return { status: r.status, stderr: r.stderr, outdir };
  }

  test('two or three workers write the same bytes as one process, file for file', () => {
    const root = registry().root;
    const one = synth(root, '1');
    expect(one.stderr).toBe('');
    expect(one.status).toBe(0);
    const expected = files(one.outdir);
    expect([...expected.keys()].filter((f) => f.endsWith('.template.json')).sort()).toEqual(
      ['acme', 'globex', 'initech', 'umbrella', 'wayne'].map((id) => `Cell-${id}.template.json`),
    );
    for (const workers of ['2', '3']) {
      const many = synth(root, workers);
      expect(many.stderr).toBe('');
      expect(many.status).toBe(0);
      const actual = files(many.outdir);
      expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [file, hash] of expected) expect({ file, hash: actual.get(file) }).toEqual({ file, hash });
    }
  });
});

describe('synthesizeInWorkers', () => {
  test('a failing worker fails the synth with its stderr, and leaves no manifest for the CLI to read', async () => {
    const outdir = tmp('cellkit-parallel-fail-');
    const script = 'if (process.env.CELLKIT_WORKER === "2/2") { console.error("nag: AwsSolutions-KMS5 on Cell-b"); process.exit(3); }';
    await expect(synthesizeInWorkers({ outdir, stacks: ['Cell-a', 'Cell-b'], workers: 2, command: [process.execPath, '-e', script] })).rejects.toThrow(
      /fleet worker 2\/2 \(1 stacks\) failed with exit code 3:\nnag: AwsSolutions-KMS5 on Cell-b/,
    );
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  test('the first failing worker stops the others instead of waiting for them', async () => {
    const outdir = tmp('cellkit-parallel-stop-');
    const script = 'if (process.env.CELLKIT_WORKER === "2/2") { console.error("worker 2 broke"); process.exit(1); } setTimeout(() => {}, 60000);';
    const failure = synthesizeInWorkers({ outdir, stacks: ['Cell-a', 'Cell-b'], workers: 2, command: [process.execPath, '-e', script] });
    await expect(failure).rejects.toThrow('fleet worker 2/2 (1 stacks) failed with exit code 1:\nworker 2 broke\n\nstopped the other workers (1/2) without waiting for them');
    await expect(failure).rejects.not.toThrow(/fleet worker 1\/2/);
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  test('a worker that writes no assembly fails the synth instead of leaving stacks out', async () => {
    const outdir = tmp('cellkit-parallel-empty-');
    await expect(synthesizeInWorkers({ outdir, stacks: ['Cell-a', 'Cell-b'], workers: 2, command: [process.execPath, '-e', ''] })).rejects.toThrow(/manifest\.json/);
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  test('fewer than two workers, or more workers than stacks, is refused', async () => {
    const outdir = tmp('cellkit-parallel-args-');
    await expect(synthesizeInWorkers({ outdir, stacks: ['Cell-a'], workers: 1, command: ['true'] })).rejects.toThrow('workers must be a whole number >= 2; got 1');
    await expect(synthesizeInWorkers({ outdir, stacks: ['Cell-a'], workers: 2, command: ['true'] })).rejects.toThrow('2 workers for 1 stacks would leave a worker empty');
  });
});

describe('mergeAssemblies', () => {
  function assembly(artifacts: Record<string, unknown>): string {
    const dir = tmp('cellkit-merge-');
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts }));
    return dir;
  }
  const stack = (name: string) => ({ type: 'aws:cloudformation:stack', environment: 'aws://111111111111/eu-west-2', properties: { templateFile: `${name}.template.json` } });

  test('a stack no worker wrote is an error', () => {
    const a = assembly({ 'Cell-a': stack('Cell-a') });
    expect(() => mergeAssemblies(tmp('cellkit-merge-out-'), ['Cell-a', 'Cell-b'], [a])).toThrow('the workers wrote no stack Cell-b');
  });

  test('workers that disagree on an app-level artifact are an error', () => {
    const a = assembly({ 'Cell-a': stack('Cell-a'), Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } } });
    const b = assembly({ 'Cell-b': stack('Cell-b'), Tree: { type: 'cdk:tree', properties: { file: 'other.json' } } });
    expect(() => mergeAssemblies(tmp('cellkit-merge-out-'), ['Cell-a', 'Cell-b'], [a, b])).toThrow('workers disagree on artifact "Tree" (worker 2 differs from worker 1)');
  });

  test('artifacts follow the stack order given, then app-level artifacts', () => {
    const a = assembly({ 'Cell-b.assets': { type: 'cdk:asset-manifest', properties: { file: 'Cell-b.assets.json' } }, 'Cell-b': stack('Cell-b'), Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } } });
    const b = assembly({ 'Cell-a': stack('Cell-a'), Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } } });
    const out = tmp('cellkit-merge-out-');
    mergeAssemblies(out, ['Cell-a', 'Cell-b'], [a, b]);
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')).artifacts)).toEqual(['Cell-a', 'Cell-b.assets', 'Cell-b', 'Tree']);
  });
});
