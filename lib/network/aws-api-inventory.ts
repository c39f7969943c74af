// No imports: a plain table that every part extends with one line per AWS call it makes from inside the cell.

/** One AWS API that something running inside the cell VPC calls. */
export interface CellAwsApi {
  /** Who calls it, as it appears in the cell. */
  readonly caller: string;
  /** The IAM action of the call (`service:Action`). */
  readonly api: string;
  /**
   * The VPC endpoint that carries it without the internet: the endpoint service's last name part
   * (`com.amazonaws.<region>.<endpoint>`), `s3` being the gateway endpoint.
   */
  readonly endpoint: string;
  /** Where the call is documented or made. */
  readonly source: string;
}

/**
 * Every AWS API that anything running inside the cell calls (Vault, its node scripts, the CloudWatch
 * agent, the SSM agent, every Lambda in the VPC). An egress `none` cell has no other way out than the
 * VPC endpoints, so tests assert each entry's endpoint exists in such a cell. Not listed: the region
 * guard (it runs outside the VPC), and calls AWS services make for themselves (EBS, RDS, FSx, Lambda logs).
 */
export const CELL_AWS_APIS: readonly CellAwsApi[] = [
  { caller: 'Vault awskms seal', api: 'kms:Encrypt', endpoint: 'kms', source: 'Vault docs, seal "awskms"' },
  { caller: 'Vault awskms seal', api: 'kms:Decrypt', endpoint: 'kms', source: 'Vault docs, seal "awskms"' },
  { caller: 'Vault awskms seal', api: 'kms:DescribeKey', endpoint: 'kms', source: 'Vault docs, seal "awskms"' },
  { caller: 'Vault raft retry_join auto_join (go-discover provider=aws)', api: 'ec2:DescribeInstances', endpoint: 'ec2', source: 'hashicorp/go-discover, provider/aws' },
  { caller: 'Vault AWS auth method (IAM login check)', api: 'sts:GetCallerIdentity', endpoint: 'sts', source: 'Vault docs, AWS auth method, iam auth type' },
  { caller: 'vault-fetch-tls script', api: 'secretsmanager:GetSecretValue', endpoint: 'secretsmanager', source: 'lib/vault/node/vault-fetch-tls.sh' },
  { caller: 'vault-install script (egress none)', api: 's3:GetObject', endpoint: 's3', source: 'lib/vault/vault-scripts.ts installScript' },
  { caller: 'vault-snapshot script', api: 's3:PutObject', endpoint: 's3', source: 'lib/vault/node/vault-snapshot.sh' },
  { caller: 'Vault bootstrap (SSM document)', api: 'secretsmanager:GetSecretValue', endpoint: 'secretsmanager', source: 'lib/vault/vault-scripts.ts bootstrapScript' },
  { caller: 'Vault bootstrap (SSM document)', api: 'secretsmanager:PutSecretValue', endpoint: 'secretsmanager', source: 'lib/vault/vault-scripts.ts bootstrapScript' },
  { caller: 'CloudWatch agent (logs only; its config has no metrics section)', api: 'logs:CreateLogStream', endpoint: 'logs', source: 'CloudWatch agent user guide, logs section' },
  { caller: 'CloudWatch agent (logs only; its config has no metrics section)', api: 'logs:PutLogEvents', endpoint: 'logs', source: 'CloudWatch agent user guide, logs section' },
  { caller: 'CloudWatch agent (logs only; its config has no metrics section)', api: 'logs:DescribeLogStreams', endpoint: 'logs', source: 'CloudWatch agent user guide, logs section' },
  { caller: 'dnf (optional node extras; Amazon Linux 2023 repositories are S3 buckets)', api: 's3:GetObject', endpoint: 's3', source: 'Amazon Linux 2023 user guide, package repository' },
  { caller: 'SSM agent', api: 'ssm:UpdateInstanceInformation', endpoint: 'ssm', source: 'Systems Manager user guide, VPC endpoints for Systems Manager' },
  { caller: 'SSM agent (Session Manager)', api: 'ssmmessages:CreateControlChannel', endpoint: 'ssmmessages', source: 'Systems Manager user guide, VPC endpoints for Systems Manager' },
  { caller: 'SSM agent (Run Command)', api: 'ec2messages:GetMessages', endpoint: 'ec2messages', source: 'Systems Manager user guide, VPC endpoints for Systems Manager' },
  { caller: 'DeletionProtection function (VPC)', api: 'rds:ModifyDBInstance', endpoint: 'rds', source: 'lib/rollback/deletion-protection.ts' },
  { caller: 'DeletionProtection function (VPC)', api: 'elasticloadbalancing:ModifyLoadBalancerAttributes', endpoint: 'elasticloadbalancing', source: 'lib/rollback/deletion-protection.ts' },
  { caller: 'DeletionProtection function (VPC): CloudFormation response to a presigned S3 URL', api: 's3:PutObject', endpoint: 's3', source: 'CloudFormation user guide, custom resources: responses go to Amazon S3' },
];
