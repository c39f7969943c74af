// bin/compile-cache.js: V8 code cache written at exit. It must never serve stale code, and never fail a run.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from '../fixtures';

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/** Runs node: installs the cache at `cacheFile`, requires `module`, prints its export and the cache's hits/misses. */
function run(cacheFile: string, module: string) {
  const script = [
    `const cache = require(${JSON.stringify(path.join(REPO_ROOT, 'bin/compile-cache.js'))}).install(${JSON.stringify(cacheFile)});`,
    // value() may return a promise (a module using import()); the result is printed once it settles.
    `Promise.resolve(require(${JSON.stringify(module)}).value()).then((value) => process.on('exit', () => console.log(JSON.stringify({ value, ...cache.stats() }))));`,
  ].join('\n');
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as { value: string; hits: number; misses: number };
}

/** The cache file's header: format, tag and entries by filename. */
function header(file: string): { tag: string; entries: Record<string, unknown> } {
  const bytes = fs.readFileSync(file);
  return JSON.parse(bytes.subarray(4, 4 + bytes.readUInt32LE(0)).toString('utf8'));
}

function modules() {
  const dir = tmp('cellkit-cc-mods-');
  fs.writeFileSync(path.join(dir, 'dep.js'), "exports.word = () => 'cached';\n");
  fs.writeFileSync(path.join(dir, 'main.js'), "const dep = require('./dep');\nexports.value = () => dep.word();\n");
  return dir;
}

