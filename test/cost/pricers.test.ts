// One hand-computed figure per priced resource type. Prices come from the test price file
// (test-prices.ts, round numbers) unless the test says it reads the committed price file.
import { DEFAULT_ASSUMPTIONS } from '../../lib/cost/assumptions';
import { Line, PricedLine, Pricer } from '../../lib/cost/model';
import { loadPriceFile } from '../../lib/cost/price-file';
import { PRICERS } from '../../lib/cost/pricers';
import { CfnResource, TemplateModel } from '../../lib/evidence/template-model';
import { TEST_REGION_PRICES } from './test-prices';

const A = DEFAULT_ASSUMPTIONS; // 730 h, 100 GB share, 20 GB db, 1%/day change, 1 GB logs, 50 GB NAT, 5 GB endpoint, 1 NLCU, 1 GB S3

function price(type: string, resource: Omit<CfnResource, 'Type'>, others: Record<string, CfnResource> = {}, prices = TEST_REGION_PRICES): Line[] {
  const pricer: Pricer = PRICERS.get(type)!;
  const full = { Type: type, ...resource };
  const template = new TemplateModel({ Resources: { R: full, ...others } });
  return pricer.price({ logicalId: 'R', resource: full, template, region: 'eu-west-2', prices, assumptions: A });
}
const monthly = (lines: Line[]) => lines.map((l) => (l.kind === 'priced' ? Number(l.monthlyUsd.toFixed(6)) : l.kind));

