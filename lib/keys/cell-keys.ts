import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { CellKeyPurpose, cellKeyAlias } from './key-alias';

/**
 * What the account may do to the keys' configuration. Deliberately absent: kms:DisableKey and
 * kms:DisableKeyRotation (a disabled seal key loses Vault for good), and every data-plane action
 * (use is granted per consumer below, never account-wide).
 */
export const KEY_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListGrants',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:RevokeGrant',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];

/** Envelope-encryption actions an AWS service needs to keep a resource encrypted. */
export const KEY_USE_ACTIONS = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

/** Services that keep the cell's data at rest and may use the data key on the account's behalf. */
export const DATA_KEY_SERVICES = ['backup', 'ec2', 'fsx', 'rds', 's3', 'secretsmanager'];

/** The account administers a cellkit key, but the policy cannot disable it or use it. */
export function keyAdminStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid: 'AccountAdministersKeyButCannotDisableIt', principals: [new iam.AccountRootPrincipal()], actions: KEY_ADMIN_ACTIONS, resources: ['*'] });
}

/**
 * No grant on the key unless an AWS service creates it for a resource (EBS, RDS, FSx...) or is itself
 * the caller: a grant is a second, policy-invisible way to use a key. Control Tower's CT.KMS.PR.3
 * asks for exactly this statement. AWS KMS Developer Guide, "AWS KMS condition keys"
 * (kms:GrantIsForAWSResource) and IAM User Guide, "AWS global condition context keys"
 * (aws:PrincipalIsAWSService); BoolIfExists so a request without the key is denied too.
 */
export function denyGrantsExceptForAwsServicesStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyGrantsExceptForAwsServices',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  });
}

/** CloudWatch Logs of this account and region may encrypt its log groups with the key. */
export function cloudWatchLogsStatement(stack: Stack): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'CloudWatchLogsOfThisAccount',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: KEY_USE_ACTIONS,
    resources: ['*'],
    conditions: {
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    },
  });
}

/** The EC2 Auto Scaling service-linked role that launches Vault's encrypted volumes. */
export function autoScalingServiceLinkedRoleArn(stack: Stack): string {
  return stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: 'aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling' });
}

/**
 * Lets EC2 Auto Scaling's service-linked role use the data key for Vault's encrypted volumes, without
 * naming that role as a principal. A fresh account has no AWSServiceRoleForAutoScaling until its first
 * Auto Scaling group, and KMS refuses a key policy whose principal does not exist (AWS KMS API
 * reference, CreateKey, Policy: "The principals in the key policy must exist and be visible to KMS"). So the statements use
 * `"AWS": "*"` narrowed by `aws:PrincipalArn` (the role's ARN, which is not validated and may come
 * into existence later) and `kms:CallerAccount`: the same scoping AWS uses in its own aws/ebs key policy.
 * The account root principal would not do: it only delegates to IAM policies, and the service-linked
 * role's policy grants no access to customer managed keys (EC2 Auto Scaling user guide, "Required AWS
 * KMS key policy for use with encrypted volumes"). Actions are the two statements that page requires.
 */
export function autoScalingStatements(stack: Stack): iam.PolicyStatement[] {
  const role = autoScalingServiceLinkedRoleArn(stack);
  return [
    principalArnStatement(stack, 'AutoScalingVolumes', role, KEY_USE_ACTIONS),
    principalArnStatement(stack, 'AutoScalingVolumeGrants', role, ['kms:CreateGrant'], { Bool: { 'kms:GrantIsForAWSResource': true } }),
  ];
}

/**
 * A key policy statement for exactly one IAM principal of this account, named by ARN in `aws:PrincipalArn`
 * rather than in `Principal`: KMS validates principals when the policy is set (they must exist and be
 * visible to KMS; a role created moments earlier may not be yet), but only compares condition values when
 * a request arrives. The effect is the same as naming the principal.
 */
