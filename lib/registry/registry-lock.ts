import * as fs from 'fs';
import * as lockfile from 'proper-lockfile';
import { CellkitConfigError } from './errors';
import { PIN_FILE } from './pins';
import { RegistryPaths } from './registry';

/** A lock older than this (not refreshed by a live run) was left by a killed run and is taken over (proper-lockfile's default). */
export const STALE_LOCK_MS = 10_000;
/** How long a run waits for another run's lock before giving up; longer than STALE_LOCK_MS. */
const RETRY = { retries: 60, factor: 1.3, minTimeout: 20, maxTimeout: 250 };

/** The lock serialising writers of the registry: a folder next to tenants.lock.json. */
export function registryLockPath(paths: RegistryPaths): string {
  return `${paths.pinFile}.lock`;
}

/** Another run holds the registry lock, or it could not be taken. */
export class RegistryLockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryLockedError';
  }
}

export interface LockEvents {
  /** Called when a stale lock left by an interrupted run is found (it is then taken over). */
  readonly onStaleLock?: (lockPath: string, ageMs: number) => void;
}

/**
 * Runs `work` while holding the registry's write lock (proper-lockfile: an atomic `mkdir`, refreshed
 * while held, taken over once stale), so concurrent writers of tenants.lock.json and tenants/ never
 * interleave their read-modify-write. Waits for another run's lock; refuses with the lock named if it stays held.
 */
export async function withRegistryLock<T>(paths: RegistryPaths, work: () => T, events: LockEvents = {}): Promise<T> {
  const lockPath = registryLockPath(paths);
  const age = lockAgeMs(lockPath);
  if (age !== undefined && age > STALE_LOCK_MS) events.onStaleLock?.(lockPath, age);
  let compromised: Error | undefined;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(paths.pinFile, {
      lockfilePath: lockPath,
      realpath: false,
      stale: STALE_LOCK_MS,
      retries: RETRY,
      onCompromised: (e) => {
        compromised = e;
      },
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ELOCKED') {
      const held = lockAgeMs(lockPath);
      throw new RegistryLockedError(
        `${PIN_FILE}: another cellkit run is changing the registry (lock ${lockPath}${held === undefined ? '' : `, refreshed ${Math.round(held / 1000)} s ago`}). ` +
          `Wait for it to finish and run the command again. A lock left by a killed run is taken over automatically once it is ${STALE_LOCK_MS / 1000} s old; ` +
          `if it persists and no cellkit run is active, remove it: rm -r ${lockPath}`,
      );
    }
    if (err.code === 'ENOENT') throw new CellkitConfigError([`${PIN_FILE}: cannot create the registry lock ${lockPath}: its folder does not exist`]);
    throw new RegistryLockedError(`${PIN_FILE}: cannot take the registry lock ${lockPath}: ${err.message}`);
  }
  try {
    const result = work();
    if (compromised) throw new RegistryLockedError(`${PIN_FILE}: the registry lock ${lockPath} was lost while writing (${compromised.message}); check tenants/ and ${PIN_FILE}, then run the command again`);
    return result;
  } finally {
    await release().catch(() => undefined);
  }
}

function lockAgeMs(lockPath: string): number | undefined {
  try {
    return Date.now() - fs.statSync(lockPath).mtimeMs;
  } catch {
    return undefined;
  }
}
