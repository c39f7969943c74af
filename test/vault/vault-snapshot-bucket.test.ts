import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { VaultSnapshotBucket } from '../../lib/vault/vault-snapshot-bucket';
import { nagFindings } from '../fixtures';

const build = (retention?: Duration) => {
  const stack = new Stack(new App(), 'Snap', { env: { account: '123456789012', region: 'eu-west-2' } });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  new VaultSnapshotBucket(stack, 'Snapshots', { encryptionKey: key, retention });
  return stack;
};
const stack = build();
const t = Template.fromStack(stack);

test('SSE-KMS with the given key, bucket keys off, versioned, public access blocked', () => {
  t.hasResourceProperties('AWS::S3::Bucket', {
    BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } }, BucketKeyEnabled: false }] },
    VersioningConfiguration: { Status: 'Enabled' },
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
  });
});

test('90-day lifecycle for current and noncurrent versions', () => {
  t.hasResourceProperties('AWS::S3::Bucket', {
    LifecycleConfiguration: { Rules: [Match.objectLike({ Status: 'Enabled', ExpirationInDays: 90, NoncurrentVersionExpiration: { NoncurrentDays: 90 } })] },
  });
});

// Control Tower CT.S3.PR.9; S3 User Guide, "Locking objects with Object Lock" (governance mode).
test('Object Lock on, governance retention as long as the lifecycle (a version can be expired only once its lock has ended)', () => {
  t.hasResourceProperties('AWS::S3::Bucket', {
    ObjectLockEnabled: true,
    ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 90 } } },
  });
  const custom = Template.fromStack(build(Duration.days(30)));
  custom.hasResourceProperties('AWS::S3::Bucket', {
    ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } } },
    LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30, NoncurrentVersionExpiration: { NoncurrentDays: 30 } })] },
  });
});

// Control Tower CT.S3.PR.4; set natively on the bucket, so no notifications custom resource (a Lambda outside the VPC).
test('object events go to EventBridge, without a custom resource', () => {
  t.hasResourceProperties('AWS::S3::Bucket', { NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } } });
  t.resourceCountIs('Custom::S3BucketNotifications', 0);
  t.resourceCountIs('AWS::Lambda::Function', 0);
});

test('retained, never destroyed', () => {
  t.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
});

test('TLS-only bucket policy', () => {
  t.hasResourceProperties('AWS::S3::BucketPolicy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
  });
});

test('nag passes (logging and replication acknowledged on the bucket itself)', () => {
  expect(nagFindings(stack).filter((f) => !f.rule.includes('KMS'))).toEqual([]);
});

test('refuses a retention under a day', () => {
  expect(() => build(Duration.hours(1))).toThrow(/VaultSnapshotBucket: retention must be a whole number of days, at least 1 \(S3 lifecycle\); got 1 hour/);
});
