// The props of CellFileShare (lib/data/cell-file-share.ts) and the FSx limits they are checked against,
// apart like aws-rds's props.ts; cell-file-share.ts re-exports them.
import { Duration, Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Sizing } from '../registry/tenant-spec';
import { RETENTION_DAYS } from './retention-days';

/**
 * One deployment type for every sizing: FSx replaces a file system whose deployment type changes.
 * MULTI_AZ_1 keeps the share up through an AZ outage.
 */
export const FILE_SHARE_DEPLOYMENT_TYPE = 'MULTI_AZ_1';

/** MULTI_AZ_1 throughput tiers (MBps). */
export const MULTI_AZ_1_THROUGHPUTS: readonly number[] = [128, 256, 512, 1024, 2048, 4096];

/**
 * Ports admitted from clients: SMB (authenticated by user and password) and the SVM's ONTAP
 * REST API (authenticated by the vsadmin password). No NFS (AUTH_SYS trusts the client's claimed
 * uid: no password), no iSCSI, no SSH.
 */
export const FILE_SHARE_PORTS: ReadonlyArray<{ readonly port: ec2.Port; readonly description: string }> = [
  { port: ec2.Port.tcp(445), description: 'SMB' },
  { port: ec2.Port.tcp(443), description: 'ONTAP REST API (SVM management)' },
];

export const FILE_SHARE_BACKUP_DAYS = RETENTION_DAYS;
/** FSx keeps automatic backups at most this long. */
export const MAX_FSX_BACKUP_DAYS = 90;

export interface CellFileShareProps {
  /** Tenant id: names the secrets (lib/cell/secret-names.ts). */
  readonly tenantId: string;
  readonly sizing: Sizing;
  readonly vpc: ec2.IVpc;
  /** The isolated data subnets; the file servers go into the first two. */
  readonly subnets: ec2.SubnetSelection;
  /** Subnets of the clients: FSx adds routes to the floating Multi-AZ endpoints in their route tables. */
  readonly clientSubnets: ec2.SubnetSelection;
  /** Encrypts the file system, its backups and the admin password secrets. */
  readonly encryptionKey: kms.IKey;
  /**
   * SSD capacity, whole GiB from 1024 to 196608; it can grow in place but never shrink.
   * @default Size.gibibytes(1024)
   */
  readonly storageCapacity?: Size;
  /**
   * How long FSx keeps automatic daily backups, whole days from 1 to 90.
   * @default Duration.days(RETENTION_DAYS), lib/data/retention-days.ts
   */
  readonly backupRetention?: Duration;
  /**
   * Daily automatic backup start, `HH:MM` UTC.
   * @default '01:00'
   */
  readonly dailyBackupStartTime?: string;
  /**
   * Size of the git volume (thin-provisioned), whole MiB from 20 to the SSD capacity.
   * @default Size.gibibytes(100)
   */
  readonly volumeSize?: Size;
  /** The Secrets Manager interface endpoint: the share's configuring Lambda reads its secrets through it. */
  readonly endpoints: ec2.IConnectable;
  /**
   * Leave NFS access to the volume's existing export policy.
   * @default false - NFS closed: the volume gets an export policy without rules
   */
  readonly nfs?: boolean;
}
