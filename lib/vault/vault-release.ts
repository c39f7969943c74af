/**
 * The Vault release every cell installs. Bump both together (README: Vault version bump):
 * the SHA-256 is the `linux_amd64` line of https://releases.hashicorp.com/vault/<v>/vault_<v>_SHA256SUMS
 * (verify that file's GPG signature against HashiCorp's key first).
 */
export const VAULT_RELEASE: VaultRelease = {
  version: '1.18.3',
  sha256: '405ec904a45c2261e2c091640fb805bf5904fd2fe8a991ebc58d2eb64f9a269e',
};

export interface VaultRelease {
  /** Open-source release, e.g. `1.18.3` (no `v`, no `+ent`). */
  readonly version: string;
  /** SHA-256 of `vault_<version>_linux_amd64.zip`, 64 lowercase hex digits. */
  readonly sha256: string;
}

export const VAULT_VERSION_PATTERN = /^\d+\.\d+\.\d+$/;
export const SHA256_PATTERN = /^[0-9a-f]{64}$/;

/** The zip's file name, as published on releases.hashicorp.com and uploaded to the artifact bucket. */
export function vaultZipName(version: string): string {
  return `vault_${version}_linux_amd64.zip`;
}
