import { backupStoredGb, free, Line, line, numberProp, Pricer, PricingContext, unpriced } from '../model';

/** Performance Insights keeps 7 days of history at no charge (its pricing page's free tier). */
export const PERFORMANCE_INSIGHTS_FREE_TIER = 'https://aws.amazon.com/rds/performance-insights/pricing/';

/**
 * "You are not charged for the backup storage cost if the total backup storage doesn't exceed 100% of your
 * databases storage size within a Region" (AWS Database Blog, "Demystifying Amazon RDS backup storage costs").
 */
export const RDS_BACKUP_FREE_ALLOWANCE = 'https://aws.amazon.com/blogs/database/demystifying-amazon-rds-backup-storage-costs/ (backup storage up to 100% of the database storage in a Region is free; Amazon RDS pricing)';

/**
 * RDS for PostgreSQL: instance hours (Multi-AZ is its own, higher rate), gp3 storage per GB-month
 * (Multi-AZ stores twice), backup storage beyond the free allowance (equal to provisioned storage),
 * Performance Insights (the 7-day retention tier is free; longer retention is not modelled).
 * Sources: "Amazon RDS for PostgreSQL pricing" (aws.amazon.com/rds/postgresql/pricing) and
 * "On-Demand DB instances for Amazon RDS" (RDS User Guide): both instances are billed under Multi-AZ.
 */
export const rdsInstance: Pricer = {
  type: 'AWS::RDS::DBInstance',
  price(ctx: PricingContext): Line[] {
    const p = ctx.resource.Properties ?? {};
    const engine = String(p.Engine ?? '');
    if (engine !== 'postgres') return [unpriced(ctx, `RDS ${engine} instance`, 'only RDS for PostgreSQL is modelled')];
    const az = p.MultiAZ === true || p.MultiAZ === 'true' ? 'multi-az' : 'single-az';
    const cls = String(p.DBInstanceClass ?? '');
    const storageGb = numberProp(p.AllocatedStorage);
    const retention = numberProp(p.BackupRetentionPeriod) ?? 1;
    const h = ctx.assumptions.hoursPerMonth;
    const lines: Line[] = [line(ctx, { description: `${cls} PostgreSQL, ${az}`, quantity: h, unit: 'hour', priceKey: `rds.postgres.hour.${az}:${cls}` })];
    const storageType = String(p.StorageType ?? 'gp2');
    if (storageGb === undefined) lines.push(unpriced(ctx, 'storage', 'AllocatedStorage is not a number in the template'));
    else if (storageType !== 'gp3') lines.push(unpriced(ctx, `${storageType} storage`, 'only gp3 storage is modelled'));
    else lines.push(line(ctx, { description: `gp3 storage, ${storageGb} GB allocated (${az})`, quantity: storageGb, unit: 'GB-month', priceKey: `rds.gp3.${az}.gb-month` }));
    const stored = backupStoredGb(ctx.assumptions.databaseDataGb, ctx.assumptions.backupDailyChangeRate, retention);
    const charged = Math.max(0, stored - (storageGb ?? 0));
    const backups = `automated backups, ${retention} days (${stored.toFixed(1)} GB stored, ${storageGb ?? 0} GB free)`;
    // Within the free allowance the line is zero at any price: shown as free, not as a missing price.
    lines.push(charged === 0 ? free(ctx, backups, RDS_BACKUP_FREE_ALLOWANCE) : line(ctx, { description: backups, quantity: charged, unit: 'GB-month', priceKey: 'rds.backup.gb-month' }));
    const piRetention = numberProp(p.PerformanceInsightsRetentionPeriod) ?? 7;
    if (p.EnablePerformanceInsights === true || p.EnablePerformanceInsights === 'true') {
      lines.push(
        piRetention <= 7
          ? free(ctx, 'Performance Insights, 7 days of history', PERFORMANCE_INSIGHTS_FREE_TIER)
          : unpriced(ctx, `Performance Insights, ${piRetention} days`, 'only the free 7-day retention is modelled'),
      );
    }
    return lines;
  },
};
