// Builds throwaway registries (regions.json, tenants/, tenants.lock.json) in a temp dir.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RegistryPaths, registryPaths } from '../../lib/registry/registry';
import { REPO_ROOT, spec } from '../fixtures';

export interface RegistryDir {
  readonly root: string;
  readonly paths: RegistryPaths;
  writeTenant(id: string, body: unknown, fileName?: string): void;
  writePins(pins: Record<string, { region: string; pinnedAt: string }>): void;
  writeRaw(relative: string, text: string): void;
  read(relative: string): string;
  list(relative: string): string[];
}

export function regionsFile(): {
  regions: Record<string, { city: string; geography: string; availabilityZones: string[] }>;
  defaultPlacement: Record<string, string>;
} {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'regions.json'), 'utf8'));
}

/** An empty registry with the repository's regions.json (or the one given). */
export function registryDir(regions: unknown = regionsFile()): RegistryDir {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-registry-'));
  fs.mkdirSync(path.join(root, 'tenants'));
  const writeRaw = (relative: string, text: string) => fs.writeFileSync(path.join(root, relative), text);
  writeRaw('regions.json', JSON.stringify(regions, null, 2));
  return {
    root,
    paths: registryPaths(root),
    writeTenant: (id, body, fileName) => writeRaw(`tenants/${fileName ?? `${id}.json`}`, JSON.stringify(body, null, 2)),
    writePins: (pins) => writeRaw('tenants.lock.json', JSON.stringify({ pins }, null, 2)),
    writeRaw,
    read: (relative) => fs.readFileSync(path.join(root, relative), 'utf8'),
    list: (relative) => fs.readdirSync(path.join(root, relative)).sort(),
  };
}

export const PINNED_AT = '2026-01-01T00:00:00.000Z';

/** A distinct username suffix per tenant id, as `cellkit tenant add` would generate. */
export function suffixFor(id: string): string {
  return crypto.createHash('sha256').update(id).digest('hex').slice(0, 8);
}

/** The fixtures' enterprise spec as plain JSON, with a username suffix of its own per id. */
export function enterpriseSpec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const id = String(overrides.id ?? 'acme');
  return { ...spec({ id }), database: { usernameSuffix: suffixFor(id) }, ...overrides };
}

export function teamSpec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return enterpriseSpec({ id: 'globex', displayName: 'Globex GmbH', plan: 'team', placement: { geography: 'EU' }, sizing: 'dev', egress: 'none', ...overrides });
}
