// A complete price file for tests, with round made-up numbers so hand-computed figures are easy
// to check. NOT real prices: the committed lib/cost/prices.json holds the sourced ones.
import { PriceFile, RegionPrices } from '../../lib/cost/price-file';

const p = (usd: number, unit: string) => ({ usd, unit, source: 'test fixture (not a real price)', asOf: '2026-01-01' });

export const TEST_REGION_PRICES: RegionPrices = {
  'fsx.ontap.multi-az.ssd-gb-month': p(0.25, 'GB-month'),
  'fsx.ontap.multi-az.throughput-mbps-month': p(1.5, 'MBps-month'),
  'fsx.ontap.backup-gb-month': p(0.05, 'GB-month'),
  'rds.postgres.hour.single-az:db.t4g.medium': p(0.1, 'hour'),
  'rds.postgres.hour.multi-az:db.t4g.medium': p(0.2, 'hour'),
  'rds.postgres.hour.single-az:db.m7g.large': p(0.2, 'hour'),
  'rds.postgres.hour.multi-az:db.m7g.large': p(0.4, 'hour'),
  'rds.gp3.single-az.gb-month': p(0.1, 'GB-month'),
  'rds.gp3.multi-az.gb-month': p(0.2, 'GB-month'),
  'rds.backup.gb-month': p(0.1, 'GB-month'),
  'ec2.hour:t3.medium': p(0.05, 'hour'),
  'ec2.hour:m6i.large': p(0.1, 'hour'),
  'ec2.hour:c6i.large': p(0.09, 'hour'),
  'ec2.hour:c6a.large': p(0.08, 'hour'),
  'ec2.hour:m6a.large': p(0.09, 'hour'),
  'ebs.gp3.gb-month': p(0.1, 'GB-month'),
  'elb.network.hour': p(0.03, 'hour'),
  'elb.network.lcu-hour': p(0.01, 'LCU-hour'),
  'vpc.nat.hour': p(0.05, 'hour'),
  'vpc.nat.gb': p(0.05, 'GB'),
  'vpc.public-ipv4.hour': p(0.005, 'hour'),
  'vpc.interface-endpoint.az-hour': p(0.01, 'AZ-hour'),
  'vpc.interface-endpoint.gb': p(0.01, 'GB'),
  'kms.key-month': p(1, 'key-month'),
  'secretsmanager.secret-month': p(0.4, 'secret-month'),
  'logs.ingest-gb': p(0.5, 'GB'),
  'logs.storage-gb-month': p(0.03, 'GB-month'),
  'backup.rds-snapshot.gb-month': p(0.1, 'GB-month'),
  's3.standard.gb-month': p(0.025, 'GB-month'),
};

export function testPriceFile(regions: string[] = ['eu-west-2', 'ap-southeast-2']): PriceFile {
  return { currency: 'USD', updatedAt: '2026-01-01', regions: Object.fromEntries(regions.map((r) => [r, TEST_REGION_PRICES])) };
}
