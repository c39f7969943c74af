// Names of the Vault artifact bucket and object: read at synth by VaultCluster and at run time by
// `cellkit vault artifacts`. No SDK import here, so synth does not load the S3 client.
import { VaultRelease, vaultZipName } from '../vault-release';

/** The bucket VaultCluster reads the zip from in egress-"none" cells: one per account and region. */
export function artifactBucketName(account: string, region: string): string {
  return `cellkit-artifacts-${account}-${region}`;
}

export const DEFAULT_ARTIFACT_PREFIX = 'vault/';

export function vaultArtifactKey(release: VaultRelease, prefix: string = DEFAULT_ARTIFACT_PREFIX): string {
  return `${prefix}${vaultZipName(release.version)}`;
}
