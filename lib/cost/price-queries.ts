// What `cellkit prices refresh` asks the AWS Price List API for: one query per price key.
// Attribute names and values follow the Price List product attributes ("Reading the service price
// list file", AWS Billing and Cost Management User Guide). Server-side filters are TERM_MATCH; the
// usage type differs per region only by a prefix (e.g. `EUW2-NatGateway-Hours`), so it is matched
// client-side by its suffix.
import { CELL_SIZING } from '../cell/sizing';

export interface PriceQuery {
  readonly key: string;
  readonly serviceCode: string;
  /** TERM_MATCH filters besides the region. */
  readonly filters: Readonly<Record<string, string>>;
  /** Matched against `product.attributes.usagetype` after the call. */
  readonly usageTypeSuffix?: string;
  readonly unit: string;
}

/** The database classes of the sizing table (lib/cell/sizing.ts), and the EC2 types priced for Vault. */
export const RDS_CLASSES: readonly string[] = Object.values(CELL_SIZING).map((s) => `db.${s.database.instanceType}`);
export const EC2_TYPES: readonly string[] = [...new Set(Object.values(CELL_SIZING).flatMap((s) => s.vault.instanceTypes))];

export const PRICE_QUERIES: readonly PriceQuery[] = [
  { key: 'fsx.ontap.multi-az.ssd-gb-month', serviceCode: 'AmazonFSx', filters: { fileSystemType: 'ONTAP', deploymentOption: 'Multi-AZ', productFamily: 'Storage', storageType: 'SSD' }, unit: 'GB-month' },
  { key: 'fsx.ontap.multi-az.throughput-mbps-month', serviceCode: 'AmazonFSx', filters: { fileSystemType: 'ONTAP', deploymentOption: 'Multi-AZ', productFamily: 'Provisioned Throughput' }, unit: 'MBps-month' },
  { key: 'fsx.ontap.backup-gb-month', serviceCode: 'AmazonFSx', filters: { fileSystemType: 'ONTAP', productFamily: 'Storage Snapshot' }, unit: 'GB-month' },
  ...(['Single-AZ', 'Multi-AZ'] as const).flatMap((d) =>
    RDS_CLASSES.map((cls) => ({
      key: `rds.postgres.hour.${d.toLowerCase()}:${cls}`,
      serviceCode: 'AmazonRDS',
      filters: { productFamily: 'Database Instance', instanceType: cls, databaseEngine: 'PostgreSQL', deploymentOption: d },
      unit: 'hour',
    })),
  ),
  // Storage SKUs: `<prefix>RDS:GP3-Storage` and `<prefix>RDS:Multi-AZ-GP3-Storage`; some regions list the Multi-AZ SKU
  // under databaseEngine `Any`, so that query does not filter on the engine (storage is priced the same for every engine).
  { key: 'rds.gp3.single-az.gb-month', serviceCode: 'AmazonRDS', filters: { productFamily: 'Database Storage', databaseEngine: 'PostgreSQL', volumeType: 'General Purpose-GP3' }, usageTypeSuffix: 'RDS:GP3-Storage', unit: 'GB-month' },
  { key: 'rds.gp3.multi-az.gb-month', serviceCode: 'AmazonRDS', filters: { productFamily: 'Database Storage', volumeType: 'General Purpose-GP3' }, usageTypeSuffix: 'RDS:Multi-AZ-GP3-Storage', unit: 'GB-month' },
  { key: 'rds.backup.gb-month', serviceCode: 'AmazonRDS', filters: { productFamily: 'Storage Snapshot' }, usageTypeSuffix: 'RDS:ChargedBackupUsage', unit: 'GB-month' },
  ...EC2_TYPES.map((t) => ({
    key: `ec2.hour:${t}`,
    serviceCode: 'AmazonEC2',
    filters: { productFamily: 'Compute Instance', instanceType: t, operatingSystem: 'Linux', tenancy: 'Shared', preInstalledSw: 'NA', capacitystatus: 'Used', licenseModel: 'No License required' },
    unit: 'hour',
  })),
  { key: 'ebs.gp3.gb-month', serviceCode: 'AmazonEC2', filters: { productFamily: 'Storage', volumeApiName: 'gp3' }, unit: 'GB-month' },
  { key: 'elb.network.hour', serviceCode: 'AWSELB', filters: { productFamily: 'Load Balancer-Network' }, usageTypeSuffix: 'LoadBalancerUsage', unit: 'hour' },
  { key: 'elb.network.lcu-hour', serviceCode: 'AWSELB', filters: { productFamily: 'Load Balancer-Network' }, usageTypeSuffix: 'LCUUsage', unit: 'LCU-hour' },
  { key: 'vpc.nat.hour', serviceCode: 'AmazonEC2', filters: { productFamily: 'NAT Gateway' }, usageTypeSuffix: 'NatGateway-Hours', unit: 'hour' },
  { key: 'vpc.nat.gb', serviceCode: 'AmazonEC2', filters: { productFamily: 'NAT Gateway' }, usageTypeSuffix: 'NatGateway-Bytes', unit: 'GB' },
  { key: 'vpc.public-ipv4.hour', serviceCode: 'AmazonVPC', filters: {}, usageTypeSuffix: 'PublicIPv4:InUseAddress', unit: 'hour' },
  { key: 'vpc.interface-endpoint.az-hour', serviceCode: 'AmazonVPC', filters: { productFamily: 'VpcEndpoint' }, usageTypeSuffix: 'VpcEndpoint-Hours', unit: 'AZ-hour' },
  { key: 'vpc.interface-endpoint.gb', serviceCode: 'AmazonVPC', filters: { productFamily: 'VpcEndpoint' }, usageTypeSuffix: 'VpcEndpoint-Bytes', unit: 'GB' },
  { key: 'kms.key-month', serviceCode: 'awskms', filters: {}, usageTypeSuffix: 'KMS-Keys', unit: 'key-month' },
  { key: 'secretsmanager.secret-month', serviceCode: 'AWSSecretsManager', filters: {}, usageTypeSuffix: 'AWSSecretsManager-Secrets', unit: 'secret-month' },
  { key: 'logs.ingest-gb', serviceCode: 'AmazonCloudWatch', filters: { productFamily: 'Data Payload' }, usageTypeSuffix: 'DataProcessing-Bytes', unit: 'GB' },
  { key: 'logs.storage-gb-month', serviceCode: 'AmazonCloudWatch', filters: { productFamily: 'Storage Snapshot' }, usageTypeSuffix: 'TimedStorage-ByteHrs', unit: 'GB-month' },
  { key: 'backup.rds-snapshot.gb-month', serviceCode: 'AWSBackup', filters: { resourceType: 'Amazon RDS' }, usageTypeSuffix: 'WarmStorage-ByteHrs-RDS', unit: 'GB-month' },
  { key: 's3.standard.gb-month', serviceCode: 'AmazonS3', filters: { productFamily: 'Storage', volumeType: 'Standard' }, usageTypeSuffix: 'TimedStorage-ByteHrs', unit: 'GB-month' },
];
