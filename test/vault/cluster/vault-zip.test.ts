// VaultZip (lib/vault/cluster/vault-zip.ts): which Vault release the nodes install and where they fetch it.
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { tenant } from '../../fixtures';
import { VaultZip } from '../../../lib/vault/cluster/vault-zip';
import { VAULT_RELEASE } from '../../../lib/vault/vault-release';
import { VaultClusterProps } from '../../../lib/vault/vault-cluster';
import { vaultStack } from '../vault-stack';

const stack = () => new Stack(new App(), 'Zip', { env: { account: '123456789012', region: 'eu-west-2' } });

test('egress nat: releases.hashicorp.com, no bucket', () => {
  const zip = new VaultZip(stack(), { tenantId: 'acme', egress: 'nat' });
  expect([zip.bucket, zip.source, zip.release]).toEqual([undefined, { kind: 'releases' }, VAULT_RELEASE]);
});

test('egress none: the operator-created bucket of the account and region, key under the prefix', () => {
  const s = stack();
  const zip = new VaultZip(s, { tenantId: 'acme', egress: 'none', artifactPrefix: 'mirror/vault/' });
  expect(s.resolve(zip.bucket!.bucketName)).toBe('cellkit-artifacts-123456789012-eu-west-2');
  expect(zip.key).toBe(`mirror/vault/vault_${VAULT_RELEASE.version}_linux_amd64.zip`);
  expect(zip.source).toEqual({ kind: 's3', bucketName: zip.bucket!.bucketName, key: zip.key });
});

test('egress none with a bucket of the caller: that bucket, default prefix vault/', () => {
  const s = stack();
  const bucket = s3.Bucket.fromBucketName(s, 'Mine', 'my-artifacts');
  const zip = new VaultZip(s, { tenantId: 'acme', egress: 'none', artifactBucket: bucket });
  expect([zip.bucket, zip.key]).toEqual([bucket, `vault/vault_${VAULT_RELEASE.version}_linux_amd64.zip`]);
});

describe('refuses bad props with clear messages (through VaultCluster)', () => {
  const build = (overrides: Partial<VaultClusterProps>) => () => vaultStack(tenant(), overrides);
  test.each([
    [{ release: { version: 'v1.18', sha256: 'a'.repeat(64) } }, /release.version must be a Vault release such as "1.18.3"; got "v1.18"/],
    [{ release: { version: '1.18.3', sha256: 'ABC' } }, /release.sha256 must be 64 lowercase hex digits .*got "ABC"/],
    [{ artifactPrefix: 'vault' }, /artifactPrefix must be empty or end with "\/" .*got "vault"/],
  ])('%j', (overrides, message) => {
    expect(build(overrides)).toThrow(message);
  });
});
