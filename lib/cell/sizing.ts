// Every decision that differs between a dev and a prod cell, in one table. Parts read their row from here
// (CellStack, CellDatabase, CellFileShare, VaultCluster's default, `cellkit vault status`, the price queries);
// none decides by `sizing === 'prod'` itself. Plain data, no aws-cdk-lib: the CLI reads it too.
import type { Sizing } from '../registry/tenant-spec';

export interface CellSizing {
  /** NAT gateways when the tenant's egress is `nat` (one per AZ for prod); a cell without egress has none. */
  readonly natGateways: number;
  readonly vault: {
    /** Servers in the Raft cluster (3 tolerates one failure, 5 tolerates two). */
    readonly nodes: 3 | 5;
    /** Instance types the Auto Scaling group may launch, first preferred: two distinct Nitro types of one size. */
    readonly instanceTypes: readonly string[];
  };
  /** Every field here changes in place: switching sizing never replaces the database. */
  readonly database: {
    /** RDS instance class without the `db.` prefix. */
    readonly instanceType: string;
    readonly multiAz: boolean;
    /** Storage autoscaling ceiling; allocated storage is the same for every sizing (RDS cannot shrink it). */
    readonly maxAllocatedStorageGiB: number;
  };
  readonly fileShare: {
    /** FSx for ONTAP throughput (MBps), the only file-share setting that changes with sizing (in place, both ways). */
    readonly throughputMBps: number;
  };
}

export const CELL_SIZING: Readonly<Record<Sizing, CellSizing>> = {
  dev: {
    natGateways: 1,
    vault: { nodes: 3, instanceTypes: ['c6i.large', 'c6a.large'] },
    database: { instanceType: 't4g.medium', multiAz: false, maxAllocatedStorageGiB: 100 },
    fileShare: { throughputMBps: 128 },
  },
  prod: {
    natGateways: 3,
    vault: { nodes: 5, instanceTypes: ['m6i.large', 'm6a.large'] },
    database: { instanceType: 'm7g.large', multiAz: true, maxAllocatedStorageGiB: 1000 },
    fileShare: { throughputMBps: 512 },
  },
};

/** The Vault instance types of the sizing that runs this many nodes (VaultCluster's default). */
export function vaultInstanceTypesFor(nodes: 3 | 5): readonly string[] {
  const row = Object.values(CELL_SIZING).find((s) => s.vault.nodes === nodes);
  if (!row) throw new Error(`no sizing in lib/cell/sizing.ts runs ${nodes} Vault nodes`);
  return row.vault.instanceTypes;
}