export function principalArnStatement(
  stack: Stack,
  sid: string,
  principalArn: string,
  actions: readonly string[],
  extraConditions: Record<string, Record<string, unknown>> = {},
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    principals: [new iam.AnyPrincipal()],
    actions: [...actions],
    resources: ['*'],
    conditions: { ArnEquals: { 'aws:PrincipalArn': principalArn }, StringEquals: { 'kms:CallerAccount': stack.account }, ...extraConditions },
  });
}

export interface CellKeysProps {
  /** Tenant id, used in the key aliases `alias/cellkit/<tenant>/data` and `.../seal`. */
  readonly tenantId: string;
  /**
   * How often KMS rotates the key material. Old material is kept, so data stays decryptable.
   * @default Duration.days(365)
   */
  readonly rotationPeriod?: Duration;
  /**
   * Waiting period after a deletion is scheduled, during which it can be cancelled.
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;
  /**
   * Services (by endpoint prefix, e.g. `rds`) allowed to use the data key on the account's behalf.
   * @default DATA_KEY_SERVICES
   */
  readonly dataKeyServices?: readonly string[];
}

/**
 * The cell's two customer-managed keys: the data key for everything at rest and the Vault
 * seal key. Both rotate yearly, survive stack deletion, and grant use only to named consumers.
 */
export class CellKeys extends Construct {
  /** Encrypts RDS, FSx, EBS, logs, secrets and backups. */
  readonly dataKey: kms.Key;
  /** Seals Vault; its users are added by the Vault construct, one role, three actions. */
  readonly sealKey: kms.Key;

  constructor(scope: Construct, id: string, props: CellKeysProps) {
    super(scope, id);
    const rotationPeriod = props.rotationPeriod ?? Duration.days(365);
    const pendingWindow = props.pendingWindow ?? Duration.days(30);
    const days = rotationPeriod.toDays();
    if (days < 90 || days > 2560) {
      throw new Error(`CellKeys for tenant "${props.tenantId}": rotationPeriod must be 90-2560 days (KMS limit); got ${days}`);
    }
    const window = pendingWindow.toDays();
    if (window < 7 || window > 30) {
      throw new Error(`CellKeys for tenant "${props.tenantId}": pendingWindow must be 7-30 days (KMS limit); got ${window}`);
    }
    const stack = Stack.of(this);

    this.dataKey = this.createKey('DataKey', props.tenantId, 'data', `cellkit ${props.tenantId}: data at rest (RDS, FSx, EBS, logs, secrets, backups)`, rotationPeriod, pendingWindow);
    this.dataKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'UseThroughCellServices',
        principals: [new iam.AccountRootPrincipal()],
        actions: [...KEY_USE_ACTIONS, 'kms:CreateGrant'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:CallerAccount': stack.account,
            'kms:ViaService': (props.dataKeyServices ?? DATA_KEY_SERVICES).map((s) => `${s}.${stack.region}.amazonaws.com`),
          },
        },
      }),
    );
    this.dataKey.addToResourcePolicy(cloudWatchLogsStatement(stack));
    for (const statement of autoScalingStatements(stack)) this.dataKey.addToResourcePolicy(statement);

    this.sealKey = this.createKey('SealKey', props.tenantId, 'seal', `cellkit ${props.tenantId}: HashiCorp Vault auto-unseal`, rotationPeriod, pendingWindow);
  }

  private createKey(id: string, tenantId: string, purpose: CellKeyPurpose, description: string, rotationPeriod: Duration, pendingWindow: Duration): kms.Key {
    const policy = new iam.PolicyDocument({ statements: [keyAdminStatement(), denyGrantsExceptForAwsServicesStatement()] });
    const key = new kms.Key(this, id, {
      description,
      alias: cellKeyAlias(tenantId, purpose),
      enableKeyRotation: true,
      rotationPeriod,
      pendingWindow,
      policy,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    return key;
  }
}
