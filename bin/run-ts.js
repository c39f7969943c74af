#!/usr/bin/env node
'use strict';
// The CDK app command (cdk.json): `node bin/run-ts.js bin/app.ts`. Runs a TypeScript entry point
// without type checking (`npm test` type-checks). A synth loads ~900 modules; this keeps their cost low:
// - only `.ts` files are transpiled (esbuild), each once per content; node_modules load through Node's
//   own loader (tsx's loader inspects every one of them);
// - a V8 code cache keeps the modules' compiled code between runs: Node's own on Node 22.1+, ./compile-cache.js
//   on Node 20 (CELLKIT_CODE_CACHE, below).
// Measured against tsx, Node's type stripping and Node's compile cache in docs/performance.md.
//
// The caches live in the checkout, in node_modules/.cache/cellkit/ (ts/, and v8/ or node/), never in the shared
// temp dir: that folder belongs to whoever installed the checkout, other local users cannot plant code
// in it, and `npm ci` empties it. Clear it by hand with `rm -rf node_modules/.cache/cellkit`.
// CELLKIT_CACHE_DIR=<dir> puts them in <dir> instead (tests use it to own their caches); it must
// be a folder only you can write to. If the cache folder cannot be created or written, runs still work,
// only slower.
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');

const entry = process.argv[2];
if (!entry) {
  process.stderr.write('usage: node bin/run-ts.js <entry.ts> [args...]\n');
  process.exit(2);
}

const cacheRoot = process.env.CELLKIT_CACHE_DIR || path.join(__dirname, '..', 'node_modules', '.cache', 'cellkit');
// Node's own compile registers source maps; the code cache's does not. Our few `.ts` files keep Node's.
const compileWithSourceMaps = Module.prototype._compile;
const { install, writeAtomically } = require('./compile-cache');

// Which V8 code cache keeps compiled code between runs (docs/performance.md, "Home-made machinery, measured"):
// `node`, Node 22.1+'s module.enableCompileCache() (a public API), by default wherever Node has it: there
// ./compile-cache.js saved under 10% of a whole synth; `cellkit`, ./compile-cache.js, by default on Node 20, which
// has no compile cache of its own (it saves ~12% there); `off`. Set CELLKIT_CODE_CACHE to choose.
const CODE_CACHES = ['cellkit', 'node', 'off'];
const codeCache = process.env.CELLKIT_CODE_CACHE || (typeof Module.enableCompileCache === 'function' ? 'node' : 'cellkit');
if (!CODE_CACHES.includes(codeCache)) {
  process.stderr.write(`run-ts: CELLKIT_CODE_CACHE: got ${JSON.stringify(codeCache)}; expected one of ${CODE_CACHES.join(', ')}\n`);
  process.exit(2);
}
// A cache only ever costs speed: where this Node lacks what one needs, runs go on without it.
try {
  if (codeCache === 'cellkit') install(path.join(cacheRoot, 'v8', 'modules.cache'));
  else if (codeCache === 'node' && typeof Module.enableCompileCache === 'function') Module.enableCompileCache(path.join(cacheRoot, 'node'));
} catch {
  // compile as usual
}

const ESBUILD_VERSION = require('esbuild/package.json').version;
const OPTIONS = { loader: 'ts', format: 'cjs', target: 'node20', sourcemap: 'inline' };
const cacheDir = path.join(cacheRoot, 'ts');
let esbuild;

/**
 * Transpiled JavaScript of one TypeScript file. The cache holds one file per source file, named by a hash
 * of its absolute path, so it stays bounded however often files are edited: its first line is
 * `// <key>`, the key covering the path (for source maps), the source and esbuild; any other key is a
 * miss, and the file is rewritten with the new code.
 */
function transpile(filename, source) {
  const key = crypto.createHash('sha256').update(JSON.stringify([ESBUILD_VERSION, OPTIONS, filename])).update('\0').update(source).digest('hex');
  const header = `// ${key}\n`;
  const cached = path.join(cacheDir, `${crypto.createHash('sha256').update(filename).digest('hex').slice(0, 32)}.js`);
  try {
    const text = fs.readFileSync(cached, 'utf8');
    if (text.startsWith(header)) return text.slice(header.length);
  } catch {
    // not cached yet
  }
  esbuild ??= require('esbuild');
  const { code } = esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename });
  writeAtomically(cached, header + code);
  return code;
}

Module._extensions['.ts'] = (module, filename) => {
  compileWithSourceMaps.call(module, transpile(filename, fs.readFileSync(filename, 'utf8')), filename);
};
// Errors point at TypeScript lines (module.setSourceMapsSupport since Node 22.14; the older call before).
if (typeof Module.setSourceMapsSupport === 'function') Module.setSourceMapsSupport(true);
else if (typeof process.setSourceMapsEnabled === 'function') process.setSourceMapsEnabled(true);

// The entry point sees argv as if run directly: Node sets argv[1] to the main script's absolute path.
process.argv.splice(1, 1);
process.argv[1] = path.resolve(entry);
require(process.argv[1]);
