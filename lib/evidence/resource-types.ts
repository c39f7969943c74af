// Which resource types the encryption control knows. A type in neither list fails the control: it may
// store data at rest that nobody checked, so adding a resource type means classifying it here.

/** Types whose encryption setting the encryption-at-rest control checks, one rule each (controls/encryption-at-rest.ts). */
export const ENCRYPTION_CHECKED_TYPES = [
  'AWS::RDS::DBInstance',
  'AWS::FSx::FileSystem',
  'AWS::FSx::Volume',
  'AWS::Logs::LogGroup',
  'AWS::Backup::BackupVault',
  'AWS::SecretsManager::Secret',
  'AWS::EC2::Volume',
  'AWS::SQS::Queue',
  'AWS::S3::Bucket',
  'AWS::EC2::LaunchTemplate',
  'AWS::KMS::Key', // the cell's own keys: rotation and retention are the vault-seal and retention controls'
] as const;

/**
 * Types that keep no data of the company at rest: network plumbing, permissions, configuration whose
 * values are in the template itself, and compute whose disks come from a checked launch template.
 * `Custom::` resources are listed by pattern: they store nothing; their Lambda functions are listed here.
 */
export const NO_DATA_AT_REST_TYPES = [
  'AWS::AutoScaling::AutoScalingGroup', // its instances' volumes are the launch template's (checked)
  'AWS::Backup::BackupPlan',
  'AWS::Backup::BackupSelection',
  'AWS::CDK::Metadata',
  'AWS::EC2::EIP',
  'AWS::EC2::FlowLog', // writes to a log group (checked)
  'AWS::EC2::InternetGateway',
  'AWS::EC2::NatGateway',
  'AWS::EC2::Route',
  'AWS::EC2::RouteTable',
  'AWS::EC2::SecurityGroup',
  'AWS::EC2::SecurityGroupEgress',
  'AWS::EC2::SecurityGroupIngress',
  'AWS::EC2::Subnet',
  'AWS::EC2::SubnetRouteTableAssociation',
  'AWS::EC2::VPC',
  'AWS::EC2::VPCEndpoint',
  'AWS::EC2::VPCGatewayAttachment',
  'AWS::ElasticLoadBalancingV2::Listener',
  'AWS::ElasticLoadBalancingV2::LoadBalancer',
  'AWS::ElasticLoadBalancingV2::TargetGroup',
  'AWS::FSx::StorageVirtualMachine', // the data is in its volumes (checked)
  'AWS::IAM::InstanceProfile',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::Policy',
  'AWS::IAM::Role',
  'AWS::KMS::Alias',
  'AWS::Lambda::Function', // code only; no customer data
  'AWS::Lambda::Permission',
  'AWS::RDS::DBParameterGroup',
  'AWS::RDS::DBSubnetGroup',
  'AWS::S3::BucketPolicy',
  'AWS::SSM::Document', // its content is in the template
  'AWS::SSM::Parameter', // plain String parameters whose values are in the template (CloudFormation cannot create SecureString)
  'AWS::SecretsManager::RotationSchedule', // when and with which Lambda a secret rotates; the secret is checked
  'AWS::SecretsManager::SecretTargetAttachment',
] as const;

const CUSTOM = /^Custom::/;

/** True when the encryption control knows `type`: it either checks it or knows it keeps no data at rest. */
export function isKnownType(type: string): boolean {
  return (ENCRYPTION_CHECKED_TYPES as readonly string[]).includes(type) || (NO_DATA_AT_REST_TYPES as readonly string[]).includes(type) || CUSTOM.test(type);
}
