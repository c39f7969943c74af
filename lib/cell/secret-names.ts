// The name of every Secrets Manager secret of a cell, in one place. Plain functions without imports: the
// constructs name their secrets with them, and Lambda handlers and the CLI may import them too (no aws-cdk-lib).
// Operators and runbooks find the secrets by these names, so they do not change for an existing cell:
// test/cell/secret-names.test.ts locks them and checks that a synthesized cell names no other secret.

/** The ONTAP administrators whose passwords the file share keeps: `fsxadmin` (file system), `vsadmin` (SVM). */
export const FILE_SHARE_ADMINS = ['fsxadmin', 'vsadmin'] as const;
export type FileShareAdmin = (typeof FILE_SHARE_ADMINS)[number];

/** Vault's TLS certificate, key and CA certificate, as the nodes install them (VaultCluster). */
export function vaultTlsSecretName(tenantId: string): string {
  return `/cellkit/${tenantId}/vault/tls`;
}

/** The cell CA that issues Vault's certificates; only the TLS issuer Lambda reads it (VaultTlsIssuer). */
export function vaultTlsCaSecretName(tenantId: string): string {
  return `/cellkit/${tenantId}/vault/tls-ca`;
}

/** Vault's recovery key shares, each PGP-encrypted to one operator (VaultBootstrap). */
export function vaultRecoveryKeysSecretName(tenantId: string): string {
  return `/cellkit/${tenantId}/vault/recovery-keys`;
}

/** The database master credential; Vault's database secrets engine takes it over (CellDatabase). */
export function databaseMasterSecretName(tenantId: string): string {
  return `cellkit/${tenantId}/database/master`;
}

/** The password of one ONTAP administrator of the file share (CellFileShare). */
export function fileShareAdminSecretName(tenantId: string, admin: FileShareAdmin): string {
  return `cellkit/${tenantId}/file-share/${admin}`;
}

/** The SMB user of the git share; Vault KV integrations/file-share holds a copy (SmbShare). */
export function fileShareSmbUserSecretName(tenantId: string): string {
  return `cellkit/${tenantId}/file-share/smb-user`;
}

/** Every secret a cell of `tenantId` names, sorted. */
export function cellSecretNames(tenantId: string): string[] {
  return [
    vaultTlsSecretName(tenantId),
    vaultTlsCaSecretName(tenantId),
    vaultRecoveryKeysSecretName(tenantId),
    databaseMasterSecretName(tenantId),
    ...FILE_SHARE_ADMINS.map((admin) => fileShareAdminSecretName(tenantId, admin)),
    fileShareSmbUserSecretName(tenantId),
  ].sort();
}
