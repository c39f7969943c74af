import { Duration, Size, SizeRoundingBehavior } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CELL_SIZING } from '../../cell/sizing';
import { CellFileShareProps, FILE_SHARE_BACKUP_DAYS, MAX_FSX_BACKUP_DAYS, MULTI_AZ_1_THROUGHPUTS } from '../cell-file-share-props';

export type FileShareSettingsProps = Pick<
  CellFileShareProps,
  'tenantId' | 'sizing' | 'vpc' | 'subnets' | 'clientSubnets' | 'storageCapacity' | 'backupRetention' | 'dailyBackupStartTime' | 'volumeSize'
>;

/**
 * The file system's settings, with the defaults applied and checked against FSx for ONTAP's limits:
 * every refusal of CellFileShare's props. It creates nothing, so CellFileShare builds it first and a bad
 * prop is refused before any resource exists (docs/file-share.md, "How the code is split").
 */
export class FileShareSettings {
  /** SSD capacity, GiB. */
  readonly storageCapacityGiB: number;
  /** Automatic backup retention, days. */
  readonly backupDays: number;
  /** `HH:MM` UTC. */
  readonly backupStart: string;
  readonly volumeSizeMiB: number;
  /** Of the tenant's sizing (lib/cell/sizing.ts), MBps. */
  readonly throughputMBps: number;
  /** The file servers' subnets: the preferred one first, then the standby (two AZs). */
  readonly serverSubnets: readonly [ec2.ISubnet, ec2.ISubnet];
  /** The clients' and the servers' route tables, each once: FSx routes the floating endpoints there. */
  readonly routeTableIds: readonly string[];

  constructor(props: FileShareSettingsProps) {
    const what = `CellFileShare for tenant "${props.tenantId}"`;
    const storageCapacity = wholeUnits(props.storageCapacity ?? Size.gibibytes(1024), 'GiB');
    const backupDays = (props.backupRetention ?? Duration.days(FILE_SHARE_BACKUP_DAYS)).toDays({ integral: false });
    const backupStart = props.dailyBackupStartTime ?? '01:00';
    const volumeSizeMiB = wholeUnits(props.volumeSize ?? Size.gibibytes(100), 'MiB');
    // Only throughput changes with sizing (lib/cell/sizing.ts); SSD capacity can only grow, so it is one value.
    const throughput = CELL_SIZING[props.sizing].fileShare.throughputMBps;
    if (!Number.isInteger(storageCapacity) || storageCapacity < 1024 || storageCapacity > 196608) {
      throw new Error(`${what}: storageCapacity must be whole GiB from 1024 to 196608 (FSx for ONTAP SSD limits); got ${storageCapacity} GiB`);
    }
    if (!Number.isInteger(backupDays) || backupDays < 1 || backupDays > MAX_FSX_BACKUP_DAYS) {
      throw new Error(`${what}: backupRetention must be whole days from 1 to ${MAX_FSX_BACKUP_DAYS} (0 would disable backups); got ${backupDays} days`);
    }
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(backupStart)) {
      throw new Error(`${what}: dailyBackupStartTime must be HH:MM (00:00-23:59, UTC); got ${JSON.stringify(backupStart)}`);
    }
    if (!Number.isInteger(volumeSizeMiB) || volumeSizeMiB < 20 || volumeSizeMiB > storageCapacity * 1024) {
      throw new Error(`${what}: volumeSize must be whole MiB from 20 to ${storageCapacity * 1024} (at most the SSD capacity); got ${volumeSizeMiB} MiB`);
    }
    if (!MULTI_AZ_1_THROUGHPUTS.includes(throughput)) {
      throw new Error(`${what}: throughput for sizing "${props.sizing}" must be one of ${MULTI_AZ_1_THROUGHPUTS.join(', ')} MBps; got ${throughput}`); // guards edits to lib/cell/sizing.ts
    }
    const serverSubnets = props.vpc.selectSubnets(props.subnets).subnets;
    if (serverSubnets.length < 2) {
      throw new Error(`${what}: subnets must select at least 2 subnets in different AZs (Multi-AZ file servers); got ${serverSubnets.length}`);
    }
    const routeTables = [...props.vpc.selectSubnets(props.clientSubnets).subnets, ...serverSubnets].map((s) => s.routeTable.routeTableId);
    this.storageCapacityGiB = storageCapacity;
    this.backupDays = backupDays;
    this.backupStart = backupStart;
    this.volumeSizeMiB = volumeSizeMiB;
    this.throughputMBps = throughput;
    this.serverSubnets = [serverSubnets[0], serverSubnets[1]];
    this.routeTableIds = [...new Set(routeTables)];
  }
}

/** `size` in GiB or MiB, a fraction when it is not whole (the caller refuses it with the prop's name). */
function wholeUnits(size: Size, unit: 'GiB' | 'MiB'): number {
  const opts = { rounding: SizeRoundingBehavior.NONE };
  return unit === 'GiB' ? size.toGibibytes(opts) : size.toMebibytes(opts);
}
