// Generated tenant registries for the benchmark: a deterministic mix of enterprise tenants over
// every allowed region and team tenants in each default-placement geography, varied in sizing and egress.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Pin, renderPins } from '../lib/registry/pins';
import { REGIONS_FILE, TenantRegistry, registryPaths } from '../lib/registry/registry';
import { RegionCatalog } from '../lib/registry/regions';
import { TenantSpec, resolveRegion } from '../lib/registry/tenant-spec';

export const REPO_ROOT = path.resolve(__dirname, '..');
const PINNED_AT = '2026-01-01T00:00:00.000Z';
const EXAMPLE_VAULT = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'tenants', 'contoso.json'), 'utf8')) as { vault: TenantSpec['vault'] }).vault;

/** The tenant every "one tenant" scenario selects: index 0, the largest shape (enterprise, prod, NAT in 3 AZs). */
export const BENCH_TENANT = tenantId(0);

function tenantId(i: number): string {
  return `bench-${String(i).padStart(4, '0')}`;
}

/** Spec i, shaped as `cellkit tenant add` writes it. */
export function tenantDraft(i: number, regions: RegionCatalog): TenantSpec & { $schema: string } {
  const id = tenantId(i);
  const team = i % 3 === 2;
  const geos = regions.placementGeographies;
  return {
    $schema: '../schemas/tenant.schema.json',
    id,
    displayName: `Bench Tenant ${i}`,
    plan: team ? 'team' : 'enterprise',
    placement: team ? { geography: geos[i % geos.length] } : { region: regions.codes[i % regions.codes.length] },
    account: String(100000000000 + i),
    // Moduli coprime to 3 and 6, so sizing and egress vary independently of plan and region.
    sizing: i % 5 < 2 ? 'prod' : 'dev',
    egress: i % 7 < 4 ? 'nat' : 'none',
    database: { usernameSuffix: `u${crypto.createHash('sha256').update(id).digest('hex').slice(0, 7)}` },
    // Every cell needs operator PGP keys (Vault is initialised during the deploy): the example tenant's.
    vault: EXAMPLE_VAULT,
  };
}

/**
 * Writes a registry of `count` tenants into a new temp dir. Specs and pins are written directly
 * (`addTenant` reloads the whole registry per tenant: quadratic at 1,000 tenants), then the
 * registry is loaded once so a generator bug fails here, not inside a timed synth.
 */
export function writeRegistry(count: number): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `cellkit-bench-${count}-`));
  const paths = registryPaths(root);
  fs.copyFileSync(path.join(REPO_ROOT, REGIONS_FILE), paths.regionsFile);
  const regions = RegionCatalog.load(paths.regionsFile);
  fs.mkdirSync(paths.tenantsDir);
  const pins: Record<string, Pin> = {};
  for (let i = 0; i < count; i++) {
    const draft = tenantDraft(i, regions);
    fs.writeFileSync(path.join(paths.tenantsDir, `${draft.id}.json`), `${JSON.stringify(draft, null, 2)}\n`);
    pins[draft.id] = { region: resolveRegion(draft, regions), pinnedAt: PINNED_AT };
  }
  fs.writeFileSync(paths.pinFile, renderPins(pins));
  const loaded = TenantRegistry.load(paths).tenants.length;
  if (loaded !== count) throw new Error(`bench: generated ${count} tenants but the registry loaded ${loaded}`);
  return root;
}
