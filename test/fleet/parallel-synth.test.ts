import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CellkitConfigError } from '../../lib/registry/errors';
import { AssemblyLayoutError, MIN_TENANTS_PER_WORKER, ParallelSynthError, cgroupCpuLimit, mergeAssemblies, parseWorker, synthesizeInWorkers, workerCount, workerShare } from '../../lib/fleet/parallel-synth';
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

describe('cgroupCpuLimit', () => {
  test('a cgroup v2 quota caps the CPUs; no quota or no file does not', () => {
    expect(cgroupCpuLimit('200000 100000\n')).toBe(2);
    expect(cgroupCpuLimit('150000 100000')).toBe(1);
    expect(cgroupCpuLimit('50000 100000')).toBe(1);
    expect(cgroupCpuLimit('800000 100000')).toBe(8);
    expect(cgroupCpuLimit('max 100000\n')).toBeUndefined();
    expect(cgroupCpuLimit(undefined)).toBeUndefined();
    expect(cgroupCpuLimit('garbage')).toBeUndefined();
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

  function synth(
    registryRoot: string,
    workers: string,
    outdir = tmp('cellkit-parallel-'),
    extraEnv: NodeJS.ProcessEnv = {},
    extraContext: Record<string, string> = {},
  ) {
    const context = JSON.stringify({ registry: registryRoot, workers, ...extraContext });
    const env: NodeJS.ProcessEnv = { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: context, ...extraEnv };
    delete env.CELLKIT_WORKER;
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/run-ts.js'), path.join(REPO_ROOT, 'bin/app.ts')], { env, encoding: 'utf8', cwd: REPO_ROOT });
    return { status: r.status, stderr: r.stderr, outdir };
  }

  test.each([
    ['without tree.json (a fleet synth\'s default)', {}],
    ['with tree.json (-c tree=true)', { tree: 'true' }],
  ])('two or three workers write the same bytes as one process, file for file, %s', (_case, extraContext: Record<string, string>) => {
    const root = registry().root;
    const one = synth(root, '1', undefined, {}, extraContext);
    expect(one.stderr).toBe('');
    expect(one.status).toBe(0);
    const expected = files(one.outdir);
    expect([...expected.keys()].filter((f) => f.endsWith('.template.json')).sort()).toEqual(
      ['acme', 'globex', 'initech', 'umbrella', 'wayne'].map((id) => `Cell-${id}.template.json`),
    );
    expect(fs.existsSync(path.join(one.outdir, 'tree.json'))).toBe(extraContext.tree === 'true');
    for (const workers of ['2', '3']) {
      const many = synth(root, workers, undefined, {}, extraContext);
      expect(many.stderr).toBe('');
      expect(many.status).toBe(0);
      const actual = files(many.outdir);
      expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [file, hash] of expected) expect({ file, hash: actual.get(file) }).toEqual({ file, hash });
    }
  });

  // Only manifest.json is a versioned schema, and its consumers must know every instruction in it (aws-cdk-lib
  // "Cloud Assembly Schema" README, "Versioning"): here each worker, as a newer CDK might, adds a nested-assembly artifact.
  test('workers whose assemblies the merge does not know make the app synthesize in one process, with one line saying so', () => {
    const root = registry().root;
    const preload = path.join(tmp('cellkit-parallel-preload-'), 'future-layout.js');
    fs.writeFileSync(
      preload,
      [
        "if (process.env.CELLKIT_WORKER) process.on('exit', () => {",
        "  const file = require('path').join(process.env.CDK_OUTDIR, 'manifest.json');",
        "  const m = JSON.parse(require('fs').readFileSync(file, 'utf8'));",
        "  const stack = Object.keys(m.artifacts).find((id) => m.artifacts[id].type === 'aws:cloudformation:stack');",
        "  m.artifacts[`${stack}.nested`] = { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-x', displayName: 'x' } };",
        "  require('fs').writeFileSync(file, JSON.stringify(m));",
        '});',
      ].join('\n'),
    );
    const two = synth(root, '2', undefined, { NODE_OPTIONS: `--require ${preload}` });
    expect(two.stderr).toBe(
      'cellkit: parallel synth: artifact "Cell-acme.nested" of worker 1 has type "cdk:cloud-assembly"; the merge knows aws:cloudformation:stack and cdk:asset-manifest per stack;' +
        ' synthesizing in one process instead (-c workers=1 goes straight there)\n',
    );
    expect(two.status).toBe(0);
    const one = synth(root, '1').outdir;
    const expected = files(one);
    const actual = files(two.outdir);
    expect([...actual.keys()].filter((f) => !f.startsWith('.cellkit-workers-')).sort()).toEqual([...expected.keys()].sort());
    // Byte for byte, but for the creation traces of annotations in *.metadata.json: they name this call site.
    const withoutTraces = (file: string) => JSON.stringify(JSON.parse(fs.readFileSync(file, 'utf8')), (k, v) => (k === 'trace' ? undefined : v));
    for (const [file, hash] of expected) {
      if (file.endsWith('.metadata.json')) expect(withoutTraces(path.join(two.outdir, file))).toBe(withoutTraces(path.join(one, file)));
      else expect({ file, hash: actual.get(file) }).toEqual({ file, hash });
    }
  });

  test('a second synth into the same cdk.out, after a tenant changed, writes what one process writes', () => {
    const dir = registry();
    const outdir = synth(dir.root, '2').outdir;
    dir.writeTenant('globex', teamSpec({ id: 'globex', sizing: 'prod' }));
    const again = synth(dir.root, '2', outdir);
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    const fresh = files(synth(dir.root, '1').outdir);
    const actual = files(outdir);
    for (const [file, hash] of fresh) expect({ file, hash: actual.get(file) }).toEqual({ file, hash });
    expect(fs.readFileSync(path.join(outdir, 'Cell-globex.template.json'), 'utf8')).toContain('db.m7g.large');
  });
});

describe('synthesizeInWorkers', () => {
  test('a failing worker fails the synth with its stderr, and leaves no manifest for the CLI to read', async () => {
    const outdir = tmp('cellkit-parallel-fail-');
    const script = 'if (process.env.CELLKIT_WORKER === "2/2") { console.error("nag: AwsSolutions-KMS5 on Cell-b"); process.exit(3); }';
    await expect(synthesizeInWorkers({ outdir, stacks: ['Cell-a', 'Cell-b'], workers: 2, command: [process.execPath, '-e', script], env: process.env })).rejects.toThrow(
      /fleet worker 2\/2 \(1 stacks\) failed with exit code 3:\nnag: AwsSolutions-KMS5 on Cell-b/,
    );
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  test('every worker runs to the end: all failures are reported and their nag reports land in cdk.out', async () => {
    const outdir = tmp('cellkit-parallel-report-');
    // A fake worker that fails the way a cdk-nag finding fails a CDK app: report file, message naming it, exit 1.
    const script = [
      "const fs = require('fs'); const path = require('path');",
      'const k = process.env.CELLKIT_WORKER.split("/")[0];',
      'if (k === "1") setTimeout(() => {}, 300);',
      "const report = path.join(process.env.CDK_OUTDIR, 'validation-report.json');",
      "fs.writeFileSync(report, JSON.stringify({ version: '55.0.0', title: 'Validation Report', pluginReports: [{ summary: { pluginName: 'AwsSolutions-' + k } }] }));",
      "console.error('Validation failed in worker ' + k + '. A copy of this report can be found in: ' + report);",
      'setTimeout(() => process.exit(1), k === "1" ? 300 : 0);',
    ].join('\n');
    const failure = synthesizeInWorkers({ outdir, stacks: ['Cell-a', 'Cell-b'], workers: 2, command: [process.execPath, '-e', script], env: process.env });
    await expect(failure).rejects.toThrow(`fleet worker 1/2 (1 stacks) failed with exit code 1:\nValidation failed in worker 1. A copy of this report can be found in: ${path.join(outdir, 'validation-report.json')}`);
    await expect(failure).rejects.toThrow(`fleet worker 2/2 (1 stacks) failed with exit code 1:\nValidation failed in worker 2.`);
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.map((r: { summary: { pluginName: string } }) => r.summary.pluginName)).toEqual(['AwsSolutions-1', 'AwsSolutions-2']);
    expect(fs.readdirSync(outdir)).toEqual(['validation-report.json']);
  });

  test('SIGTERM stops the workers and removes their scratch folder', () => {
    const outdir = tmp('cellkit-parallel-signal-');
    const pids = tmp('cellkit-parallel-pids-');
    const worker = `require('fs').writeFileSync(require('path').join(${JSON.stringify(pids)}, String(process.pid)), ''); setTimeout(() => {}, 60000);`;
    const parent = [
      `const { synthesizeInWorkers } = require(${JSON.stringify(path.join(REPO_ROOT, 'lib/fleet/parallel-synth'))});`,
      `synthesizeInWorkers({ outdir: ${JSON.stringify(outdir)}, stacks: ['Cell-a', 'Cell-b'], workers: 2, command: [process.execPath, '-e', ${JSON.stringify(worker)}], env: process.env });`,
    ].join('\n');
    const script = path.join(tmp('cellkit-parallel-parent-'), 'parent.ts');
    fs.writeFileSync(script, parent);
    // The parent sends itself SIGTERM once both workers have started, like a CI job being cancelled.
    const watcher = `const fs = require('fs'); const t = setInterval(() => { if (fs.readdirSync(${JSON.stringify(pids)}).length === 2) { clearInterval(t); process.kill(process.pid, 'SIGTERM'); } }, 50);`;
    const r = spawnSync(process.execPath, ['-e', `${watcher}\nprocess.argv = [process.argv[0], ${JSON.stringify(path.join(REPO_ROOT, 'bin/run-ts.js'))}, ${JSON.stringify(script)}]; require(process.argv[1]);`], { encoding: 'utf8', timeout: 30_000 });
    expect(r.signal).toBe('SIGTERM');
    expect(fs.readdirSync(pids)).toHaveLength(2);
    const running = (pid: number) => {
      try {
        process.kill(pid, 0);
        return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z'; // a zombie is already dead
      } catch {
        return false;
      }
    };
    // Signals are delivered asynchronously: allow the workers a moment to exit, no more.
    const deadline = Date.now() + 3000;
    let alive = fs.readdirSync(pids).map(Number).filter(running);
    while (alive.length && Date.now() < deadline) {
      spawnSync('sleep', ['0.1']);
      alive = alive.filter(running);
    }
    expect(alive).toEqual([]);
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  test("workers get the app's environment and their assignment, but not the CLI's performance counter file", async () => {
    const outdir = tmp('cellkit-parallel-env-');
    const script = 'console.error([process.env.CELLKIT_WORKER, process.env.CELLKIT_TEST_CONTEXT, process.env.CDK_PERF_COUNTERS_FILE ?? "none", process.env.CDK_OUTDIR.startsWith(process.argv[1])].join(" ")); process.exit(1);';
    const env = { ...process.env, CELLKIT_TEST_CONTEXT: 'from-the-cli', CDK_PERF_COUNTERS_FILE: '/tmp/perf.json' };
    const failure = synthesizeInWorkers({ outdir, stacks: ['Cell-a', 'Cell-b'], workers: 2, command: [process.execPath, '-e', script, outdir], env });
    await expect(failure).rejects.toThrow('fleet worker 1/2 (1 stacks) failed with exit code 1:\n1/2 from-the-cli none true');
    await expect(failure).rejects.toThrow('fleet worker 2/2 (1 stacks) failed with exit code 1:\n2/2 from-the-cli none true');
  });

  test('a worker that writes no assembly fails the synth instead of leaving stacks out', async () => {
    const outdir = tmp('cellkit-parallel-empty-');
    await expect(synthesizeInWorkers({ outdir, stacks: ['Cell-a', 'Cell-b'], workers: 2, command: [process.execPath, '-e', ''], env: process.env })).rejects.toThrow(
      /^parallel synth: could not merge the workers' cloud assemblies: .*manifest\.json/,
    );
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  test('fewer than two workers, or more workers than stacks, is refused', async () => {
    const outdir = tmp('cellkit-parallel-args-');
    await expect(synthesizeInWorkers({ outdir, stacks: ['Cell-a'], workers: 1, command: ['true'], env: process.env })).rejects.toThrow('workers must be a whole number >= 2; got 1');
    await expect(synthesizeInWorkers({ outdir, stacks: ['Cell-a'], workers: 2, command: ['true'], env: process.env })).rejects.toThrow('2 workers for 1 stacks would leave a worker empty');
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

  test('an artifact of a stack with a type the merge does not know is a layout error, and nothing is written', () => {
    const a = assembly({ 'Cell-a': stack('Cell-a'), 'Cell-a.nested': { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-a' } } });
    const out = tmp('cellkit-merge-out-');
    expect(() => mergeAssemblies(out, ['Cell-a'], [a])).toThrow(AssemblyLayoutError);
    expect(() => mergeAssemblies(out, ['Cell-a'], [a])).toThrow('artifact "Cell-a.nested" of worker 1 has type "cdk:cloud-assembly"; the merge knows aws:cloudformation:stack and cdk:asset-manifest per stack');
    expect(fs.readdirSync(out)).toEqual([]);
  });

  test('an app-level artifact that only some workers wrote is a layout error', () => {
    const a = assembly({ 'Cell-a': stack('Cell-a'), Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } } });
    const b = assembly({ 'Cell-b': stack('Cell-b') });
    const out = tmp('cellkit-merge-out-');
    expect(() => mergeAssemblies(out, ['Cell-a', 'Cell-b'], [a, b])).toThrow(new AssemblyLayoutError('parallel synth: worker 2 did not write artifact "Tree", which other workers wrote'));
    expect(fs.readdirSync(out)).toEqual([]);
  });

  test('workers that disagree on an app-level artifact are an error', () => {
    const a = assembly({ 'Cell-a': stack('Cell-a'), Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } } });
    const b = assembly({ 'Cell-b': stack('Cell-b'), Tree: { type: 'cdk:tree', properties: { file: 'other.json' } } });
    expect(() => mergeAssemblies(tmp('cellkit-merge-out-'), ['Cell-a', 'Cell-b'], [a, b])).toThrow('workers disagree on artifact "Tree" (worker 2 differs from worker 1)');
  });

  test('context lookups any worker could not answer are all passed on to the CLI', () => {
    const lookup = (account: string) => ({ key: `availability-zones:account=${account}:region=eu-west-2`, provider: 'availability-zones', props: { account, region: 'eu-west-2' } });
    const a = assembly({ 'Cell-a': stack('Cell-a') });
    const b = assembly({ 'Cell-b': stack('Cell-b') });
    for (const [dir, missing] of [[a, [lookup('1'), lookup('2')]], [b, [lookup('2'), lookup('3')]]] as const) {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
      fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, missing }));
    }
    const out = tmp('cellkit-merge-out-');
    mergeAssemblies(out, ['Cell-a', 'Cell-b'], [a, b]);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')).missing.map((l: { props: { account: string } }) => l.props.account)).toEqual(['1', '2', '3']);
  });

  test('files a previous synth left in cdk.out are replaced, not compared', () => {
    const a = assembly({ 'Cell-a': stack('Cell-a') });
    fs.writeFileSync(path.join(a, 'Cell-a.template.json'), '{"new":true}');
    const out = tmp('cellkit-merge-out-');
    fs.writeFileSync(path.join(out, 'Cell-a.template.json'), '{"old":true}');
    mergeAssemblies(out, ['Cell-a'], [a]);
    expect(fs.readFileSync(path.join(out, 'Cell-a.template.json'), 'utf8')).toBe('{"new":true}');
  });

  test('artifacts follow the stack order given, then app-level artifacts', () => {
    const a = assembly({ 'Cell-b.assets': { type: 'cdk:asset-manifest', properties: { file: 'Cell-b.assets.json' } }, 'Cell-b': stack('Cell-b'), Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } } });
    const b = assembly({ 'Cell-a': stack('Cell-a'), Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } } });
    const out = tmp('cellkit-merge-out-');
    mergeAssemblies(out, ['Cell-a', 'Cell-b'], [a, b]);
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')).artifacts)).toEqual(['Cell-a', 'Cell-b.assets', 'Cell-b', 'Tree']);
  });
});
