import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks, rules } from 'cdk-nag';
import { Construct } from 'constructs';
import { ANY_RESOURCE_FINDING, awsManagedPolicyFinding } from '../../compliance/nag-packs';
import { nagRuleId } from '../../compliance/nag-rule-id';
import { principalArnStatement } from '../../keys/cell-keys';
import { SNAPSHOT_KEY, vaultClusterError } from './node-constants';
import { VaultZip } from './vault-zip';

/** Exactly what Vault's `awskms` seal calls (Vault docs, "AWS KMS seal": Encrypt, Decrypt, DescribeKey). */
const SEAL_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey'];

export interface VaultNodeRoleProps {
  readonly tenantId: string;
  /** Seals Vault; gets the one key-policy statement naming this role. Must not be `dataKey`. */
  readonly sealKey: kms.IKey;
  /** Encrypts the TLS secret and the snapshots; used only through Secrets Manager and S3. */
  readonly dataKey: kms.IKey;
  /** The node TLS certificate and key the nodes read. */
  readonly tlsSecret: secretsmanager.ISecret;
  /** The nodes write one object, SNAPSHOT_KEY, in it. */
  readonly snapshotBucket: s3.IBucket;
  /** The log groups the CloudWatch agent writes to (server log, audit log). */
  readonly logGroups: readonly logs.ILogGroup[];
  /** The release zip; the nodes may read it when it lies in an artifact bucket (egress `none`). */
  readonly zip: VaultZip;
}

/**
 * The Vault servers' IAM role (its instance profile comes with the launch template): SSM core for
 * Session Manager, a managed policy with exact resources (seal, own secrets, own snapshot object, own logs,
 * the release zip), and the auto-join policy. The seal key's policy names the role through `aws:PrincipalArn`.
 *
 * Part of VaultCluster, not a construct of its own: `Role`, `InstancePolicy` and `AutoJoinPolicy` are
 * created in the given scope, so their logical IDs stay those of the cluster (docs/vault.md, "How the cluster
 * code is split").
 */
export class VaultNodeRole {
  readonly role: iam.Role;

  constructor(scope: Construct, props: VaultNodeRoleProps) {
    // One key for the seal and the data would give the nodes' data-key grants the power to unseal.
    if (props.sealKey === props.dataKey || (!Token.isUnresolved(props.sealKey.keyArn) && props.sealKey.keyArn === props.dataKey.keyArn)) {
      throw vaultClusterError(props.tenantId, 'sealKey and dataKey must be two different KMS keys (the seal key is for the Vault servers alone)');
    }
    if (props.logGroups.length === 0) throw vaultClusterError(props.tenantId, 'the node role needs the log groups the nodes write to; got none');
    const stack = Stack.of(scope);
    const region = stack.region;
    this.role = new iam.Role(scope, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `cellkit ${props.tenantId}: Vault servers`,
    });
    this.role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'));
    Validations.of(this.role).acknowledge({
      id: nagRuleId(AwsSolutionsChecks, rules.iam.IAMNoManagedPolicies, awsManagedPolicyFinding('AmazonSSMManagedInstanceCore')),
      reason: 'SSM Session Manager and Run Command are the only way onto Vault nodes (no SSH, no key pair); AWS maintains this policy as the minimum the SSM agent needs.',
    });

    // Named in a condition, not as principal: KMS may not yet see the role this stack has just created.
    props.sealKey.addToResourcePolicy(principalArnStatement(stack, 'VaultAutoUnseal', this.role.roleArn, SEAL_ACTIONS));
    const zipBucket = props.zip.bucket;
    new iam.ManagedPolicy(scope, 'InstancePolicy', {
      roles: [this.role],
      description: `cellkit ${props.tenantId}: Vault servers: seal, own secrets, own snapshot object, own logs`,
      statements: [
        new iam.PolicyStatement({ sid: 'Seal', actions: SEAL_ACTIONS, resources: [props.sealKey.keyArn] }),
        new iam.PolicyStatement({
          sid: 'DataKeyThroughSecretsManagerAndS3',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [props.dataKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': [`secretsmanager.${region}.amazonaws.com`, `s3.${region}.amazonaws.com`] } },
        }),
        new iam.PolicyStatement({ sid: 'ReadOwnSecrets', actions: ['secretsmanager:GetSecretValue'], resources: [props.tlsSecret.secretArn] }),
        new iam.PolicyStatement({ sid: 'WriteSnapshot', actions: ['s3:PutObject'], resources: [props.snapshotBucket.arnForObjects(SNAPSHOT_KEY)] }),
        ...(zipBucket ? [new iam.PolicyStatement({ sid: 'ReadVaultZip', actions: ['s3:GetObject'], resources: [zipBucket.arnForObjects(props.zip.key)] })] : []),
        new iam.PolicyStatement({
          sid: 'OwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: props.logGroups.map((g) => g.logGroupArn),
        }),
      ],
    });
    const autoJoin = new iam.ManagedPolicy(scope, 'AutoJoinPolicy', {
      roles: [this.role],
      description: `cellkit ${props.tenantId}: Vault Raft auto-join finds peers by tag`,
      statements: [new iam.PolicyStatement({ sid: 'RaftAutoJoin', actions: ['ec2:DescribeInstances'], resources: ['*'] })],
    });
    Validations.of(autoJoin).acknowledge({
      id: nagRuleId(AwsSolutionsChecks, rules.iam.IAMNoWildcardPermissions, ANY_RESOURCE_FINDING),
      reason: 'ec2:DescribeInstances supports no resource-level permissions (AWS allows only "*"); Vault Raft auto-join needs it to find peers by tag. It is read-only and the only action here.',
    });
  }
}
