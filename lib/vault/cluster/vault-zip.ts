import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Egress } from '../../registry/tenant-spec';
import { DEFAULT_ARTIFACT_PREFIX, artifactBucketName, vaultArtifactKey } from '../artifacts/artifact-names';
import { SHA256_PATTERN, VAULT_RELEASE, VAULT_VERSION_PATTERN, VaultRelease } from '../vault-release';
import { VaultBinarySource } from '../vault-scripts';
import { vaultClusterError } from './node-constants';

export interface VaultZipProps {
  readonly tenantId: string;
  /** `nat`: the nodes download the zip from releases.hashicorp.com; `none`: from `artifactBucket`. */
  readonly egress: Egress;
  /** @default VAULT_RELEASE */
  readonly release?: VaultRelease;
  /**
   * Holds `<artifactPrefix>vault_<version>_linux_amd64.zip` for egress `none` (ignored for `nat`).
   * @default the operator-created bucket `cellkit-artifacts-<account>-<region>`
   */
  readonly artifactBucket?: s3.IBucket;
  /** @default DEFAULT_ARTIFACT_PREFIX, 'vault/' */
  readonly artifactPrefix?: string;
}

/**
 * Which Vault release the nodes install and where they fetch its zip (checked against `release.sha256`).
 * Part of VaultCluster, not a construct of its own: the imported artifact bucket is created in the given
 * scope as `ArtifactBucket`, so the construct paths and logical IDs stay those of the cluster
 * (docs/vault.md, "How the cluster code is split").
 */
export class VaultZip {
  readonly release: VaultRelease;
  /** The artifact bucket for egress `none`; absent for `nat`. */
  readonly bucket?: s3.IBucket;
  /** The zip's object key in `bucket`. */
  readonly key: string;
  /** For the install script. */
  readonly source: VaultBinarySource;

  constructor(scope: Construct, props: VaultZipProps) {
    const fail = (message: string) => vaultClusterError(props.tenantId, message);
    this.release = props.release ?? VAULT_RELEASE;
    if (!VAULT_VERSION_PATTERN.test(this.release.version)) throw fail(`release.version must be a Vault release such as "1.18.3"; got "${this.release.version}"`);
    if (!SHA256_PATTERN.test(this.release.sha256)) {
      throw fail(`release.sha256 must be 64 lowercase hex digits (the linux_amd64 line of the release's SHA256SUMS); got "${this.release.sha256}"`);
    }
    const stack = Stack.of(scope);
    this.bucket = props.egress === 'none' ? (props.artifactBucket ?? s3.Bucket.fromBucketName(scope, 'ArtifactBucket', artifactBucketName(stack.account, stack.region))) : undefined;
    const prefix = props.artifactPrefix ?? DEFAULT_ARTIFACT_PREFIX;
    if (!/^([A-Za-z0-9._-]+\/)*$/.test(prefix)) throw fail(`artifactPrefix must be empty or end with "/" (e.g. "vault/"); got "${prefix}"`);
    this.key = vaultArtifactKey(this.release, prefix);
    this.source = this.bucket ? { kind: 's3', bucketName: this.bucket.bucketName, key: this.key } : { kind: 'releases' };
  }
}