describe('pricers: hand-computed figures', () => {
  test('FSx ONTAP Multi-AZ: 1024 GB x 0.25 + 128 MBps x 1.5 + backups 100 GB x (1 + 0.01 x 90) x 0.05', () => {
    const lines = price('AWS::FSx::FileSystem', { Properties: { FileSystemType: 'ONTAP', StorageCapacity: 1024, OntapConfiguration: { DeploymentType: 'MULTI_AZ_1', ThroughputCapacity: 128, AutomaticBackupRetentionDays: 90 } } });
    expect(monthly(lines)).toEqual([256, 192, 9.5]);
  });

  test('RDS PostgreSQL Multi-AZ m7g.large: 730 h x 0.4 + 50 GB x 0.2 + backups max(0, 20 x 1.35 - 50) + free Performance Insights', () => {
    const lines = price('AWS::RDS::DBInstance', { Properties: { Engine: 'postgres', MultiAZ: true, DBInstanceClass: 'db.m7g.large', AllocatedStorage: '50', StorageType: 'gp3', BackupRetentionPeriod: 35, EnablePerformanceInsights: true, PerformanceInsightsRetentionPeriod: 7 } });
    expect(monthly(lines)).toEqual([292, 10, 0, 0]);
    expect((lines[3] as PricedLine).source).toMatch(/performance-insights\/pricing/);
    // 27 GB of backups fit the 50 GB free allowance: a free line citing it, so a region without a backup price is not left unpriced
    expect(lines[2]).toEqual(expect.objectContaining({ priceKey: 'free', monthlyUsd: 0, source: expect.stringMatching(/100% of the database storage/) }));
  });

  test('RDS backups beyond the free allowance are charged: 200 GB x 1.35 = 270 GB stored, 220 GB over 50 GB free, x 0.1', () => {
    const big = { Properties: { Engine: 'postgres', MultiAZ: false, DBInstanceClass: 'db.t4g.medium', AllocatedStorage: 50, StorageType: 'gp3', BackupRetentionPeriod: 35 } };
    const pricer = PRICERS.get('AWS::RDS::DBInstance')!;
    const res = { Type: 'AWS::RDS::DBInstance', ...big };
    const lines = pricer.price({ logicalId: 'R', resource: res, template: new TemplateModel({ Resources: { R: res } }), region: 'eu-west-2', prices: TEST_REGION_PRICES, assumptions: { ...A, databaseDataGb: 200 } });
    expect(monthly(lines)).toEqual([73, 5, 22]);
  });

  test('Vault servers: 3 x 730 h x 0.05 + 3 x (20 + 50) GB x 0.1', () => {
    const lt = { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { InstanceType: 't3.medium', BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3' } }, { DeviceName: '/dev/sdf', Ebs: { VolumeSize: 50, VolumeType: 'gp3' } }] } } };
    const lines = price('AWS::AutoScaling::AutoScalingGroup', { Properties: { DesiredCapacity: '3', LaunchTemplate: { LaunchTemplateId: { Ref: 'LT' } } } }, { LT: lt });
    expect(monthly(lines)).toEqual([109.5, 6, 15]);
  });

  test('Vault group with several instance types: the first is priced (3 x 730 h x 0.09), each alternative needs a price too or is listed unpriced', () => {
    const lt = { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { InstanceType: 'c6i.large' } } };
    const group = (types: string[]) => ({ Properties: { DesiredCapacity: 3, MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateId: { Ref: 'LT' } }, Overrides: types.map((InstanceType) => ({ InstanceType })) } } } });
    const both = price('AWS::AutoScaling::AutoScalingGroup', group(['c6i.large', 'm6i.large']), { LT: lt });
    expect(monthly(both)).toEqual([197.1]);
    expect((both[0] as PricedLine).description).toBe('3 x c6i.large (Linux, on demand; the group may also launch m6i.large at $0.1/h)');
    const missing = price('AWS::AutoScaling::AutoScalingGroup', group(['c6i.large', 'c7a.large']), { LT: lt });
    expect(monthly(missing)).toEqual([197.1, 'unpriced']);
    expect(missing[1]).toEqual(expect.objectContaining({ description: '3 x c7a.large (the group may launch it instead of c6i.large)', reason: 'no price "ec2.hour:c7a.large" for eu-west-2 in the price file' }));
  });

  test('Network Load Balancer: 730 h x 0.03 + 730 NLCU-h x 0.01', () => {
    expect(monthly(price('AWS::ElasticLoadBalancingV2::LoadBalancer', { Properties: { Type: 'network' } }))).toEqual([21.9, 7.3]);
  });

  test('NAT gateway: 730 h x 0.05 + 50 GB x 0.05; its EIP 730 h x 0.005', () => {
    expect(monthly(price('AWS::EC2::NatGateway', {}))).toEqual([36.5, 2.5]);
    expect(monthly(price('AWS::EC2::EIP', {}))).toEqual([3.65]);
  });

  test('interface endpoint in 3 AZs: 3 x 730 AZ-h x 0.01 + 5 GB x 0.01; a gateway endpoint costs nothing', () => {
    expect(monthly(price('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface', ServiceName: 'com.amazonaws.eu-west-2.kms', SubnetIds: ['a', 'b', 'c'] } }))).toEqual([21.9, 0.05]);
    expect(price('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway', ServiceName: 'com.amazonaws.eu-west-2.s3' } })).toEqual([]);
  });

  test('KMS key 1 x 1; secret 1 x 0.4; S3 1 GB x 0.025', () => {
    expect(monthly(price('AWS::KMS::Key', {}))).toEqual([1]);
    expect(monthly(price('AWS::SecretsManager::Secret', {}))).toEqual([0.4]);
    expect(monthly(price('AWS::S3::Bucket', {}))).toEqual([0.025]);
  });

  test('log group with 365-day retention: 1 GB x 0.5 ingested + 12 GB stored x 0.03', () => {
    expect(monthly(price('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365 } }))).toEqual([0.5, 0.36]);
  });

  test('backup vault keeping 90 days of the database and the file share: 20 x 1.9 x 0.1 + 100 x 1.9 x 0.05', () => {
    const others: Record<string, CfnResource> = {
      Plan: { Type: 'AWS::Backup::BackupPlan', Properties: { BackupPlan: { BackupPlanRule: [{ Lifecycle: { DeleteAfterDays: 90 } }] } } },
      Sel: { Type: 'AWS::Backup::BackupSelection', Properties: { BackupSelection: { Resources: [{ 'Fn::Join': ['', ['arn:aws:rds:...:db:', { Ref: 'Db' }]] }, { 'Fn::GetAtt': ['Vol', 'ResourceARN'] }] } } },
      Db: { Type: 'AWS::RDS::DBInstance' },
      Vol: { Type: 'AWS::FSx::Volume' },
    };
    expect(monthly(price('AWS::Backup::BackupVault', {}, others))).toEqual([3.8, 9.5]);
  });

  test('the committed price file: an interface endpoint in London is 3 x 730 x $0.011 + 5 GB x $0.01', () => {
    const london = loadPriceFile().regions['eu-west-2'];
    const lines = price('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface', ServiceName: 'x.sts', SubnetIds: ['a', 'b', 'c'] } }, {}, london);
    expect(monthly(lines)).toEqual([24.09, 0.05]);
  });

  test('the committed price file: the Vault groups of the example shapes, every type they may launch priced', () => {
    const prices = loadPriceFile().regions;
    const lt = { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3' } }, { DeviceName: '/dev/sdf', Ebs: { VolumeSize: 50, VolumeType: 'gp3' } }] } } };
    const group = (n: number, types: string[]) => ({ Properties: { DesiredCapacity: n, MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateId: { Ref: 'LT' } }, Overrides: types.map((InstanceType) => ({ InstanceType })) } } } });
    // London dev: 3 x 730 h x $0.101 (c6i.large; c6a.large $0.0909) + 3 x 70 GB x $0.0928
    const london = price('AWS::AutoScaling::AutoScalingGroup', group(3, ['c6i.large', 'c6a.large']), { LT: lt }, prices['eu-west-2']);
    expect(monthly(london)).toEqual([221.19, 5.568, 13.92]);
    expect((london[0] as PricedLine).description).toContain('c6a.large at $0.0909/h');
    // Sydney prod: 5 x 730 h x $0.12 (m6i.large; m6a.large $0.108) + 5 x 70 GB x $0.096
    expect(monthly(price('AWS::AutoScaling::AutoScalingGroup', group(5, ['m6i.large', 'm6a.large']), { LT: lt }, prices['ap-southeast-2']))).toEqual([438, 9.6, 24]);
    // London NLB: 730 h x $0.02646; its capacity units have no sourced London price and stay unpriced
    expect(monthly(price('AWS::ElasticLoadBalancingV2::LoadBalancer', { Properties: { Type: 'network' } }, {}, prices['eu-west-2']))).toEqual([19.3158, 'unpriced']);
  });

  test('a missing price is unpriced, with the key and region named; never a zero', () => {
    const lines = price('AWS::KMS::Key', {}, {}, {});
    expect(lines).toEqual([expect.objectContaining({ kind: 'unpriced', priceKey: 'kms.key-month', reason: 'no price "kms.key-month" for eu-west-2 in the price file' })]);
  });

  test('shapes the pricers do not model are unpriced, not free', () => {
    expect(price('AWS::FSx::FileSystem', { Properties: { FileSystemType: 'LUSTRE' } })[0].kind).toBe('unpriced');
    expect(price('AWS::RDS::DBInstance', { Properties: { Engine: 'mysql' } })[0].kind).toBe('unpriced');
    expect(price('AWS::RDS::DBInstance', { Properties: { Engine: 'postgres', DBInstanceClass: 'db.t4g.medium', AllocatedStorage: 50, StorageType: 'io1' } })[1]).toEqual(expect.objectContaining({ kind: 'unpriced', description: 'io1 storage' }));
    expect(price('AWS::RDS::DBInstance', { Properties: { Engine: 'postgres', DBInstanceClass: 'db.t4g.medium', AllocatedStorage: 50, StorageType: 'gp3', EnablePerformanceInsights: true, PerformanceInsightsRetentionPeriod: 731 } }).at(-1)!.kind).toBe('unpriced');
  });
});
