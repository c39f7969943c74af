import { Pricer } from '../model';
import { fsxFileSystem } from './fsx';
import { elasticIp, loadBalancer, natGateway, vpcEndpoint } from './network';
import { rdsInstance } from './rds';
import { backupVault, bucket, kmsKey, logGroup, secret } from './services';
import { autoScalingGroup } from './vault-ec2';

/** One pricer per billable resource type. */
export const PRICERS: ReadonlyMap<string, Pricer> = new Map(
  [
    fsxFileSystem, rdsInstance, autoScalingGroup, loadBalancer, natGateway, elasticIp, vpcEndpoint, kmsKey, secret, logGroup, backupVault, bucket,
  ].map((p) => [p.type, p]),
);

/**
 * Resource types with no charge of their own, and why. Anything neither here nor in PRICERS is
 * reported as unpriced, never counted as free.
 */
export const NO_CHARGE: Readonly<Record<string, string>> = {
  'AWS::CDK::Metadata': 'CDK bookkeeping',
  'AWS::EC2::VPC': 'VPCs, subnets, route tables and gateways attachments are free (Amazon VPC pricing)',
  'AWS::EC2::Subnet': 'free (Amazon VPC pricing)',
  'AWS::EC2::RouteTable': 'free (Amazon VPC pricing)',
  'AWS::EC2::SubnetRouteTableAssociation': 'free (Amazon VPC pricing)',
  'AWS::EC2::Route': 'free (Amazon VPC pricing)',
  'AWS::EC2::InternetGateway': 'free; data transfer out is billed separately (Amazon VPC pricing)',
  'AWS::EC2::VPCGatewayAttachment': 'free (Amazon VPC pricing)',
  'AWS::EC2::SecurityGroup': 'free (Amazon VPC pricing)',
  'AWS::EC2::SecurityGroupIngress': 'free (Amazon VPC pricing)',
  'AWS::EC2::SecurityGroupEgress': 'free (Amazon VPC pricing)',
  'AWS::EC2::FlowLog': 'billed as ingestion into its log group, priced there',
  'AWS::EC2::LaunchTemplate': 'free; its instances are priced on the Auto Scaling group',
  'AWS::IAM::Role': 'IAM is free (AWS IAM FAQs)',
  'AWS::IAM::ManagedPolicy': 'IAM is free (AWS IAM FAQs)',
  'AWS::IAM::Policy': 'IAM is free (AWS IAM FAQs)',
  'AWS::IAM::InstanceProfile': 'IAM is free (AWS IAM FAQs)',
  'AWS::KMS::Alias': 'aliases are free; the key is priced (AWS KMS pricing)',
  'AWS::SSM::Parameter': 'standard-tier parameters are free (AWS Systems Manager pricing)',
  'AWS::SSM::Document': 'documents are free; Run Command on EC2 is free (AWS Systems Manager pricing)',
  'AWS::RDS::DBParameterGroup': 'free; the instance is priced',
  'AWS::RDS::DBSubnetGroup': 'free; the instance is priced',
  'AWS::SecretsManager::SecretTargetAttachment': 'free; the secret is priced',
  'AWS::FSx::StorageVirtualMachine': 'free; storage and throughput are priced on the file system',
  'AWS::FSx::Volume': 'free; its data sits in the file system\'s priced SSD storage',
  'AWS::Backup::BackupPlan': 'free; recovery points are priced on the vault',
  'AWS::Backup::BackupSelection': 'free; recovery points are priced on the vault',
  'AWS::S3::BucketPolicy': 'free; the bucket is priced',
  'AWS::ElasticLoadBalancingV2::Listener': 'free; the load balancer is priced',
  'AWS::ElasticLoadBalancingV2::TargetGroup': 'free; the load balancer is priced',
  'AWS::Lambda::Function': 'no standing charge: billed per invocation, and cellkit\'s functions run only during deploys (AWS Lambda pricing)',
  'AWS::Lambda::Permission': 'free; the function is priced (AWS Lambda pricing)',
  'AWS::SecretsManager::RotationSchedule': 'free; the secret is priced, and its rotation Lambda runs a few times a month (AWS Secrets Manager pricing)',
};

/** Custom resources cost nothing themselves; their provider function is a Lambda (see above). */
export function noChargeReason(type: string): string | undefined {
  if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') return 'a deploy-time custom resource: its Lambda runs only during deploys';
  return NO_CHARGE[type];
}
