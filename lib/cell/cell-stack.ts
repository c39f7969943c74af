import { Stack, StackProps, Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CellKeys } from '../keys/cell-keys';
import { CellNetwork } from '../network/cell-network';
import { Tenant } from '../registry/registry';

/** Tag keys every resource of a cell carries; the region guard finds a tenant's resources by TENANT_TAG. */
export const TENANT_TAG = 'cellkit:tenant';
export const PLAN_TAG = 'cellkit:plan';
export const REGION_TAG = 'cellkit:region';
export const MANAGED_BY_TAG = 'cellkit:managed-by';

/** Deterministic per-tenant stack name. */
export function cellStackName(tenantId: string): string {
  return `Cell-${tenantId}`;
}

export interface CellStackProps extends Omit<StackProps, 'env' | 'stackName'> {
  /** The validated, pinned tenant: its account and pinned region become the stack's env. */
  readonly tenant: Tenant;
  /** cellkit version, written into the stack description for auditors. */
  readonly cellkitVersion: string;
}

/** One company's cell: its own network and keys in its pinned region and account. */
export class CellStack extends Stack {
  readonly tenant: Tenant;
  readonly keys: CellKeys;
  readonly network: CellNetwork;

  constructor(scope: Construct, id: string, props: CellStackProps) {
    const { tenant } = props;
    super(scope, id, {
      ...props,
      stackName: cellStackName(tenant.id),
      env: { account: tenant.spec.account, region: tenant.pin.region },
      terminationProtection: props.terminationProtection ?? true,
      description: `cellkit ${props.cellkitVersion}: company cell of tenant "${tenant.id}" (${tenant.spec.displayName}), ${tenant.spec.plan} plan, pinned to ${tenant.region.code} (${tenant.region.city})`,
    });
    this.tenant = tenant;
    // The pin is compared as a concrete string here, never as the Aws.REGION token.
    if (tenant.region.code !== tenant.pin.region) {
      throw new Error(`tenant "${tenant.id}": resolved region ${tenant.region.code} differs from its pin ${tenant.pin.region}; a cell's region cannot change after creation`);
    }

    Tags.of(this).add(TENANT_TAG, tenant.id);
    Tags.of(this).add(PLAN_TAG, tenant.spec.plan);
    Tags.of(this).add(REGION_TAG, tenant.pin.region);
    Tags.of(this).add(MANAGED_BY_TAG, 'cellkit');

    const prod = tenant.spec.sizing === 'prod';
    this.keys = new CellKeys(this, 'Keys', { tenantId: tenant.id });
    this.network = new CellNetwork(this, 'Network', {
      availabilityZones: tenant.region.availabilityZones,
      egress: tenant.spec.egress,
      natGateways: tenant.spec.egress === 'nat' ? (prod ? 3 : 1) : 0,
      logKey: this.keys.dataKey,
    });

    // -- data tier (issue 3) --

    // -- vault (issue 4) --

    // -- region guard (issue 5) --
  }

  /** The AZs from regions.json, so synth never asks AWS for them. */
  get availabilityZones(): string[] {
    return [...this.tenant.region.availabilityZones];
  }
}
