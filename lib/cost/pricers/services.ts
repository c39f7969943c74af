import { backupStoredGb, Line, line, numberProp, Pricer, PricingContext } from '../model';

/** KMS: one monthly fee per customer managed key ("AWS Key Management Service pricing", aws.amazon.com/kms/pricing). */
export const kmsKey: Pricer = {
  type: 'AWS::KMS::Key',
  price: (ctx: PricingContext): Line[] => [line(ctx, { description: 'customer managed key', quantity: 1, unit: 'key-month', priceKey: 'kms.key-month' })],
};

/** Secrets Manager: per secret per month ("AWS Secrets Manager pricing", aws.amazon.com/secrets-manager/pricing). */
export const secret: Pricer = {
  type: 'AWS::SecretsManager::Secret',
  price: (ctx: PricingContext): Line[] => [line(ctx, { description: 'secret', quantity: 1, unit: 'secret-month', priceKey: 'secretsmanager.secret-month' })],
};

/**
 * CloudWatch Logs: ingestion per GB and storage per GB-month ("Amazon CloudWatch pricing",
 * aws.amazon.com/cloudwatch/pricing). Steady state: retention months (at most 12) of ingestion stored.
 */
export const logGroup: Pricer = {
  type: 'AWS::Logs::LogGroup',
  price(ctx: PricingContext): Line[] {
    const gb = ctx.assumptions.logIngestGbPerGroup;
    const retentionDays = numberProp(ctx.resource.Properties?.RetentionInDays);
    const months = Math.min(12, (retentionDays ?? 365) / 30);
    return [
      line(ctx, { description: `ingestion (${gb} GB assumed)`, quantity: gb, unit: 'GB', priceKey: 'logs.ingest-gb' }),
      line(ctx, { description: `storage, ${retentionDays ?? 'never-expiring'} days retention (${(gb * months).toFixed(1)} GB at steady state)`, quantity: gb * months, unit: 'GB-month', priceKey: 'logs.storage-gb-month' }),
    ];
  },
};

/**
 * AWS Backup vault: the recovery points it keeps. The cell's plan backs up the database (billed
 * at the AWS Backup RDS snapshot rate) and the file share volume (billed at FSx backup rates),
 * each kept `DeleteAfterDays` ("AWS Backup pricing", aws.amazon.com/backup/pricing).
 */
export const backupVault: Pricer = {
  type: 'AWS::Backup::BackupVault',
  price(ctx: PricingContext): Line[] {
    const a = ctx.assumptions;
    const t = ctx.template;
    const days = Math.max(0, ...t.ofType('AWS::Backup::BackupPlan').flatMap(([, plan]) => planRetentions(plan.Properties?.BackupPlan)));
    if (days === 0) return [];
    const selected = t.ofType('AWS::Backup::BackupSelection').flatMap(([, s]) => t.references((s.Properties?.BackupSelection as { Resources?: unknown } | undefined)?.Resources));
    const types = new Set(selected.map((id) => t.get(id)?.Type));
    const lines: Line[] = [];
    if (types.has('AWS::RDS::DBInstance')) {
      lines.push(line(ctx, { description: `database recovery points, ${days} days (assumed ${a.databaseDataGb} GB)`, quantity: backupStoredGb(a.databaseDataGb, a.backupDailyChangeRate, days), unit: 'GB-month', priceKey: 'backup.rds-snapshot.gb-month' }));
    }
    if (types.has('AWS::FSx::Volume')) {
      lines.push(line(ctx, { description: `file share recovery points, ${days} days (assumed ${a.fileShareDataGb} GB)`, quantity: backupStoredGb(a.fileShareDataGb, a.backupDailyChangeRate, days), unit: 'GB-month', priceKey: 'fsx.ontap.backup-gb-month' }));
    }
    return lines;
  },
};

function planRetentions(plan: unknown): number[] {
  const rules = ((plan as { BackupPlanRule?: { Lifecycle?: { DeleteAfterDays?: unknown } }[] } | undefined)?.BackupPlanRule ?? []);
  return rules.map((r) => numberProp(r.Lifecycle?.DeleteAfterDays) ?? 0);
}

/** S3 bucket: Standard storage per GB-month ("Amazon S3 pricing", aws.amazon.com/s3/pricing). */
export const bucket: Pricer = {
  type: 'AWS::S3::Bucket',
  price: (ctx: PricingContext): Line[] => [
    line(ctx, { description: `Standard storage (${ctx.assumptions.vaultSnapshotGb} GB assumed)`, quantity: ctx.assumptions.vaultSnapshotGb, unit: 'GB-month', priceKey: 's3.standard.gb-month' }),
  ],
};
