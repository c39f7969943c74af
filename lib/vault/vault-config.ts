// Vault's server configuration as a typed object, written to the node as JSON (Vault reads
// JSON config natively), so tokens such as the seal key ARN need no string pasting.

/** Paths on the node, shared by the config, the scripts and the systemd units. */
export const VAULT_PATHS = {
  configDir: '/etc/vault.d',
  config: '/etc/vault.d/vault.json',
  env: '/etc/vault.d/vault.env',
  tlsDir: '/opt/vault/tls',
  cert: '/opt/vault/tls/vault.crt',
  key: '/opt/vault/tls/vault.key',
  ca: '/opt/vault/tls/ca.crt',
  data: '/opt/vault/data',
  logDir: '/var/log/vault',
  serverLog: '/var/log/vault/vault.log',
  auditLog: '/var/log/vault/audit.log',
  bin: '/usr/local/bin/vault',
  scripts: '/opt/vault/bin',
} as const;

export const VAULT_API_PORT = 8200;
export const VAULT_CLUSTER_PORT = 8201;

export interface VaultServerConfigProps {
  /** Region of the seal key and of Raft auto-join. */
  readonly region: string;
  /** ARN of the KMS seal key (may be a token). */
  readonly sealKeyArn: string;
  /** Tag (key and value) carried only by this cluster's nodes: Raft auto-join finds peers by it. */
  readonly joinTagKey: string;
  readonly joinTagValue: string;
  /** Name in the cluster's TLS certificate; peers verify it when joining. */
  readonly tlsServerName: string;
  /** Shown in `vault status`. */
  readonly clusterName: string;
}

export interface VaultServerConfig {
  readonly cluster_name: string;
  readonly ui: boolean;
  readonly disable_mlock: boolean;
  readonly log_level: string;
  readonly log_file: string;
  readonly listener: ReadonlyArray<{ readonly tcp: Record<string, unknown> }>;
  readonly seal: { readonly awskms: { readonly region: string; readonly kms_key_id: string } };
  readonly storage: { readonly raft: { readonly path: string; readonly retry_join: ReadonlyArray<Record<string, string>> } };
  readonly telemetry: Record<string, unknown>;
}

/**
 * node_id, api_addr and cluster_addr differ per node: the unit's EnvironmentFile sets
 * VAULT_RAFT_NODE_ID (instance id), VAULT_API_ADDR and VAULT_CLUSTER_ADDR at boot.
 */
export function vaultServerConfig(props: VaultServerConfigProps): VaultServerConfig {
  return {
    cluster_name: props.clusterName,
    ui: false,
    // HashiCorp recommends disabling mlock with Raft (mlock and BoltDB's mmap do not mix);
    // AL2023 on EC2 runs without swap, so memory is not paged to disk either way.
    // Since Vault 1.20 it must be set explicitly with integrated storage (docs/vault-upgrades.md).
    disable_mlock: true,
    log_level: 'info',
    log_file: VAULT_PATHS.serverLog,
    listener: [
      {
        tcp: {
          address: `0.0.0.0:${VAULT_API_PORT}`,
          cluster_address: `0.0.0.0:${VAULT_CLUSTER_PORT}`,
          tls_cert_file: VAULT_PATHS.cert,
          tls_key_file: VAULT_PATHS.key,
          tls_min_version: 'tls12',
          telemetry: { unauthenticated_metrics_access: false },
        },
      },
    ],
    seal: { awskms: { region: props.region, kms_key_id: props.sealKeyArn } },
    storage: {
      raft: {
        path: VAULT_PATHS.data,
        retry_join: [
          {
            auto_join: `provider=aws region=${props.region} tag_key=${props.joinTagKey} tag_value=${props.joinTagValue} addr_type=private_v4`,
            auto_join_scheme: 'https',
            leader_tls_servername: props.tlsServerName,
            leader_ca_cert_file: VAULT_PATHS.ca,
          },
        ],
      },
    },
    telemetry: { disable_hostname: true, prometheus_retention_time: '24h' },
  };
}
