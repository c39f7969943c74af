/**
 * The written promise: deleted data is kept this many days. AWS Backup recovery points (CellRetention),
 * FSx automatic backups (CellFileShare) and Vault snapshot versions (VaultSnapshotBucket) default to it,
 * and `cellkit evidence` checks every one against it. Plain data, no aws-cdk-lib: the evidence CLI reads it.
 */
export const RETENTION_DAYS = 90;
