import { backupStoredGb, Line, line, numberProp, Pricer, PricingContext, unpriced } from '../model';

/**
 * FSx for NetApp ONTAP: SSD storage (GB-month), throughput capacity (MBps-month) and backup
 * storage (GB-month), priced per deployment type ("Amazon FSx for NetApp ONTAP pricing",
 * aws.amazon.com/fsx/netapp-ontap/pricing). SSD IOPS up to 3 per GB are included.
 */
export const fsxFileSystem: Pricer = {
  type: 'AWS::FSx::FileSystem',
  price(ctx: PricingContext): Line[] {
    const p = ctx.resource.Properties ?? {};
    if (p.FileSystemType !== 'ONTAP') return [unpriced(ctx, `FSx ${String(p.FileSystemType)} file system`, 'only FSx for NetApp ONTAP is modelled')];
    const ontap = (p.OntapConfiguration ?? {}) as Record<string, unknown>;
    const deployment = String(ontap.DeploymentType ?? '');
    const az = /^MULTI_AZ/.test(deployment) ? 'multi-az' : 'single-az';
    const storageGb = numberProp(p.StorageCapacity);
    const throughput = numberProp(ontap.ThroughputCapacity);
    const retention = numberProp(ontap.AutomaticBackupRetentionDays) ?? 30;
    const a = ctx.assumptions;
    return [
      storageGb === undefined
        ? unpriced(ctx, 'SSD storage', 'StorageCapacity is not a number in the template')
        : line(ctx, { description: `SSD storage, ${storageGb} GB (${deployment})`, quantity: storageGb, unit: 'GB-month', priceKey: `fsx.ontap.${az}.ssd-gb-month` }),
      throughput === undefined
        ? unpriced(ctx, 'throughput capacity', 'ThroughputCapacity is not a number in the template')
        : line(ctx, { description: `throughput capacity, ${throughput} MBps`, quantity: throughput, unit: 'MBps-month', priceKey: `fsx.ontap.${az}.throughput-mbps-month` }),
      line(ctx, {
        description: `automatic backups, ${retention} days of ${a.fileShareDataGb} GB (assumed)`,
        quantity: retention === 0 ? 0 : backupStoredGb(a.fileShareDataGb, a.backupDailyChangeRate, retention),
        unit: 'GB-month',
        priceKey: 'fsx.ontap.backup-gb-month',
      }),
    ];
  },
};
