// The artifact bucket of egress-"none" cells: one per account and region, holding the pinned Vault
// zip the nodes install (after checking its SHA-256 themselves). `cellkit vault artifacts` prepares
// it idempotently; `vaultArtifactCheck` tells a deploy-readiness check whether it is ready.
// AWS pages: S3 API reference (HeadBucket, CreateBucket, PutBucketVersioning, PutBucketEncryption,
// PutPublicAccessBlock, PutBucketPolicy, HeadObject, PutObject) and "Checking object integrity in
// Amazon S3" (x-amz-checksum-sha256: S3 rejects an upload whose bytes do not match it).
import * as crypto from 'crypto';
import {
  BucketLocationConstraint,
  CreateBucketCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { VaultRelease, vaultZipName } from '../vault-release';
import { artifactBucketName, vaultArtifactKey } from './artifact-names';

export { artifactBucketName, vaultArtifactKey } from './artifact-names';

/** S3 reports SHA-256 checksums as base64 of the digest; releases publish hex. */
export function sha256HexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

/** The bucket policy: refuse any request not made over TLS (bucket and objects). */
export function tlsOnlyPolicy(bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });
}

export type ArtifactCheckStatus = 'ready' | 'missing' | 'mismatch' | 'error';

export interface ArtifactCheck {
  readonly status: ArtifactCheckStatus;
  readonly bucket: string;
  readonly key: string;
  readonly message: string;
}

/**
 * Deploy-readiness: is the pinned Vault zip in the account's artifact bucket, with the pinned SHA-256?
 * Pure apart from the one HeadObject call on the given client.
 */
export async function vaultArtifactCheck(p: { s3: S3Client; account: string; region: string; release: VaultRelease; prefix?: string }): Promise<ArtifactCheck> {
  const bucket = artifactBucketName(p.account, p.region);
  const key = vaultArtifactKey(p.release, p.prefix);
  const at = `s3://${bucket}/${key}`;
  const fix = `run "cellkit vault artifacts --account ${p.account} --region ${p.region} --zip <path to ${vaultZipName(p.release.version)}>"`;
  try {
    const head = await p.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED', ExpectedBucketOwner: p.account }));
    if (head.ChecksumSHA256 !== sha256HexToBase64(p.release.sha256)) {
      return { status: 'mismatch', bucket, key, message: `${at} exists but its SHA-256 (${head.ChecksumSHA256 ?? 'none recorded'}) is not the pinned ${p.release.sha256}; ${fix}` };
    }
    return { status: 'ready', bucket, key, message: `${at} holds Vault ${p.release.version} with the pinned SHA-256` };
  } catch (e) {
    const code = e instanceof S3ServiceException ? e.$metadata.httpStatusCode : undefined;
    if (code === 404 || (e as Error).name === 'NotFound' || (e as Error).name === 'NoSuchBucket') {
      return { status: 'missing', bucket, key, message: `${at} does not exist: egress-"none" Vault nodes cannot install Vault; ${fix}` };
    }
    return { status: 'error', bucket, key, message: `could not check ${at}: ${(e as Error).name}: ${(e as Error).message}` };
  }
}

export interface PrepareArtifactsProps {
  readonly s3: S3Client;
  readonly account: string;
  readonly region: string;
  readonly release: VaultRelease;
  /** The zip's bytes, already read by the caller. */
  readonly zip: Uint8Array;
  readonly prefix?: string;
  readonly write: (line: string) => void;
}

/** The zip's bytes do not have the pinned SHA-256: nothing was sent to AWS. */
export class ZipMismatchError extends Error {}

/**
 * Creates (or re-asserts) the bucket's settings and uploads the zip unless the same bytes are
 * already there. Every call is safe to repeat.
 */
export async function prepareVaultArtifacts(p: PrepareArtifactsProps): Promise<{ uploaded: boolean; bucket: string; key: string }> {
  const actual = crypto.createHash('sha256').update(p.zip).digest('hex');
  if (actual !== p.release.sha256) {
    throw new ZipMismatchError(`the zip's SHA-256 is ${actual}, not the pinned ${p.release.sha256} of Vault ${p.release.version} (lib/vault/vault-release.ts); refusing to upload it`);
  }
  const bucket = artifactBucketName(p.account, p.region);
  const key = vaultArtifactKey(p.release, p.prefix);
  let exists = true;
  try {
    await p.s3.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: p.account }));
  } catch (e) {
    const code = e instanceof S3ServiceException ? e.$metadata.httpStatusCode : undefined;
    if (code !== 404 && (e as Error).name !== 'NotFound') throw e;
    exists = false;
  }
  if (!exists) {
    await p.s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ObjectOwnership: 'BucketOwnerEnforced',
        // us-east-1 takes no location constraint (CreateBucket API reference).
        ...(p.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: p.region as BucketLocationConstraint } }),
      }),
    );
    p.write(`created bucket ${bucket} in ${p.region}`);
  }
  const owner = { Bucket: bucket, ExpectedBucketOwner: p.account };
  await p.s3.send(new PutPublicAccessBlockCommand({
    ...owner,
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
  }));
  await p.s3.send(new PutBucketEncryptionCommand({ ...owner, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }));
  await p.s3.send(new PutBucketVersioningCommand({ ...owner, VersioningConfiguration: { Status: 'Enabled' } }));
  await p.s3.send(new PutBucketPolicyCommand({ ...owner, Policy: tlsOnlyPolicy(bucket) }));
  p.write(`bucket ${bucket}: public access blocked, encrypted (SSE-S3), versioned, TLS-only policy`);

  const check = await vaultArtifactCheck({ s3: p.s3, account: p.account, region: p.region, release: p.release, prefix: p.prefix });
  if (check.status === 'ready') {
    p.write(`s3://${bucket}/${key} already holds these bytes; nothing uploaded`);
    return { uploaded: false, bucket, key };
  }
  if (check.status === 'error') throw new Error(check.message);
  // S3 recomputes the SHA-256 and rejects the upload if it differs from the pinned one.
  await p.s3.send(new PutObjectCommand({ ...owner, Key: key, Body: p.zip, ChecksumSHA256: sha256HexToBase64(p.release.sha256), ContentType: 'application/zip' }));
  p.write(`uploaded s3://${bucket}/${key} (SHA-256 ${p.release.sha256}, checked by S3 on upload)`);
  return { uploaded: true, bucket, key };
}
