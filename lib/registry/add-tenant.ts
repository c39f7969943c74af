import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CellkitConfigError } from './errors';
import { parseWith } from './json-file';
import { PIN_FILE, Pin, loadPins, renderPins } from './pins';
import { RegionCatalog } from './regions';
import { LockEvents, withRegistryLock } from './registry-lock';
import { RegistryPaths, TENANTS_DIR, checkPins, loadTenantSpecs, pendingSpecFile } from './registry';
import { TenantSpec, resolveRegion, tenantIdSchema, tenantSpecSchema, TENANT_ID_RULE } from './tenant-spec';

/** What an engineer gives `cellkit tenant add`. */
export interface NewTenant {
  readonly id: string;
  readonly displayName: string;
  readonly plan: string;
  /** Enterprise only. */
  readonly region?: string;
  /** Non-enterprise plans only. */
  readonly geography?: string;
  readonly account: string;
  readonly sizing: string;
  readonly egress: string;
}

/** The steps of a creation, in order; `onStep` sees each one (the CLI's tests pause or kill there). */
export type AddStep = 'locked' | 'pending-spec-written' | 'pin-written' | 'spec-committed';

export interface AddTenantOptions extends LockEvents {
  /** Pin timestamp. */
  readonly now: Date;
  /** @default 8 random lowercase letters and digits from crypto.randomInt */
  readonly usernameSuffix?: string;
  /** @default - nothing is called */
  readonly onStep?: (step: AddStep) => void;
}

export interface AddedTenant {
  readonly spec: TenantSpec;
  readonly pin: Pin;
  readonly specFile: string;
  /** True when this run completed a creation an earlier, interrupted run had started. */
  readonly completed: boolean;
}

const SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomSuffix(): string {
  return Array.from({ length: 8 }, () => SUFFIX_ALPHABET[crypto.randomInt(SUFFIX_ALPHABET.length)]).join('');
}

/**
 * Creates a tenant: its spec and its region pin, all or nothing as users see it.
 *
 * Writers hold the registry lock (registry-lock.ts) across the whole read-modify-write. Under it the spec is
 * first written to a hidden pending file, then the pin is added to tenants.lock.json, then the pending file
 * is renamed to tenants/<id>.json. Each write is an atomic rename, so after a kill at any point the registry
 * still loads (a pin without a spec reads as an offboarded tenant), and running the same `tenant add`
 * again completes the creation; different values are refused with the difference named. The same holds for
 * a spec without a pin left by older versions, which wrote the spec first.
 *
 * Refuses, before writing anything, an invalid id (before touching the file system), a broken registry,
 * a duplicate id (including ids of offboarded tenants whose pin remains) and any invalid field.
 */
export async function addTenant(paths: RegistryPaths, input: NewTenant, options: AddTenantOptions): Promise<AddedTenant> {
  const id = tenantIdSchema.safeParse(input.id);
  if (!id.success) throw new CellkitConfigError([`tenant ${JSON.stringify(input.id)}: field "id": must be ${TENANT_ID_RULE}; got ${JSON.stringify(input.id)}`]);
  return withRegistryLock(paths, () => {
    options.onStep?.('locked');
    return addLocked(paths, input, options);
  }, options);
}

