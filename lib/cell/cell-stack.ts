import { Stack, StackProps, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { CellDatabase } from '../data/cell-database';
import { CellFileShare } from '../data/cell-file-share';
import { CellOutputs } from '../data/cell-outputs';
import { CellRetention } from '../data/cell-retention';
import { RegionGuard } from '../guard/region-guard';
import { DeletionProtection } from '../rollback/deletion-protection';
import { CellKeys } from '../keys/cell-keys';
import { CellNetwork } from '../network/cell-network';
import { Tenant } from '../registry/registry';
import { CELL_SIZING } from './sizing';
import { VaultCluster } from '../vault/vault-cluster';

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
  /** Every allowed region (regions.json): the region guard looks for the tenant in all but its pin. */
  readonly allowedRegions: readonly string[];
}

/** One company's cell: its own network and keys in its pinned region and account. */
export class CellStack extends Stack {
  readonly tenant: Tenant;
  readonly keys: CellKeys;
  readonly network: CellNetwork;
  readonly database: CellDatabase;
  readonly fileShare: CellFileShare;
  readonly retention: CellRetention;

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
    // Auditors (and `cellkit evidence`) read the pin from the template itself, not from the source.
    this.templateOptions.metadata = {
      cellkit: {
        version: props.cellkitVersion,
        tenant: tenant.id,
        plan: tenant.spec.plan,
        sizing: tenant.spec.sizing,
        egress: tenant.spec.egress,
        pinnedRegion: tenant.pin.region,
        pinnedAt: tenant.pin.pinnedAt,
        allowedRegions: [...props.allowedRegions],
      },
    };

    Tags.of(this).add(TENANT_TAG, tenant.id);
    Tags.of(this).add(PLAN_TAG, tenant.spec.plan);
    Tags.of(this).add(REGION_TAG, tenant.pin.region);
    Tags.of(this).add(MANAGED_BY_TAG, 'cellkit');

    const sizing = CELL_SIZING[tenant.spec.sizing];
    this.keys = new CellKeys(this, 'Keys', { tenantId: tenant.id });
    this.network = new CellNetwork(this, 'Network', {
      availabilityZones: tenant.region.availabilityZones,
      egress: tenant.spec.egress,
      natGateways: tenant.spec.egress === 'nat' ? sizing.natGateways : 0,
      logKey: this.keys.dataKey,
    });

    // -- data tier (issue 3) --
    const data = {
      tenantId: tenant.id, sizing: tenant.spec.sizing, vpc: this.network.vpc, subnets: this.network.dataSubnets, encryptionKey: this.keys.dataKey,
    };
    this.database = new CellDatabase(this, 'Database', { ...data, usernameSuffix: tenant.spec.database.usernameSuffix });
    this.database.allowFrom(this.network.appSecurityGroup, 'Company application plane');
    this.fileShare = new CellFileShare(this, 'FileShare', { ...data, clientSubnets: this.network.appSubnets, endpoints: this.network.endpointSecurityGroup, nfs: tenant.spec.fileShare?.nfs === true });
    this.fileShare.allowFrom(this.network.appSecurityGroup, 'Company application plane');
    this.retention = new CellRetention(this, 'Retention', { tenantId: tenant.id, encryptionKey: this.keys.dataKey, resourceArns: [this.database.instance.instanceArn, this.fileShare.volume.attrResourceArn] });
    new CellOutputs(this, 'DataOutputs', { tenantId: tenant.id, database: this.database, fileShare: this.fileShare, appSecurityGroup: this.network.appSecurityGroup });

    // -- vault (issue 4) --
    const vault = tenant.spec.vault;
    const vaultCluster = new VaultCluster(this, 'Vault', {
      tenantId: tenant.id,
      vpc: this.network.vpc,
      vpcSubnets: this.network.appSubnets,
      clientSecurityGroup: this.network.appSecurityGroup,
      sealKey: this.keys.sealKey,
      dataKey: this.keys.dataKey,
      fileShareSecret: this.fileShare.smbShare.userSecret,
      egress: tenant.spec.egress,
      nodes: sizing.vault.nodes,
      instanceTypes: sizing.vault.instanceTypes.map((t) => new ec2.InstanceType(t)),
      recovery: vault && { pgpKeys: vault.recoveryPgpKeys, threshold: vault.recoveryThreshold },
      tls: vault?.tls,
      database: {
        hostname: this.database.hostname,
        port: this.database.port,
        databaseName: this.database.databaseName,
        masterSecret: this.database.secret,
        connections: this.database,
      },
    });

    // -- deletion protection a failed first deploy can roll back (issue 11, docs/deploy-rollback.md) --
    new DeletionProtection(this, 'DeletionProtection', {
      vpc: this.network.vpc,
      vpcSubnets: this.network.appSubnets,
      networkPath: [...Object.values(this.network.interfaceEndpoints), this.network.s3Endpoint],
      logKey: this.keys.dataKey,
      database: this.database.instance,
      loadBalancer: vaultCluster.loadBalancer,
    });

    // -- region guard (issue 5) --
    // Its aspect makes every other resource of the stack, whichever construct adds it, wait for the guard.
    new RegionGuard(this, 'RegionGuard', {
      tenantId: tenant.id,
      pinnedRegion: tenant.pin.region,
      allowedRegions: props.allowedRegions,
      tenantTagKey: TENANT_TAG,
      cellkitVersion: props.cellkitVersion,
    });
  }

  /** The AZs from regions.json, so synth never asks AWS for them. */
  get availabilityZones(): string[] {
    return [...this.tenant.region.availabilityZones];
  }
}
