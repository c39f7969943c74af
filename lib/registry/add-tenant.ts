import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CellkitConfigError } from './errors';
import { parseWith } from './json-file';
import { PIN_FILE, Pin, renderPins } from './pins';
import { RegistryPaths, TENANTS_DIR, TenantRegistry } from './registry';
import { TenantSpec, resolveRegion, tenantSpecSchema } from './tenant-spec';

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

export interface AddTenantOptions {
  /** Pin timestamp. */
  readonly now: Date;
  /** @default 8 random lowercase letters and digits from crypto.randomInt */
  readonly usernameSuffix?: string;
}

export interface AddedTenant {
  readonly spec: TenantSpec;
  readonly pin: Pin;
  readonly specFile: string;
}

const SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomSuffix(): string {
  return Array.from({ length: 8 }, () => SUFFIX_ALPHABET[crypto.randomInt(SUFFIX_ALPHABET.length)]).join('');
}

/**
 * Writes the tenant's spec and its region pin in one step. Refuses, before writing anything,
 * a broken registry, a duplicate id (including ids of offboarded tenants whose pin remains)
 * and any invalid field.
 */
export function addTenant(paths: RegistryPaths, input: NewTenant, options: AddTenantOptions): AddedTenant {
  const registry = TenantRegistry.load(paths);
  const specFile = path.join(paths.tenantsDir, `${input.id}.json`);
  if (fs.existsSync(specFile) || registry.tenants.some((t) => t.id === input.id)) {
    throw new CellkitConfigError([`tenant "${input.id}": field "id": a tenant with this id already exists (${TENANTS_DIR}/${input.id}.json); ids are unique`]);
  }
  if (Object.prototype.hasOwnProperty.call(registry.pins, input.id)) {
    const old = registry.pins[input.id];
    throw new CellkitConfigError([`tenant "${input.id}": field "id": this id is already pinned to ${old.region} in ${PIN_FILE} (since ${old.pinnedAt}); ids are never reused`]);
  }
  const draft = {
    $schema: '../schemas/tenant.schema.json',
    id: input.id,
    displayName: input.displayName,
    plan: input.plan,
    placement: { ...(input.region !== undefined ? { region: input.region } : {}), ...(input.geography !== undefined ? { geography: input.geography } : {}) },
    account: input.account,
    sizing: input.sizing,
    egress: input.egress,
    database: { usernameSuffix: options.usernameSuffix ?? uniqueSuffix(registry.tenants.map((t) => t.spec.database.usernameSuffix)) },
  };
  const spec = parseWith(tenantSpecSchema(registry.regions), draft, `tenant "${input.id}"`);
  const pin: Pin = { region: resolveRegion(spec, registry.regions), pinnedAt: options.now.toISOString() };

  fs.mkdirSync(paths.tenantsDir, { recursive: true });
  writeAtomically(specFile, `${JSON.stringify(draft, null, 2)}\n`);
  try {
    writeAtomically(paths.pinFile, renderPins({ ...registry.pins, [spec.id]: pin }));
  } catch (e) {
    fs.rmSync(specFile, { force: true });
    throw e;
  }
  return { spec, pin, specFile };
}

function uniqueSuffix(taken: readonly string[]): string {
  for (;;) {
    const suffix = randomSuffix();
    if (!taken.includes(suffix)) return suffix;
  }
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
