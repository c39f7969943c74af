// Bundles a Lambda handler with the local esbuild once per process, into a checkout-local cache
// folder named by the hash of the bundle's inputs: many tenant stacks share one bundle, and the
// asset hash only changes with the code. Shared by every cellkit Lambda (region guard, Vault bootstrap).
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync, version as esbuildVersion } from 'esbuild';

/**
 * Where bundles are cached: in the checkout, like bin/run-ts.js's caches, never in the shared temp
 * dir, where another local user could plant a bundle that would be deployed as a function's code.
 * The folder belongs to whoever installed the checkout and `npm ci` empties it.
 */
export const HANDLER_BUNDLE_CACHE = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'cellkit');

export interface HandlerBundle {
  /** The handler's entry file (`index.ts`, exporting `handler`). */
  readonly entry: string;
  /** Every source the bundle is built from; their content keys the cache (the lock file is added). */
  readonly inputs: readonly string[];
  /** Cache folder of this handler's bundles. */
  readonly cacheDir: string;
  /** Prefix of the private temp folder used when the cache cannot be written. */
  readonly tempPrefix: string;
}

const bundleDirs = new Map<string, string>();
const LOCK_FILE = path.join(__dirname, '..', '..', 'package-lock.json');

/** The folder holding the bundled `index.js` of `b`. */
export function handlerBundleDir(b: HandlerBundle): string {
  const known = bundleDirs.get(b.cacheDir);
  if (known) return known;
  // Keyed on every input of the bundle, so a synth in a checkout that has bundled this exact
  // handler before skips esbuild (about 1 s) and reuses the same bytes.
  const options = { bundle: true, platform: 'node', target: 'node22', format: 'cjs', minify: true, keepNames: true, legalComments: 'none' } as const;
  const inputs = crypto.createHash('sha256').update(JSON.stringify(options)).update(esbuildVersion);
  for (const file of [...b.inputs, LOCK_FILE]) inputs.update(path.relative(path.dirname(b.entry), file)).update(fs.readFileSync(file, 'utf8'));
  const dir = path.join(b.cacheDir, inputs.digest('hex').slice(0, 16));
  let result = fs.existsSync(path.join(dir, 'index.js')) ? dir : undefined;
  if (!result) {
    const { outputFiles } = buildSync({ ...options, entryPoints: [b.entry], write: false, logLevel: 'silent' });
    const code = outputFiles[0].contents;
    result = cacheBundle(dir, code);
    if (!result) {
      // mkdtemp creates a folder with a new random name that only this user can read or write.
      result = fs.mkdtempSync(path.join(os.tmpdir(), b.tempPrefix));
      fs.writeFileSync(path.join(result, 'index.js'), code);
    }
  }
  bundleDirs.set(b.cacheDir, result);
  return result;
}

/** Every file of a folder, sorted (a handler folder's sources). */
export function filesOf(dir: string): string[] {
  return fs.readdirSync(dir).sort().map((f) => path.join(dir, f));
}

/** Writes the bundle to `dir` in the cache; undefined if the cache folder cannot be written. */
function cacheBundle(dir: string, code: Uint8Array): string | undefined {
  // Written aside and renamed, so concurrent synths never see a half-written bundle.
  const tmp = `${dir}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { mode: 0o700 });
    fs.writeFileSync(path.join(tmp, 'index.js'), code);
    fs.renameSync(tmp, dir);
    return dir;
  } catch {
    try {
      fs.rmSync(tmp, { recursive: true, force: true });
    } catch {
      // nothing was written
    }
    // Another synth may have written the same bundle first.
    return fs.existsSync(path.join(dir, 'index.js')) ? dir : undefined;
  }
}
