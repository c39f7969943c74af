// `cellkit guard check`: the deploy-time check, run from an engineer's machine before `cdk deploy`.
import { TENANT_TAG } from '../cell/cell-stack';
import { CellkitConfigError } from '../registry/errors';
import { TENANTS_DIR, Tenant, TenantRegistry } from '../registry/registry';
import { RegionCatalog } from '../registry/regions';
import { GuardClients, RegionOutcome, checkTenantRegions, describeError, describeResult } from './region-check';

/** Exit codes of the guard commands; distinct from each other so pipelines can tell them apart. */
export const GUARD_EXIT = {
  /** The tenant lives nowhere but its pinned region: deploy. */
  clear: 0,
  /** The tenant has a cell (or part of one) in another region. */
  found: 1,
  /** A region or API could not be checked, or the credentials are for another account. */
  unchecked: 2,
  /** Bad input: unknown tenant, invalid registry, wrong options. Nothing was checked. */
  usage: 3,
} as const;

/** The tenant by id, or a config error listing the known ones. */
export function findTenant(registry: TenantRegistry, tenantId: string): Tenant {
  const found = registry.tenants.find((t) => t.id === tenantId);
  if (!found) throw new CellkitConfigError([`no tenant "${tenantId}" in ${TENANTS_DIR}/; known tenants: ${registry.tenants.map((t) => t.id).join(', ') || '(none)'}`]);
  return found;
}

export interface PreflightOptions {
  readonly tenant: Tenant;
  readonly regions: RegionCatalog;
  readonly clients: GuardClients;
  /** The AWS account the credentials belong to (STS GetCallerIdentity). */
  readonly callerAccount: () => Promise<string>;
  /** Writes one line of progress. */
  readonly write: (line: string) => void;
  /**
   * Budget per region and API.
   * @default 30000
   */
  readonly timeoutMs?: number;
}

/** Runs the guard's check for one tenant, printing progress; returns a GUARD_EXIT code. */
export async function preflight(options: PreflightOptions): Promise<number> {
  const { tenant, regions, write } = options;
  const account = tenant.spec.account;
  let caller: string;
  try {
    caller = await options.callerAccount();
  } catch (e) {
    write(`could not check: cannot tell which account the credentials belong to (sts:GetCallerIdentity: ${describeError(e)})`);
    return GUARD_EXIT.unchecked;
  }
  // Credentials for another account would see none of the tenant's resources and report "clear".
  if (caller !== account) {
    write(`could not check: the credentials are for account ${caller}, but tenant "${tenant.id}" lives in account ${account}; use credentials for ${account}`);
    return GUARD_EXIT.unchecked;
  }
  const others = regions.codes.filter((r) => r !== tenant.pin.region);
  write(`tenant "${tenant.id}", account ${account}, pinned to ${regions.describe(tenant.pin.region)}: checking ${others.length} other allowed regions`);
  const result = await checkTenantRegions({
    tenantId: tenant.id,
    pinnedRegion: tenant.pin.region,
    allowedRegions: regions.codes,
    tenantTagKey: TENANT_TAG,
    clients: options.clients,
    timeoutMs: options.timeoutMs,
    onRegion: (o) => write(`  ${regions.describe(o.region)}: ${progressLine(o)}`),
  });
  write(describeResult(result));
  return GUARD_EXIT[result.status];
}

function progressLine(o: RegionOutcome): string {
  const parts = [
    ...(o.evidence.length ? [`FOUND ${o.evidence.map((e) => e.what).join(', ')}`] : []),
    ...o.unchecked.map((u) => `COULD NOT CHECK ${u.api} (${u.error})`),
  ];
  return parts.join('; ') || 'clear';
}