function addLocked(paths: RegistryPaths, input: NewTenant, options: AddTenantOptions): AddedTenant {
  const regions = RegionCatalog.load(paths.regionsFile);
  const specs = loadTenantSpecs(paths.tenantsDir, regions);
  const pins = loadPins(paths.pinFile, { required: specs.length > 0 }).pins;
  const specFile = path.join(paths.tenantsDir, `${input.id}.json`);
  const pendingFile = pendingSpecFile(paths.tenantsDir, input.id);
  const existingSpec = specs.find((s) => s.id === input.id);
  const existingPin = Object.prototype.hasOwnProperty.call(pins, input.id) ? pins[input.id] : undefined;
  // A half-created tenant: an older run's spec without its pin, or this version's pending spec with its pin.
  const pending = existingPin && !existingSpec ? readPending(pendingFile, regions, input.id) : undefined;
  const earlier = existingSpec && !existingPin ? existingSpec : pending;

  // The rest of the registry must be sound; the half-created tenant is what this run completes.
  checkPins(specs.filter((s) => !(earlier && s.id === input.id)), pins, regions);
  if (existingSpec && existingPin) {
    throw new CellkitConfigError([`tenant "${input.id}": field "id": a tenant with this id already exists (${TENANTS_DIR}/${input.id}.json); ids are unique`]);
  }
  if (existingPin && !pending) {
    throw new CellkitConfigError([`tenant "${input.id}": field "id": this id is already pinned to ${existingPin.region} in ${PIN_FILE} (since ${existingPin.pinnedAt}); ids are never reused`]);
  }

  const spec = parseWith(tenantSpecSchema(regions), specFileBody(input, earlier?.database.usernameSuffix ?? options.usernameSuffix ?? uniqueSuffix(specs.map((s) => s.database.usernameSuffix))), `tenant "${input.id}"`);
  const region = resolveRegion(spec, regions);
  if (earlier) refuseDifferences(earlier, spec, existingSpec ? `${TENANTS_DIR}/${input.id}.json exists without a pin in ${PIN_FILE}` : `an interrupted "cellkit tenant add" left ${TENANTS_DIR}/${path.basename(pendingFile)} and its pin`, existingSpec ? `remove ${TENANTS_DIR}/${input.id}.json` : `finish it with the earlier values`);
  if (existingPin && existingPin.region !== region) {
    throw new CellkitConfigError([`tenant "${input.id}": an interrupted "cellkit tenant add" pinned it to ${existingPin.region}, but these values resolve to ${region}; run it again with the earlier values to complete it`]);
  }
  const pin: Pin = existingPin ?? { region, pinnedAt: options.now.toISOString() };
  const text = `${JSON.stringify({ $schema: '../schemas/tenant.schema.json', ...spec }, null, 2)}\n`;

  if (!existingSpec) {
    fs.mkdirSync(paths.tenantsDir, { recursive: true });
    if (!pending) writeAtomically(pendingFile, text);
    options.onStep?.('pending-spec-written');
  }
  if (!existingPin) writeAtomically(paths.pinFile, renderPins({ ...pins, [spec.id]: pin }));
  options.onStep?.('pin-written');
  if (!existingSpec) fs.renameSync(pendingFile, specFile);
  options.onStep?.('spec-committed');
  return { spec, pin, specFile, completed: earlier !== undefined };
}

/** The spec file's content for `input`, fields in the published schema's order. */
function specFileBody(input: NewTenant, usernameSuffix: string): Record<string, unknown> {
  return {
    id: input.id,
    displayName: input.displayName,
    plan: input.plan,
    placement: { ...(input.region !== undefined ? { region: input.region } : {}), ...(input.geography !== undefined ? { geography: input.geography } : {}) },
    account: input.account,
    sizing: input.sizing,
    egress: input.egress,
    database: { usernameSuffix },
  };
}

function readPending(file: string, regions: RegionCatalog, id: string): TenantSpec | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    return parseWith(tenantSpecSchema(regions), JSON.parse(fs.readFileSync(file, 'utf8')), `tenant "${id}" (${TENANTS_DIR}/${path.basename(file)})`);
  } catch {
    return undefined; // unreadable: treated as absent, so the pin reads as an offboarded tenant's
  }
}

/** Completing a half-created tenant needs the same values it was started with. */
function refuseDifferences(earlier: TenantSpec, now: TenantSpec, what: string, otherwise: string): void {
  const fields = ['displayName', 'plan', 'placement', 'account', 'sizing', 'egress'] as const;
  const differences = fields
    .filter((f) => JSON.stringify(earlier[f]) !== JSON.stringify(now[f]))
    .map((f) => `field "${f}": earlier ${JSON.stringify(earlier[f])}, now ${JSON.stringify(now[f])}`);
  if (differences.length === 0) return;
  throw new CellkitConfigError([`tenant "${now.id}": ${what}, with different values (${differences.join('; ')}); run the same command again to complete it, or ${otherwise}`]);
}

function uniqueSuffix(taken: readonly string[]): string {
  for (;;) {
    const suffix = randomSuffix();
    if (!taken.includes(suffix)) return suffix;
  }
}

/** Writes through a hidden temporary file and a rename, so readers see the old or the new file, never half. */
function writeAtomically(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
