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

/** `tenant add`'s not yet committed spec (see add-tenant.ts): a hidden file the registry does not read. */
export function pendingSpecFile(tenantsDir: string, id: string): string {
  return path.join(tenantsDir, `.${id}.json.pending`);
}

/**
 * The spec files in `dir`: every `<name>.json`. Any other file is refused (it would be silently ignored),
 * except hidden files that do not end in `.json` (such as `.gitkeep` or `tenant add`'s pending specs).
 */
export function listSpecFiles(dir: string): { files: string[]; problems: string[] } {
  const entries = fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : [];
  const files: string[] = [];
  const problems: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const looksLikeJson = /\.json$/i.test(entry.name);
    if (entry.name.startsWith('.') && !looksLikeJson) continue;
    if (entry.isFile() && entry.name.endsWith('.json') && !entry.name.startsWith('.')) {
      files.push(entry.name);
      continue;
    }
    const what = entry.isFile() ? 'file' : 'entry';
    problems.push(`${TENANTS_DIR}/${entry.name}: cellkit would not read this ${what}: ${TENANTS_DIR}/ holds only tenant specs named <id>.json (lowercase ".json", no leading dot); rename it to <id>.json or move it out of ${TENANTS_DIR}/`);
  }
  return { files, problems };
}

/** Reads and validates every tenant spec; problems from all files are reported together. */
export function loadTenantSpecs(dir: string, regions: RegionCatalog): TenantSpec[] {
  const schema = tenantSpecSchema(regions);
  const { files, problems } = listSpecFiles(dir);
  const specs: TenantSpec[] = [];
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
      problems.push(`tenant "${spec.id}": no region pin in ${PIN_FILE} (its spec resolves to ${regions.describe(resolved)}). Create tenants with "cellkit tenant add" so the region is pinned at creation; if an interrupted "cellkit tenant add" left this spec, run the same command again to complete it.`);
    } else if (!regions.has(pin.region)) {
      continue; // reported below with every other pin outside regions.json
    } else if (pin.region !== resolved) {
      problems.push(`tenant "${spec.id}": its spec resolves to ${regions.describe(resolved)} but the tenant was pinned to ${regions.describe(pin.region)} at ${pin.pinnedAt}. A cell's region cannot change after creation; restore the spec's placement.`);
    } else {
      tenants.push({ spec, id: spec.id, region: regions.get(resolved), pin });
    }
  }
  problems.push(...pinsOutsideRegions(pins, specs, regions));
  if (problems.length) throw new CellkitConfigError(problems);
  return tenants;
}

/**
 * Every pin, with or without a spec, must name a region of regions.json. A pin without a spec is an
 * offboarded tenant (pins are never removed, so ids are never reused) and is allowed only that way.
 */
function pinsOutsideRegions(pins: Record<string, Pin>, specs: readonly TenantSpec[], regions: RegionCatalog): string[] {
  return Object.entries(pins)
    .filter(([, pin]) => !regions.has(pin.region))
    .map(([id, pin]) => {
      const spec = specs.find((s) => s.id === id);
      const status = spec ? `its spec resolves to ${regions.describe(resolveRegion(spec, regions))}` : `it has no spec in ${TENANTS_DIR}/ (an offboarded tenant keeps its pin, in its original region)`;
      return `tenant "${id}": pinned region "${pin.region}" in ${PIN_FILE} is not one of the allowed regions in ${REGIONS_FILE} (${regions.allowedList}); ${status}. A cell's region cannot change after creation.`;
    });
}

/** The whole tenant registry: allowed regions, validated specs and their pins. */
export class TenantRegistry {
  /** Loads and validates everything; throws CellkitConfigError before anything is synthesized. */
  static load(paths: RegistryPaths): TenantRegistry {
    const regions = RegionCatalog.load(paths.regionsFile);
    // Specs before pins: `tenant add` writes the pin before the spec, so a spec read here always has its pin.
    const specs = loadTenantSpecs(paths.tenantsDir, regions);
    const pins = loadPins(paths.pinFile, { required: specs.length > 0 }).pins;
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
