// bin/run-ts.js, the app command's TypeScript runner: transpiles without type checking, caches by content.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from '../fixtures';

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

function runTs(args: string[], tmpdir: string) {
  // TMPDIR moves the transpile cache (and V8's code cache) into a folder this test owns.
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/run-ts.js'), ...args], { encoding: 'utf8', env: { ...process.env, TMPDIR: tmpdir } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bin/run-ts.js', () => {
  test('runs a TypeScript entry point that imports TypeScript, as if run directly', () => {
    const dir = tmp('cellkit-run-ts-');
    fs.writeFileSync(path.join(dir, 'lib.ts'), 'export const greet = (name: string): string => `hello ${name}`;\n');
    fs.writeFileSync(path.join(dir, 'main.ts'), "import { greet } from './lib';\nconst who: string = process.argv[2];\nconsole.log(greet(who), require('path').basename(process.argv[1]), require('path').basename(__dirname) === require('path').basename(process.cwd()));\n");
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/run-ts.js'), 'main.ts', 'world'], { cwd: dir, encoding: 'utf8', env: { ...process.env, TMPDIR: tmp('cellkit-run-ts-cache-') } });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('hello world main.ts true');
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
    const cached = fs.readdirSync(cache).filter((d) => d.startsWith('cellkit-ts-'));
    expect(cached).toHaveLength(1);
    expect(fs.readdirSync(path.join(cache, cached[0])).filter((f) => f.endsWith('.js'))).toHaveLength(1);
    fs.writeFileSync(main, "const v: string = 'second';\nconsole.log(v);\n");
    expect(runTs([main], cache).stdout.trim()).toBe('second');
    expect(fs.readdirSync(path.join(cache, cached[0])).filter((f) => f.endsWith('.js'))).toHaveLength(2);
    expect(runTs([main], cache).stdout.trim()).toBe('second');
  });

  test('errors point at TypeScript lines', () => {
    const dir = tmp('cellkit-run-ts-');
    const main = path.join(dir, 'main.ts');
    fs.writeFileSync(main, ['interface A {', '  readonly x: number;', '}', 'const a: A = { x: 1 };', 'if (a.x === 1) throw new Error("boom");', ''].join('\n'));
    const r = runTs([main], tmp('cellkit-run-ts-cache-'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Error: boom');
    expect(r.stderr).toContain(`${main}:5:`);
  });

  test('without an entry point it prints usage and exits 2', () => {
    const r = runTs([], tmp('cellkit-run-ts-cache-'));
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('usage: node bin/run-ts.js <entry.ts> [args...]\n');
  });
});
