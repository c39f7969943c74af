import type { CellEstimate } from './estimate';
import type { UnpricedLine } from './model';

/**
 * The cell's main parts (issue 19): the resource types an estimate must price before it can be read
 * as the cost of a cell. An unpriced line of one of these types means the total leaves out a part
 * that matters, so reports flag it and a test keeps the example tenants free of them.
 */
export const MAIN_PARTS: ReadonlyMap<string, string> = new Map([
  ['AWS::FSx::FileSystem', 'FSx for ONTAP: SSD storage, throughput, backups'],
  ['AWS::RDS::DBInstance', 'RDS PostgreSQL: instance hours (single- or Multi-AZ), gp3 storage, backups'],
  ['AWS::AutoScaling::AutoScalingGroup', 'EC2 for Vault: every instance type the group may launch, EBS gp3'],
  ['AWS::ElasticLoadBalancingV2::LoadBalancer', 'the Network Load Balancer: hours and capacity units'],
  ['AWS::EC2::NatGateway', 'NAT gateways: hours and data'],
  ['AWS::EC2::EIP', "the NAT gateways' public IPv4 addresses"],
  ['AWS::EC2::VPCEndpoint', 'interface endpoints: AZ-hours and data'],
  ['AWS::KMS::Key', 'KMS keys'],
  ['AWS::SecretsManager::Secret', 'Secrets Manager secrets'],
  ['AWS::Logs::LogGroup', 'CloudWatch Logs: ingestion and storage'],
  ['AWS::Backup::BackupVault', 'AWS Backup recovery points'],
  ['AWS::S3::Bucket', 'S3 storage'],
]);

export function isMainPart(type: string): boolean {
  return MAIN_PARTS.has(type);
}

/** The unpriced lines of an estimate that belong to a main part. */
export function unpricedMainParts(estimate: CellEstimate): UnpricedLine[] {
  return estimate.unpriced.filter((u) => isMainPart(u.type));
}
