// Shell scripts and systemd units the Vault nodes run: real files in ./node/ (shellcheck lints the *.sh files,
// tests lint them rendered too), filled here from typed inputs by ./node-files.ts. Values may be CDK tokens:
// they are only ever placed inside single quotes (shq), never transformed.
import { VAULT_API_PORT, VAULT_PATHS } from './vault-config';
import { vaultZipName } from './vault-release';
import { shq } from './shell';
import { CLOUDWATCH_AGENT_CONFIG, nodeExtrasScript, nodeExtrasUnit } from './node-extras';
import { heredocBody, renderNodeFile } from './node-files';
import { SNAPSHOT_VAULT_ROLE } from './bootstrap/vault-plan';

export { shq };

/** Where the node fetches the Vault zip from. */
export type VaultBinarySource =
  | { readonly kind: 'releases' }
  | { readonly kind: 's3'; readonly bucketName: string; readonly key: string };

export interface InstallScriptProps {
  readonly region: string;
  readonly version: string;
  readonly sha256: string;
  readonly source: VaultBinarySource;
}

/** Installs the pinned Vault, refusing any zip whose SHA-256 differs. Idempotent. */
export function installScript(p: InstallScriptProps): string {
  const fetch =
    p.source.kind === 'releases'
      ? `curl --fail --silent --show-error --location --proto '=https' --tlsv1.2 --retry 5 --output "$work/$zip" "https://releases.hashicorp.com/vault/\${version}/\${zip}"`
      : `aws s3 cp --only-show-errors ${shq(`s3://${p.source.bucketName}/${p.source.key}`)} "$work/$zip"`;
  return renderNodeFile('vault-install.sh', { region: shq(p.region), version: shq(p.version), sha256: shq(p.sha256), zip: shq(vaultZipName(p.version)), fetch });
}

export interface FetchTlsScriptProps {
  readonly region: string;
  /** Secret holding JSON `{ "certificate", "private_key", "ca" }` (PEM). */
  readonly tlsSecretArn: string;
}

/** Writes the node's TLS files from Secrets Manager; fails (and the unit retries) until the secret has a value. */
export function fetchTlsScript(p: FetchTlsScriptProps): string {
  return renderNodeFile('vault-fetch-tls.sh', { region: shq(p.region), tls_secret_arn: shq(p.tlsSecretArn) });
}

/**
 * Runs on a timer: when the TLS secret's certificate differs from the one installed, `systemctl reload
 * vault` re-fetches the files (ExecReload) and sends SIGHUP, on which Vault reloads its listener certificate
 * and key without dropping the listener (Vault docs, "tcp listener": tls_cert_file/tls_key_file are reloaded
 * on SIGHUP; HashiCorp support article "SIGHUP behavior in Vault"). No restart, no seal, no downtime.
 */
export function tlsReloadScript(p: FetchTlsScriptProps): string {
  return renderNodeFile('vault-tls-reload.sh', { region: shq(p.region), tls_secret_arn: shq(p.tlsSecretArn) });
}

/** systemd units that run the reload script hourly, each node at its own random minute. */
export function tlsReloadUnits(): { service: string; timer: string } {
  return { service: renderNodeFile('vault-tls-reload.service'), timer: renderNodeFile('vault-tls-reload.timer') };
}

/** Environment every script that talks to the local Vault sets. */
export function vaultClientEnv(region: string, tlsServerName: string): string[] {
  return [
    `export AWS_DEFAULT_REGION=${shq(region)}`,
    `export VAULT_ADDR='https://127.0.0.1:${VAULT_API_PORT}'`,
    `export VAULT_CACERT='${VAULT_PATHS.ca}'`,
    `export VAULT_TLS_SERVER_NAME=${shq(tlsServerName)}`,
    `export PATH="/usr/local/bin:$PATH"`,
  ];
}

/** `vault login` through the AWS IAM auth method, as the instance role, printing only the token. */
export function awsLogin(role: string, region: string, tlsServerName: string): string {
  return `vault login -method=aws -token-only role=${role} region=${shq(region)} header_value=${shq(tlsServerName)}`;
}

export interface SnapshotScriptProps {
  readonly region: string;
  readonly tlsServerName: string;
  readonly bucketName: string;
  /** One fixed key: the bucket's versioning keeps the history, so the role writes exactly one object. */
  readonly key: string;
}

/** Runs on every node; only the active node saves a Raft snapshot and uploads it. */
export function snapshotScript(p: SnapshotScriptProps): string {
  return renderNodeFile('vault-snapshot.sh', {
    vault_client_env: vaultClientEnv(p.region, p.tlsServerName).join('\n'),
    vault_login: awsLogin(SNAPSHOT_VAULT_ROLE, p.region, p.tlsServerName),
    snapshot_url: shq(`s3://${p.bucketName}/${p.key}`),
  });
}

export interface UserDataScriptProps {
  readonly region: string;
  /** Rendered vault.json (may contain tokens). */
  readonly configJson: string;
  /** Rendered CloudWatch agent config (may contain tokens). */
  readonly cloudWatchAgentJson: string;
  readonly installScript: string;
  readonly fetchTlsScript: string;
  /** Reloads Vault when the TLS secret holds a new certificate. */
  readonly tlsReloadScript: string;
  readonly snapshotScript: string;
  /** Device name of the Raft data volume in the launch template. */
  readonly dataDevice: string;
  /** systemd OnCalendar= expression for snapshots. */
  readonly snapshotSchedule: string;
}

export function vaultUnit(): string {
  return renderNodeFile('vault.service');
}

/** First-boot script: user, Raft volume, config, units; Vault then starts (and retries) on its own. */
export function userDataScript(p: UserDataScriptProps): string {
  const tlsReload = tlsReloadUnits();
  const bodies: Record<string, string> = {
    vault_json: p.configJson,
    vault_install: p.installScript,
    vault_fetch_tls: p.fetchTlsScript,
    vault_tls_reload: p.tlsReloadScript,
    vault_snapshot: p.snapshotScript,
    vault_service: vaultUnit(),
    vault_snapshot_service: renderNodeFile('vault-snapshot.service'),
    vault_snapshot_timer: renderNodeFile('vault-snapshot.timer', { schedule: p.snapshotSchedule }),
    vault_tls_reload_service: tlsReload.service,
    vault_tls_reload_timer: tlsReload.timer,
    logrotate_vault: renderNodeFile('vault.logrotate'),
    cloudwatch_agent_json: p.cloudWatchAgentJson,
    node_extras: nodeExtrasScript(),
    node_extras_service: nodeExtrasUnit(),
  };
  return renderNodeFile('user-data.sh', {
    ...Object.fromEntries(Object.entries(bodies).map(([name, content]) => [name, heredocBody(content)])),
    region: shq(p.region),
    data_device: shq(p.dataDevice),
    cloudwatch_agent_config: CLOUDWATCH_AGENT_CONFIG,
  });
}