describe('bin/compile-cache.js', () => {
  test('the first run writes the cache; the next run compiles nothing and leaves the file alone', () => {
    const dir = modules();
    const file = path.join(tmp('cellkit-cc-'), 'sub', 'modules.cache');
    expect(run(file, path.join(dir, 'main.js'))).toEqual({ value: 'cached', hits: 0, misses: 2 });
    expect(fs.existsSync(file)).toBe(true);
    const written = fs.statSync(file).mtimeMs;
    expect(run(file, path.join(dir, 'main.js'))).toEqual({ value: 'cached', hits: 2, misses: 0 });
    expect(fs.statSync(file).mtimeMs).toBe(written);
  });

  test('an edited module runs its new code, never the cached one', () => {
    const dir = modules();
    const file = path.join(tmp('cellkit-cc-'), 'modules.cache');
    run(file, path.join(dir, 'main.js'));
    // Same length as before, so only the content hash can tell them apart.
    fs.writeFileSync(path.join(dir, 'dep.js'), "exports.word = () => 'changd';\n");
    expect(run(file, path.join(dir, 'main.js'))).toEqual({ value: 'changd', hits: 1, misses: 1 });
    expect(run(file, path.join(dir, 'main.js'))).toEqual({ value: 'changd', hits: 2, misses: 0 });
  });

  test('a corrupt cache file is ignored and replaced', () => {
    const dir = modules();
    const file = path.join(tmp('cellkit-cc-'), 'modules.cache');
    fs.writeFileSync(file, 'not a cache');
    expect(run(file, path.join(dir, 'main.js'))).toEqual({ value: 'cached', hits: 0, misses: 2 });
    expect(run(file, path.join(dir, 'main.js'))).toEqual({ value: 'cached', hits: 2, misses: 0 });
  });

  test('a cache from another Node version is not used', () => {
    const dir = modules();
    const file = path.join(tmp('cellkit-cc-'), 'modules.cache');
    run(file, path.join(dir, 'main.js'));
    // latin1 maps bytes 1:1 to characters: the header is ASCII JSON after a 4-byte little-endian length.
    const bytes = fs.readFileSync(file, 'latin1');
    const u32 = (at: number) => bytes.charCodeAt(at) | (bytes.charCodeAt(at + 1) << 8) | (bytes.charCodeAt(at + 2) << 16) | (bytes.charCodeAt(at + 3) << 24);
    const headerLength = u32(0);
    const header = JSON.parse(bytes.slice(4, 4 + headerLength));
    expect(header.tag).toContain(process.version);
    const other = JSON.stringify({ ...header, tag: header.tag.replace(process.version, 'v0.0.1') });
    const length = String.fromCharCode(other.length & 0xff, (other.length >> 8) & 0xff, (other.length >> 16) & 0xff, (other.length >> 24) & 0xff);
    fs.writeFileSync(file, length + other + bytes.slice(4 + headerLength), 'latin1');
    expect(run(file, path.join(dir, 'main.js'))).toEqual({ value: 'cached', hits: 0, misses: 2 });
  });

  test('modules with a hashbang line load', () => {
    const dir = tmp('cellkit-cc-mods-');
    fs.writeFileSync(path.join(dir, 'cli.js'), "#!/usr/bin/env node\nexports.value = () => 'hashbang';\n");
    const file = path.join(tmp('cellkit-cc-'), 'modules.cache');
    expect(run(file, path.join(dir, 'cli.js')).value).toBe('hashbang');
    expect(run(file, path.join(dir, 'cli.js'))).toEqual({ value: 'hashbang', hits: 1, misses: 0 });
  });

  test('a module using import() loads and works, on the first and on the cached run, as under plain Node', () => {
    const dir = modules();
    fs.writeFileSync(path.join(dir, 'esm.mjs'), "export const word = 'esm';\n");
    fs.writeFileSync(
      path.join(dir, 'dynamic.js'),
      "const dep = require('./dep');\nexports.value = async () => { const os = await import('node:os'); const esm = await import('./esm.mjs'); return `${typeof os.cpus} ${esm.word} ${dep.word()}`; };\n",
    );
    const file = path.join(tmp('cellkit-cc-'), 'modules.cache');
    // dep.js is cached as usual; a module with import() is compiled by Node itself, so import() behaves as in plain Node.
    expect(run(file, path.join(dir, 'dynamic.js'))).toEqual({ value: 'function esm cached', hits: 0, misses: 1 });
    expect(run(file, path.join(dir, 'dynamic.js'))).toEqual({ value: 'function esm cached', hits: 1, misses: 0 });
  });

  test("entries of deleted modules are dropped when the cache is rewritten, so it holds one entry per existing file", () => {
    const file = path.join(tmp('cellkit-cc-'), 'modules.cache');
    const gone = modules();
    run(file, path.join(gone, 'main.js'));
    expect(Object.keys(header(file).entries).sort()).toEqual([path.join(gone, 'dep.js'), path.join(gone, 'main.js')]);
    fs.rmSync(gone, { recursive: true });
    const kept = modules();
    expect(run(file, path.join(kept, 'main.js'))).toEqual({ value: 'cached', hits: 0, misses: 2 });
    expect(Object.keys(header(file).entries).sort()).toEqual([path.join(kept, 'dep.js'), path.join(kept, 'main.js')]);
  });

  // Node 20.19+, 22.12+ and 24 load ES modules through require() (https://nodejs.org/api/modules.html,
  // "Loading ECMAScript modules using require()"), handing Module.prototype._compile a third argument, the format.
  test('an ES module loaded by require() loads as under plain Node: Node compiles what is not CommonJS', () => {
    const dir = modules();
    fs.mkdirSync(path.join(dir, 'esm'));
    fs.writeFileSync(path.join(dir, 'esm', 'package.json'), '{ "type": "module" }\n');
    fs.writeFileSync(path.join(dir, 'esm', 'index.js'), "export const word = 'esm';\n");
    fs.writeFileSync(path.join(dir, 'req-esm.js'), "const dep = require('./dep');\nexports.value = () => `${require('./esm/index.js').word} ${dep.word()}`;\n");
    const file = path.join(tmp('cellkit-cc-'), 'modules.cache');
    expect(run(file, path.join(dir, 'req-esm.js'))).toEqual({ value: 'esm cached', hits: 0, misses: 2 });
    expect(run(file, path.join(dir, 'req-esm.js'))).toEqual({ value: 'esm cached', hits: 2, misses: 0 });
  });

  test('a .js file with ES module syntax and no package type falls back to Node, which detects it as an ES module', () => {
    const dir = modules();
    fs.writeFileSync(path.join(dir, 'detected.js'), "export const word = 'detected';\n");
    fs.writeFileSync(path.join(dir, 'req-detected.js'), "exports.value = () => require('./detected.js').word;\n");
    const plain = spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(path.join(dir, 'req-detected.js'))}).value())`], { encoding: 'utf8' });
    const file = path.join(tmp('cellkit-cc-'), 'modules.cache');
    const cached = run(file, path.join(dir, 'req-detected.js'));
    expect(plain.stdout.trim()).toBe('detected');
    expect(cached).toEqual({ value: 'detected', hits: 0, misses: 1 });
  });

  test('a module with a syntax error fails with the SyntaxError plain Node reports', () => {
    const dir = modules();
    fs.writeFileSync(path.join(dir, 'broken.js'), 'exports.value = () => {;\n');
    const probe = (before: string) => {
      const script = `${before}\ntry { require(${JSON.stringify(path.join(dir, 'broken.js'))}); } catch (e) { console.log(JSON.stringify([e.name, e.message, e.stack.includes(${JSON.stringify(path.join(dir, 'broken.js'))})])); }`;
      const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout);
    };
    const plain = probe('');
    expect(plain[0]).toBe('SyntaxError');
    expect(probe(`require(${JSON.stringify(path.join(REPO_ROOT, 'bin/compile-cache.js'))}).install(${JSON.stringify(path.join(tmp('cellkit-cc-'), 'modules.cache'))});`)).toEqual(plain);
  });

  test('on a Node without an API the cache needs, install() patches nothing and modules load as usual', () => {
    const dir = modules();
    const file = path.join(tmp('cellkit-cc-'), 'modules.cache');
    // As if a future V8 dropped code caches from vm.Script (shadowed: the method lives on its base class): the cache must step aside, not crash.
    const script = [
      "const Module = require('module'); require('vm').Script.prototype.createCachedData = undefined; const nodeCompile = Module.prototype._compile;",
      `const cache = require(${JSON.stringify(path.join(REPO_ROOT, 'bin/compile-cache.js'))}).install(${JSON.stringify(file)});`,
      `console.log(JSON.stringify({ active: cache.active, untouched: Module.prototype._compile === nodeCompile, value: require(${JSON.stringify(path.join(dir, 'main.js'))}).value() }));`,
    ].join('\n');
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ active: false, untouched: true, value: 'cached' });
    expect(fs.existsSync(file)).toBe(false);
  });

  test('an unwritable cache location only costs speed', () => {
    const dir = modules();
    const blocker = path.join(tmp('cellkit-cc-'), 'a-file');
    fs.writeFileSync(blocker, '');
    expect(run(path.join(blocker, 'modules.cache'), path.join(dir, 'main.js'))).toEqual({ value: 'cached', hits: 0, misses: 2 });
  });
});
