// Facts about a Vault node that several parts of the cluster (and the operator tools) agree on, and the
// prefix of every refusal of the cluster's props. vault-cluster.ts re-exports the constants: that is their public home.

/** Tag only this cluster's nodes carry; Raft auto-join looks peers up by it. */
export const VAULT_JOIN_TAG = 'cellkit:vault-cluster';
/** The Raft data volume's device name (launch template) and what the user data formats and mounts. */
export const VAULT_DATA_DEVICE = '/dev/sdf';
/** The one object key the active node overwrites; bucket versioning keeps every snapshot. */
export const SNAPSHOT_KEY = 'raft/vault.snap';

/** Every refusal of the cluster's props starts with this, so the message names the construct and the tenant. */
export function vaultClusterError(tenantId: string, message: string): Error {
  return new Error(`VaultCluster for tenant "${tenantId}": ${message}`);
}
