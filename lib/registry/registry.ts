import * as fs from 'fs';
import * as path from 'path';
import { CellkitConfigError } from './errors';
import { parseWith, readJsonFile } from './json-file';
import { Pin, PIN_FILE, loadPins } from './pins';
import { RegionCatalog, RegionInfo } from './regions';
import { TenantSpec, resolveRegion, tenantSpecSchema } from './tenant-spec';

export const REGIONS_FILE = 'regions.json';
export const TENANTS_DIR = 'tenants';

/** A validated tenant whose resolved region equals its pin. */
export interface Tenant {
  readonly spec: TenantSpec;
  readonly id: string;
  readonly region: RegionInfo;
  readonly pin: Pin;
}

/** Where the registry files live; bin/ and the CLI pass the repository root. */
export interface RegistryPaths {
  readonly regionsFile: string;
  readonly tenantsDir: string;
  readonly pinFile: string;
}

export function registryPaths(root: string): RegistryPaths {
  return {
    regionsFile: path.join(root, REGIONS_FILE),
    tenantsDir: path.join(root, TENANTS_DIR),
    pinFile: path.join(root, PIN_FILE),
  };
}

/** Reads and validates every tenant spec; problems from all files are reported together. */
export function loadTenantSpecs(dir: string, regions: RegionCatalog): TenantSpec[] {
  const schema = tenantSpecSchema(regions);
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
  const specs: TenantSpec[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const label = `tenant spec ${TENANTS_DIR}/${file}`;
    try {
      const raw = readJsonFile(path.join(dir, file), label);
      const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : undefined;
      const spec = parseWith(schema, raw, id ? `tenant "${id}" (${TENANTS_DIR}/${file})` : label);
      if (file !== `${spec.id}.json`) {
        problems.push(`tenant "${spec.id}" (${TENANTS_DIR}/${file}): field "id": the file must be named ${spec.id}.json; got ${file}`);
        continue;
      }
      specs.push(spec);
    } catch (e) {
      if (!(e instanceof CellkitConfigError)) throw e;
      problems.push(...e.problems);
    }
  }
  const owners = new Map<string, string>();
  for (const spec of specs) {
    const other = owners.get(spec.database.usernameSuffix);
    if (other) problems.push(`tenant "${spec.id}" (${TENANTS_DIR}/${spec.id}.json): field "database.usernameSuffix": "${spec.database.usernameSuffix}" is already used by tenant "${other}"; each company's database username is unique`);
    owners.set(spec.database.usernameSuffix, spec.id);
  }
  if (problems.length) throw new CellkitConfigError(problems);
  return specs;
}

/** Checks each tenant's resolved region against its pin: the region cannot change after creation. */
export function checkPins(specs: readonly TenantSpec[], pins: Record<string, Pin>, regions: RegionCatalog): Tenant[] {
  const problems: string[] = [];
  const tenants: Tenant[] = [];
  for (const spec of specs) {
    const resolved = resolveRegion(spec, regions);
    const pin = Object.prototype.hasOwnProperty.call(pins, spec.id) ? pins[spec.id] : undefined;
    if (!pin) {
      problems.push(`tenant "${spec.id}": no region pin in ${PIN_FILE} (its spec resolves to ${regions.describe(resolved)}). Create tenants with "cellkit tenant add" so the region is pinned at creation.`);
    } else if (!regions.has(pin.region)) {
      problems.push(`tenant "${spec.id}": pinned region "${pin.region}" in ${PIN_FILE} is not one of the allowed regions in ${REGIONS_FILE} (${regions.allowedList}); its spec resolves to ${regions.describe(resolved)}. A cell's region cannot change after creation.`);
    } else if (pin.region !== resolved) {
      problems.push(`tenant "${spec.id}": its spec resolves to ${regions.describe(resolved)} but the tenant was pinned to ${regions.describe(pin.region)} at ${pin.pinnedAt}. A cell's region cannot change after creation; restore the spec's placement.`);
    } else {
      tenants.push({ spec, id: spec.id, region: regions.get(resolved), pin });
    }
  }
  if (problems.length) throw new CellkitConfigError(problems);
  return tenants;
}

/** The whole tenant registry: allowed regions, validated specs and their pins. */
export class TenantRegistry {
  /** Loads and validates everything; throws CellkitConfigError before anything is synthesized. */
  static load(paths: RegistryPaths): TenantRegistry {
    const regions = RegionCatalog.load(paths.regionsFile);
    const specs = loadTenantSpecs(paths.tenantsDir, regions);
    const pins = loadPins(paths.pinFile).pins;
    return new TenantRegistry(regions, checkPins(specs, pins, regions), pins);
  }

  private constructor(
    readonly regions: RegionCatalog,
    readonly tenants: readonly Tenant[],
    readonly pins: Readonly<Record<string, Pin>>,
  ) {}

  /**
   * The tenants to synthesize: one by id, a stable shard, or all.
   * @param tenantId a tenant id, or undefined for all tenants
   * @param shard "i/n" (1-based): every n-th tenant in id order, starting at the i-th, so the n shards
   *   partition the fleet and differ in size by at most one
   */
  select(tenantId?: string, shard?: string): Tenant[] {
    let selected = [...this.tenants];
    if (tenantId !== undefined) {
      const t = this.tenants.find((x) => x.id === tenantId);
      if (!t) {
        throw new CellkitConfigError([`context "tenant": no tenant "${tenantId}" in ${TENANTS_DIR}/; known tenants: ${this.tenants.map((x) => x.id).join(', ') || '(none)'}`]);
      }
      selected = [t];
    }
    if (shard !== undefined) {
      const { index, count } = parseShard(shard);
      if (count > selected.length) {
        throw new CellkitConfigError([`context "shard": got "${shard}", but there are only ${selected.length} tenants to split; use at most ${selected.length} shards (an empty shard would synthesize nothing)`]);
      }
      selected = everyNth([...selected].sort((a, b) => (a.id < b.id ? -1 : 1)), { index, count });
    }
    return selected;
  }
}

/** Part `index` of `count` (1-based), as written "i/n". */
export interface Part {
  readonly index: number;
  readonly count: number;
}

/** Parses "i/n" with 1 <= i <= n and n >= minCount; undefined when malformed. Shards and fleet workers both use it. */
export function parsePart(value: string, minCount = 1): Part | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  if (!m) return undefined;
  const [index, count] = [Number(m[1]), Number(m[2])];
  return count >= minCount && index >= 1 && index <= count ? { index, count } : undefined;
}

/** Part `index` of `count`: every n-th item starting at the i-th, in order, so the parts partition the items. */
export function everyNth<T>(items: readonly T[], part: Part): T[] {
  return items.filter((_, position) => position % part.count === part.index - 1);
}

export function parseShard(shard: string): Part {
  const part = parsePart(shard);
  if (!part) throw new CellkitConfigError([`context "shard": got ${JSON.stringify(shard)}; expected "i/n" with 1 <= i <= n, e.g. "1/4"`]);
  return part;
}
