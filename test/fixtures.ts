// Shared test fixtures: in-memory tenants and cell stacks built exactly as bin/app.ts builds them.
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { CellStack, CellStackProps, cellStackName } from '../lib/cell/cell-stack';
import { nagPacks } from '../lib/compliance/nag-packs';
import { Tenant } from '../lib/registry/registry';
import { RegionCatalog } from '../lib/registry/regions';
import { TenantSpec, resolveRegion } from '../lib/registry/tenant-spec';
import examplePgpKeys from './example-pgp-keys.json';

/** Throwaway operator PGP public keys (private halves discarded). */
export const EXAMPLE_PGP_KEYS: string[] = examplePgpKeys.keys;

export const REPO_ROOT = path.resolve(__dirname, '..');
export const regions = RegionCatalog.load(path.join(REPO_ROOT, 'regions.json'));

/** A valid spec: a prod enterprise tenant in Sydney with NAT egress, unless overridden. */
export function spec(overrides: Partial<TenantSpec> = {}): TenantSpec {
  return {
    id: 'acme',
    displayName: 'Acme Pty Ltd',
    plan: 'enterprise',
    placement: { region: 'ap-southeast-2' },
    account: '123456789012',
    sizing: 'prod',
    egress: 'nat',
    vault: { recoveryPgpKeys: EXAMPLE_PGP_KEYS, recoveryThreshold: 2 },
    database: { usernameSuffix: 'k3x9q2ab' },
    ...overrides,
  };
}

/** A pinned tenant (pin = resolved region), as TenantRegistry.load returns it. */
export function tenant(overrides: Partial<TenantSpec> = {}): Tenant {
  const s = spec(overrides);
  const region = resolveRegion(s, regions);
  return { spec: s, id: s.id, region: regions.get(region), pin: { region, pinnedAt: '2026-01-01T00:00:00.000Z' } };
}

/** A team tenant in the EU (London) with no egress and dev sizing. */
export function teamTenant(overrides: Partial<TenantSpec> = {}): Tenant {
  return tenant({ id: 'globex', displayName: 'Globex GmbH', plan: 'team', placement: { geography: 'EU' }, sizing: 'dev', egress: 'none', ...overrides });
}

export function cellStack(t: Tenant = tenant(), props: Partial<CellStackProps> = {}): CellStack {
  const app = new App();
  return new CellStack(app, cellStackName(t.id), { tenant: t, cellkitVersion: '0.0.0-test', allowedRegions: regions.codes, ...props });
}

export function template(t: Tenant = tenant()): Template {
  return Template.fromStack(cellStack(t));
}

export interface NagFinding {
  readonly rule: string;
  readonly path: string;
}

/** Unacknowledged findings of all four packs, the same check `cdk synth` runs. */
export function nagFindings(scope: IConstruct): NagFinding[] {
  return nagPacks().flatMap((pack) =>
    pack.validateScope(scope).violations.flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.resourceLogicalId ?? String(r.locations ?? '') }))),
  );
}
