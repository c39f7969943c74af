// Every usage figure the estimate assumes, in one place. Templates say what is provisioned;
// these say how much is used. They are printed with every estimate and documented in docs/cost.md.

export interface CostAssumptions {
  /** Hours in a billing month (AWS's own convention for monthly figures). */
  readonly hoursPerMonth: number;
  /** GB of data on the FSx file share (drives its backup storage). */
  readonly fileShareDataGb: number;
  /** Share of stored data that changes per day (incremental backups grow by this much a day). */
  readonly backupDailyChangeRate: number;
  /** GB of data in the PostgreSQL database (drives backup storage beyond the free allowance). */
  readonly databaseDataGb: number;
  /** GB ingested per month into each CloudWatch Logs group. */
  readonly logIngestGbPerGroup: number;
  /** GB processed per month by each NAT gateway. */
  readonly natProcessedGbPerGateway: number;
  /** GB processed per month by each interface endpoint. */
  readonly endpointProcessedGbPerEndpoint: number;
  /** Average Network Load Balancer capacity units used per hour. */
  readonly nlbCapacityUnitsPerHour: number;
  /** GB held in the Vault snapshot bucket. */
  readonly vaultSnapshotGb: number;
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  hoursPerMonth: 730,
  fileShareDataGb: 100,
  backupDailyChangeRate: 0.01,
  databaseDataGb: 20,
  logIngestGbPerGroup: 1,
  natProcessedGbPerGateway: 50,
  endpointProcessedGbPerEndpoint: 5,
  nlbCapacityUnitsPerHour: 1,
  vaultSnapshotGb: 1,
};

/** One line per assumption, for the Markdown and text output. */
export function describeAssumptions(a: CostAssumptions): string[] {
  return [
    `${a.hoursPerMonth} hours per month`,
    `${a.fileShareDataGb} GB on the file share; ${a.databaseDataGb} GB in the database`,
    `backups change ${a.backupDailyChangeRate * 100}% of the data per day (incremental backups: stored = data x (1 + change x retention days))`,
    `${a.logIngestGbPerGroup} GB ingested per log group per month; stored = ingestion x retention in months (at most 12)`,
    `${a.natProcessedGbPerGateway} GB processed per NAT gateway per month; ${a.endpointProcessedGbPerEndpoint} GB per interface endpoint per month`,
    `${a.nlbCapacityUnitsPerHour} Network Load Balancer capacity unit(s) per hour`,
    `${a.vaultSnapshotGb} GB of Vault snapshots in S3`,
    'API requests (KMS, Secrets Manager, S3) inside the free allowances; no data transfer out of the region',
  ];
}
