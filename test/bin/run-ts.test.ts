// bin/run-ts.js, the app command's TypeScript runner: transpiles without type checking, caches by content.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import Module from 'module';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from '../fixtures';

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
/** Where the caches live unless CELLKIT_CACHE_DIR says otherwise: inside the checkout. */
const DEFAULT_CACHE = path.join(REPO_ROOT, 'node_modules', '.cache', 'cellkit');

function runTs(args: string[], cacheDir: string, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  // CELLKIT_CACHE_DIR moves the transpile cache (ts/) and V8's code cache (v8/) into a folder this test owns.
  const env = { ...process.env, CELLKIT_CACHE_DIR: cacheDir, ...options.env };
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/run-ts.js'), ...args], { encoding: 'utf8', cwd: options.cwd, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tsCache = (cacheDir: string) => (fs.existsSync(path.join(cacheDir, 'ts')) ? fs.readdirSync(path.join(cacheDir, 'ts')).filter((f) => f.endsWith('.js')) : []);

describe('bin/run-ts.js', () => {
  test('runs a TypeScript entry point that imports TypeScript, as if run directly', () => {
    const dir = tmp('cellkit-run-ts-');
    fs.writeFileSync(path.join(dir, 'lib.ts'), 'export const greet = (name: string): string => `hello ${name}`;\n');
    fs.writeFileSync(path.join(dir, 'main.ts'), "import { greet } from './lib';\nconst who: string = process.argv[2];\nconsole.log(greet(who), require('path').basename(process.argv[1]), require('path').basename(__dirname) === require('path').basename(process.cwd()));\n");
    const r = runTs(['main.ts', 'world'], tmp('cellkit-run-ts-cache-'), { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('hello world main.ts true');
  });

  test('process.argv[1] is the absolute path of the entry point, as Node sets it for a main script', () => {
    const dir = fs.realpathSync(tmp('cellkit-run-ts-'));
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'sub', 'main.ts'), 'console.log(JSON.stringify(process.argv.slice(1)));\n');
    const r = runTs([path.join('sub', 'main.ts'), 'a', 'b'], tmp('cellkit-run-ts-cache-'), { cwd: dir });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([path.join(dir, 'sub', 'main.ts'), 'a', 'b']);
  });

  test('does not type-check: a type error still runs (npm test type-checks)', () => {
    const dir = tmp('cellkit-run-ts-');
    fs.writeFileSync(path.join(dir, 'main.ts'), "const n: number = 'not a number' as unknown as string as any;\nconsole.log(typeof n);\n");
    expect(runTs([path.join(dir, 'main.ts')], tmp('cellkit-run-ts-cache-')).stdout.trim()).toBe('string');
  });

  test('the cache is keyed on content: an edited file runs its new code, never a stale copy', () => {
    const dir = tmp('cellkit-run-ts-');
    const cache = tmp('cellkit-run-ts-cache-');
    const main = path.join(dir, 'main.ts');
    fs.writeFileSync(main, "const v: string = 'first';\nconsole.log(v);\n");
    expect(runTs([main], cache).stdout.trim()).toBe('first');
    expect(tsCache(cache)).toHaveLength(1);
    // Same length as before, so only the content key can tell them apart.
    fs.writeFileSync(main, "const v: string = 'secnd';\nconsole.log(v);\n");
    expect(runTs([main], cache).stdout.trim()).toBe('secnd');
    expect(runTs([main], cache).stdout.trim()).toBe('secnd');
    fs.writeFileSync(main, "const v: string = 'first';\nconsole.log(v);\n");
    expect(runTs([main], cache).stdout.trim()).toBe('first');
  });

  test('the cache holds one file per source file, however often each is edited', () => {
    const dir = tmp('cellkit-run-ts-');
    const cache = tmp('cellkit-run-ts-cache-');
    const main = path.join(dir, 'main.ts');
    fs.writeFileSync(path.join(dir, 'lib.ts'), 'export const base: number = 100;\n');
    for (let edit = 1; edit <= 5; edit++) {
      fs.writeFileSync(main, `import { base } from './lib';\nconst n: number = ${edit};\nconsole.log(base + n);\n`);
      expect(runTs([main], cache).stdout.trim()).toBe(String(100 + edit));
      expect(tsCache(cache)).toHaveLength(2);
    }
    expect(fs.readdirSync(path.join(cache, 'ts')).sort()).toEqual(tsCache(cache).sort()); // no temp files left behind
  });

  test('a cache entry that does not match the source is never used, and is replaced', () => {
    const dir = tmp('cellkit-run-ts-');
    const cache = tmp('cellkit-run-ts-cache-');
    const main = path.join(dir, 'main.ts');
    fs.writeFileSync(main, "console.log('real');\n");
    expect(runTs([main], cache).stdout.trim()).toBe('real');
    const [entry] = tsCache(cache);
    fs.writeFileSync(path.join(cache, 'ts', entry), "// not-the-key\nconsole.log('planted');\n");
    expect(runTs([main], cache).stdout.trim()).toBe('real');
    expect(fs.readFileSync(path.join(cache, 'ts', entry), 'utf8')).not.toContain('planted');
  });

  test('by default the caches live in node_modules/.cache/cellkit of the checkout, never in the shared temp dir', () => {
    const dir = tmp('cellkit-run-ts-');
    const tmpdir = tmp('cellkit-run-ts-tmpdir-');
    const marker = `marker-${path.basename(dir)}`;
    fs.writeFileSync(path.join(dir, 'main.ts'), `const m: string = '${marker}';\nconsole.log(m);\n`);
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmpdir };
    delete env.CELLKIT_CACHE_DIR;
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/run-ts.js'), path.join(dir, 'main.ts')], { encoding: 'utf8', env });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(marker);
    expect(fs.readdirSync(tmpdir)).toEqual([]);
    const ours = tsCache(DEFAULT_CACHE).filter((f) => fs.readFileSync(path.join(DEFAULT_CACHE, 'ts', f), 'utf8').includes(marker));
    expect(ours).toHaveLength(1);
    fs.rmSync(path.join(DEFAULT_CACHE, 'ts', ours[0])); // leave the checkout's cache as it was
  });

  test('an unusable cache location only costs speed', () => {
    const dir = tmp('cellkit-run-ts-');
    const blocker = path.join(tmp('cellkit-run-ts-cache-'), 'a-file');
    fs.writeFileSync(blocker, '');
    fs.writeFileSync(path.join(dir, 'main.ts'), "const v: string = 'uncached';\nconsole.log(v);\n");
    const r = runTs([path.join(dir, 'main.ts')], blocker);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('uncached');
  });

  test('errors point at TypeScript lines', () => {
    const dir = tmp('cellkit-run-ts-');
    const main = path.join(dir, 'main.ts');
    fs.writeFileSync(main, ['interface A {', '  readonly x: number;', '}', 'const a: A = { x: 1 };', 'if (a.x === 1) throw new Error("boom");', ''].join('\n'));
    const cache = tmp('cellkit-run-ts-cache-');
    for (const run of ['first', 'cached']) {
      const r = runTs([main], cache);
      expect([run, r.status]).toEqual([run, 1]);
      expect(r.stderr).toContain('Error: boom');
      expect(r.stderr).toContain(`${main}:5:`);
    }
  });

  test("CELLKIT_CODE_CACHE picks the code cache: node (Node 22.1+'s, the default there), cellkit (the default on Node 20) or off", () => {
    const dir = tmp('cellkit-run-ts-');
    fs.writeFileSync(path.join(dir, 'main.ts'), "const v: string = 'ran';\nconsole.log(v);\n");
    const nodeHasCompileCache = typeof (Module as unknown as Record<string, unknown>).enableCompileCache === 'function';
    for (const mode of [undefined, 'cellkit', 'node', 'off']) {
      const cache = tmp('cellkit-run-ts-cache-');
      const r = runTs([path.join(dir, 'main.ts')], cache, { env: { CELLKIT_CODE_CACHE: mode } });
      expect([mode, r.stderr, r.status, r.stdout.trim()]).toEqual([mode, '', 0, 'ran']);
      const chosen = mode ?? (nodeHasCompileCache ? 'node' : 'cellkit');
      expect([mode, fs.existsSync(path.join(cache, 'v8', 'modules.cache'))]).toEqual([mode, chosen === 'cellkit']);
      expect([mode, fs.existsSync(path.join(cache, 'node'))]).toEqual([mode, chosen === 'node' && nodeHasCompileCache]);
    }
  });

  test('an unknown CELLKIT_CODE_CACHE is refused naming the variable, the value and what is allowed', () => {
    const r = runTs(['main.ts'], tmp('cellkit-run-ts-cache-'), { env: { CELLKIT_CODE_CACHE: 'v8' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('run-ts: CELLKIT_CODE_CACHE: got "v8"; expected one of cellkit, node, off\n');
    expect(r.stdout).toBe('');
  });

  // As if a future Node dropped the APIs the runner builds on (vm code caches, the source map switches):
  // runs must go on, only without the cache, and print nothing.
  describe('on a Node without the APIs the caches and source maps use', () => {
    const preload = path.join(tmp('cellkit-run-ts-preload-'), 'older-node.js');
    fs.writeFileSync(preload, "require('vm').Script.prototype.createCachedData = undefined;\ndelete require('module').setSourceMapsSupport;\ndelete process.setSourceMapsEnabled;\n");
    const withPreload = { NODE_OPTIONS: `--require ${preload}` };

    test('a TypeScript entry point runs, and no V8 cache is written', () => {
      const dir = tmp('cellkit-run-ts-');
      fs.writeFileSync(path.join(dir, 'main.ts'), "import * as vm from 'vm';\nconsole.log(typeof vm.Script.prototype.createCachedData);\n");
      const cache = tmp('cellkit-run-ts-cache-');
      const r = runTs([path.join(dir, 'main.ts')], cache, { env: withPreload });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('undefined');
      expect(fs.existsSync(path.join(cache, 'v8'))).toBe(false);
    });

    test("the app synthesizes a tenant with no stack trace (cdk.json's app command)", () => {
      const outdir = tmp('cellkit-run-ts-out-');
      const { context } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
      const env = { ...withPreload, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ ...context, tenant: 'contoso' }) };
      const r = runTs([path.join(REPO_ROOT, 'bin/app.ts')], tmp('cellkit-run-ts-cache-'), { cwd: REPO_ROOT, env });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'))).toEqual(['Cell-contoso.template.json']);
    });
  });

  test('without an entry point it prints usage and exits 2', () => {
    const r = runTs([], tmp('cellkit-run-ts-cache-'));
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('usage: node bin/run-ts.js <entry.ts> [args...]\n');
  });
});
