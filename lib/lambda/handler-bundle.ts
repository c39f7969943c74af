// Bundles a Lambda handler with the local esbuild once per process and caches the bundle in the
// checkout, keyed by the hash of everything that goes into it. Shared by every cellkit Lambda.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync, version as esbuildVersion } from 'esbuild';

/**
 * Where handler bundles are cached: in the checkout, like bin/run-ts.js's caches, never in the shared temp
 * dir, where another local user could plant a bundle that would be deployed as a Lambda's code. The
 * folder belongs to whoever installed the checkout and `npm ci` empties it.
 */
export const HANDLER_BUNDLE_CACHE = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'cellkit');
const LIB_DIR = path.join(__dirname, '..');

export interface HandlerBundle {
  /** Names the cache folder and the fallback temp folder, e.g. `region-guard`. */
  readonly name: string;
  /** The handler's entry file (exports `handler`). */
  readonly entry: string;
  /** Every file whose content changes the bundle: sources and the lock file pinning the SDK. */
  readonly inputs: () => readonly string[];
}

const bundleDirs = new Map<string, string>();

/**
 * Bundles `bundle.entry` into `index.js` in a folder named by the hash of the bundle's inputs: many tenant
 * stacks share one bundle, and the asset hash only changes with the code. If the cache folder cannot be
 * written, the bundle goes to a fresh private temp folder instead.
 * @param cacheDir where this handler's bundles are cached (tests pass another folder)
 */
export function handlerBundleDir(bundle: HandlerBundle, cacheDir: string = path.join(HANDLER_BUNDLE_CACHE, bundle.name)): string {
  const memo = `${cacheDir}\0${bundle.entry}`;
  const known = bundleDirs.get(memo);
  if (known) return known;
  // Keyed on every input of the bundle, so a synth in a checkout that has bundled this exact
  // handler before skips esbuild (about 1 s) and reuses the same bytes.
  const options = { bundle: true, platform: 'node', target: 'node22', format: 'cjs', minify: true, keepNames: true, legalComments: 'none' } as const;
  const inputs = crypto.createHash('sha256').update(JSON.stringify(options)).update(esbuildVersion);
  for (const file of bundle.inputs()) inputs.update(path.relative(LIB_DIR, file)).update(fs.readFileSync(file, 'utf8'));
  const dir = path.join(cacheDir, inputs.digest('hex').slice(0, 16));
  let result = fs.existsSync(path.join(dir, 'index.js')) ? dir : undefined;
  if (!result) {
    const { outputFiles } = buildSync({ ...options, entryPoints: [bundle.entry], write: false, logLevel: 'silent' });
    const code = outputFiles[0].contents;
    result = cacheBundle(dir, code);
    if (!result) {
      // mkdtemp creates a folder with a new random name that only this user can read or write.
      result = fs.mkdtempSync(path.join(os.tmpdir(), `cellkit-${bundle.name}-`));
      fs.writeFileSync(path.join(result, 'index.js'), code);
    }
  }
  bundleDirs.set(memo, result);
  return result;
}

/** The sources of a handler folder (sorted), plus extra files and the lock file that pins its dependencies. */
export function handlerFolderInputs(handlerDir: string, extra: readonly string[] = []): string[] {
  const sources = fs.readdirSync(handlerDir).sort().map((f) => path.join(handlerDir, f));
  return [...extra, ...sources, path.join(LIB_DIR, '..', 'package-lock.json')];
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
