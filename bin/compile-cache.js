'use strict';
// A V8 code cache for CommonJS modules, written when the process exits, so it holds every function the
// run compiled and not only each module's top level (v8-compile-cache and Node's own compile cache save
// the cache right after compiling, before any function ran). A synth then skips almost all compilation
// of the ~900 modules it loads. Node 20 has nothing built in for this.
//
// Never stale: an entry is used only for the same file with the same content (SHA-1), the same
// Node/V8 and the same V8 flags; V8 rejects anything else and the module compiles as usual. It is not a
// security boundary: whoever can write the cache file can make V8 run any code, so it belongs in a folder
// only the user who runs it can write (bin/run-ts.js keeps it in the checkout's node_modules/.cache).
// Bounded: one entry per file, replaced when the file changes, and entries of files that no longer exist
// are dropped whenever the cache is rewritten. The cache is one file, replaced atomically, so concurrent
// processes (fleet workers) never read half of one.
//
// It replaces Module.prototype._compile, which is not a public API, so it steps aside wherever Node
// could differ from what it was written for: if an internal it needs is missing, install() patches nothing
// (`active: false`); modules Node hands over in another format than CommonJS (ES modules loaded by require(),
// Node 22+'s TypeScript formats) and modules V8 will not compile as a CommonJS script (Node may then detect
// ES module syntax) go to Node's own _compile with all of its arguments. test/bin/compile-cache.test.ts
// proves each of these.
//
// Modules that use `import()` are left to Node's own compile: vm.Script needs an importModuleDynamically
// callback for them, and the only one that behaves like Node's (vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER)
// prints an ExperimentalWarning on Node 20 when used. Few modules do (4 of ~950 in a synth).
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const vm = require('vm');

const FORMAT = 1;
/** `import(`, also with space or a comment before the parenthesis; a false match only skips the cache. */
const DYNAMIC_IMPORT = /\bimport\s*(?:\(|\/[/*])/;

/** Reads the cache file: a 4-byte header length, a JSON header, then the concatenated cached data. */
function readCache(file, tag) {
  try {
    const bytes = fs.readFileSync(file);
    const headerLength = bytes.readUInt32LE(0);
    const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8'));
    if (header.format !== FORMAT || header.tag !== tag) return new Map();
    const data = bytes.subarray(4 + headerLength);
    return new Map(Object.entries(header.entries).map(([filename, [hash, start, end]]) => [filename, { hash, data: data.subarray(start, end) }]));
  } catch {
    return new Map(); // no cache yet, or an unreadable one: compile as usual
  }
}

function writeCache(file, tag, entries) {
  const header = { format: FORMAT, tag, entries: {} };
  const chunks = [];
  let offset = 0;
  for (const [filename, { hash, data }] of entries) {
    header.entries[filename] = [hash, offset, offset + data.length];
    chunks.push(data);
    offset += data.length;
  }
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length, 0);
  writeAtomically(file, Buffer.concat([length, headerBytes, ...chunks]));
}

/**
 * Writes a cache file aside and renames it into place (in a private folder), so concurrent processes
 * (fleet workers) never read half a file. An unwritable cache only costs speed: returns false.
 */
function writeAtomically(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
    return true;
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing was written
    }
    return false;
  }
}

/**
 * Installs the cache for every module compiled through `Module.prototype._compile` from now on.
 * @param {string} file the cache file
 * @returns {{ active: boolean, stats: () => { hits: number, misses: number } }} `active` is false when
 *   this Node lacks an internal the cache needs: then nothing was patched and modules compile as usual.
 */
function install(file) {
  if (!supported()) return { active: false, stats: () => ({ hits: 0, misses: 0 }) };
  // Cached code is only valid for the same Node and V8; V8 itself also rejects data from other V8 flags.
  const tag = `${process.version}|${process.versions.v8}|${process.arch}`;
  const cached = readCache(file, tag);
  const compiled = []; // [filename, hash, script] of every module this run compiled
  let misses = 0;
  let hits = 0;
  const nodeCompile = Module.prototype._compile;

  Module.prototype._compile = function compile(content, filename, format) {
    // Anything but a plain CommonJS module (format undefined or 'commonjs') is Node's to compile.
    if ((format !== undefined && format !== 'commonjs') || typeof content !== 'string' || typeof filename !== 'string' || DYNAMIC_IMPORT.test(content)) {
      return Reflect.apply(nodeCompile, this, arguments);
    }
    const hash = crypto.createHash('sha1').update(content).digest('hex');
    const entry = cached.get(filename);
    const cachedData = entry && entry.hash === hash ? entry.data : undefined;
    let script;
    try {
      // A hashbang is only valid at the very start of a script, not inside Module.wrap's function.
      const source = content.startsWith('#!') ? `//${content.slice(2)}` : content;
      script = new vm.Script(Module.wrap(source), { filename, cachedData });
    } catch {
      // Not valid as a CommonJS script: Node's own compile reports the error, or loads it as an ES module.
      return Reflect.apply(nodeCompile, this, arguments);
    }
    if (cachedData && !script.cachedDataRejected) hits++;
    else misses++;
    compiled.push([filename, hash, script]);
    const mod = this;
    const require = (id) => mod.require(id);
    require.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
    require.resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
    require.main = process.mainModule;
    require.extensions = Module._extensions;
    require.cache = Module._cache;
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(mod.exports, mod.exports, require, mod, filename, path.dirname(filename));
  };

  process.once('exit', () => {
    // Rewritten only when this run met code the cache lacked; then from every module of this run,
    // so the cache also learns the functions a different run (say, a fleet instead of one tenant) used.
    if (misses === 0) return;
    try {
      const entries = new Map(cached);
      for (const filename of cached.keys()) if (!fs.existsSync(filename)) entries.delete(filename);
      for (const [filename, hash, script] of compiled) entries.set(filename, { hash, data: script.createCachedData() });
      writeCache(file, tag, entries);
    } catch {
      // never fail a synth over its cache
    }
  });
  return { active: true, stats: () => ({ hits, misses }) };
}

/** Whether every Node internal and V8 API the cache relies on is there, as in Node 20, 22 and 24. */
function supported() {
  return (
    typeof Module.prototype._compile === 'function' &&
    typeof Module.wrap === 'function' &&
    typeof Module._resolveFilename === 'function' &&
    typeof Module._resolveLookupPaths === 'function' &&
    typeof Module._extensions === 'object' &&
    typeof Module._cache === 'object' &&
    typeof vm.Script === 'function' &&
    typeof vm.Script.prototype.createCachedData === 'function' &&
    typeof vm.Script.prototype.runInThisContext === 'function'
  );
}

module.exports = { install, writeAtomically };
