import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { rules } from 'cdk-nag';
import { Construct } from 'constructs';
import { FRAMEWORK_NAG_PACKS, NAG_PACKS } from '../compliance/nag-packs';
import { nagRuleIds } from '../compliance/nag-rule-id';
import { RETENTION_DAYS } from '../data/retention-days';

export interface VaultSnapshotBucketProps {
  /** Encrypts every snapshot object (SSE-KMS). */
  readonly encryptionKey: kms.IKey;
  /**
   * How long current and noncurrent snapshot versions are kept.
   * @default Duration.days(RETENTION_DAYS), lib/data/retention-days.ts
   */
  readonly retention?: Duration;
}

/**
 * Where Vault's Raft snapshots go: SSE-KMS with the data key, versioned, Object Lock (governance)
 * for the retention period, events to EventBridge, private, TLS-only, retained when the stack is deleted.
 * The active node overwrites one object per run; versioning
 * keeps the history and the lifecycle rule trims it.
 */
export class VaultSnapshotBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: VaultSnapshotBucketProps) {
    super(scope, id);
    const retention = props.retention ?? Duration.days(RETENTION_DAYS);
    const days = retention.toDays({ integral: false });
    if (!Number.isInteger(days) || days < 1) {
      throw new Error(`VaultSnapshotBucket: retention must be a whole number of days, at least 1 (S3 lifecycle); got ${retention.toHumanString()}`);
    }
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      // Without bucket keys every GetObject is a KMS Decrypt in CloudTrail, naming who read a snapshot.
      bucketKeyEnabled: false,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      // Object Lock (governance) keeps every snapshot version for the whole retention: no one without
      // s3:BypassGovernanceRetention can delete or shorten it, and the lifecycle rule below removes a
      // version only once its lock has expired (S3 User Guide, "Locking objects with Object Lock" and
      // "Managing Object Lock with S3 Lifecycle"). Control Tower CT.S3.PR.9.
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.governance(retention),
      lifecycleRules: [
        {
          id: 'ExpireSnapshots',
          expiration: retention,
          noncurrentVersionExpiration: retention,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
    // Object-level events go to the account's default EventBridge bus, where alerts on snapshot writes
    // or deletions can be added without touching the bucket (S3 User Guide, "Using EventBridge";
    // CloudFormation AWS::S3::Bucket EventBridgeConfiguration). Control Tower CT.S3.PR.4. Set on the
    // CfnBucket: the L2's `eventBridgeEnabled` goes through CDK's notifications custom resource, a
    // Lambda outside the cell's VPC.
    (this.bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    const logging =
      'Snapshot reads are audited without S3 server access logs: objects are SSE-KMS with the data key and bucket keys off, so every read is a KMS Decrypt recorded by CloudTrail with the caller; the only writer is the Vault instance role (one object key). An access-log bucket could only use SSE-S3 and would itself need the exceptions this one avoids.';
    for (const id of nagRuleIds(NAG_PACKS, rules.s3.S3BucketLoggingEnabled)) {
      Validations.of(this.bucket).acknowledge({ id, reason: logging });
    }
    const replication =
      'Tenant data must stay in the tenant\'s pinned region (the written promise), so snapshots are not replicated to another region; durability comes from S3 itself, versioning and retention.';
    for (const id of nagRuleIds(FRAMEWORK_NAG_PACKS, rules.s3.S3BucketReplicationEnabled)) {
      Validations.of(this.bucket).acknowledge({ id, reason: replication });
    }
  }
}
