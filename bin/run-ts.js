#!/usr/bin/env node
'use strict';
// The CDK app command (cdk.json): `node bin/run-ts.js bin/app.ts`. Runs a TypeScript entry point
// without type checking (`npm test` type-checks). A synth loads ~900 modules; this keeps their cost low:
// - only `.ts` files are transpiled (esbuild), each once per content, cached in the temp dir;
//   node_modules load through Node's own loader (tsx's loader inspects every one of them);
// - ./compile-cache.js keeps V8's compiled code of node_modules between runs.
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const os = require('os');
const path = require('path');

const entry = process.argv[2];
if (!entry) {
  process.stderr.write('usage: node bin/run-ts.js <entry.ts> [args...]\n');
  process.exit(2);
}

const user = typeof process.getuid === 'function' ? process.getuid() : 'user';
// Node's own compile registers source maps; the code cache's does not. Our few `.ts` files keep Node's.
const compileWithSourceMaps = Module.prototype._compile;
// One cache per checkout: it holds that checkout's node_modules only, so it stays bounded.
const checkout = crypto.createHash('sha256').update(path.resolve(__dirname, '..')).digest('hex').slice(0, 16);
require('./compile-cache').install(path.join(os.tmpdir(), `cellkit-v8-cache-${user}`, `${checkout}.cache`));

const ESBUILD_VERSION = require('esbuild/package.json').version;
const OPTIONS = { loader: 'ts', format: 'cjs', target: 'node20', sourcemap: 'inline' };
const cacheDir = path.join(os.tmpdir(), `cellkit-ts-${user}`);
let esbuild;

/** Transpiled JavaScript of one TypeScript file; the cache key covers the path (for source maps), source and esbuild. */
function transpile(filename, source) {
  const key = crypto.createHash('sha256').update(JSON.stringify([ESBUILD_VERSION, OPTIONS, filename])).update('\0').update(source).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    esbuild ??= require('esbuild');
    const { code } = esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename });
    // Written aside and renamed: concurrent synths (parallel fleet workers) never read half a file.
    const tmp = `${cached}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, cached);
    } catch {
      fs.rmSync(tmp, { force: true }); // an unwritable temp dir only costs speed
    }
    return code;
  }
}

Module._extensions['.ts'] = (module, filename) => {
  compileWithSourceMaps.call(module, transpile(filename, fs.readFileSync(filename, 'utf8')), filename);
};
// Errors point at TypeScript lines.
process.setSourceMapsEnabled(true);

process.argv.splice(1, 1); // the entry point sees argv as if run directly
require(path.resolve(entry));
