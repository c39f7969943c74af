// Shell scripts the Vault nodes run, rendered from typed inputs. Values may be CDK tokens:
// they are only ever placed inside single quotes, never transformed. Tests lint every script
// with shellcheck.
import { VAULT_API_PORT, VAULT_CLUSTER_PORT, VAULT_PATHS } from './vault-config';
import { vaultZipName } from './vault-release';
import { shq } from './shell';
import { CLOUDWATCH_AGENT_CONFIG, NODE_EXTRAS_UNIT, nodeExtrasScript } from './node-extras';

export { shq };

const SCRIPT_HEADER = ['#!/bin/bash', 'set -euo pipefail'];

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
  return [
    ...SCRIPT_HEADER,
    `export AWS_DEFAULT_REGION=${shq(p.region)}`,
    `version=${shq(p.version)}`,
    `sha256=${shq(p.sha256)}`,
    `zip=${shq(vaultZipName(p.version))}`,
    `if [ -x ${VAULT_PATHS.bin} ] && ${VAULT_PATHS.bin} version | grep -qF "Vault v\${version} "; then`,
    '  exit 0',
    'fi',
    'work="$(mktemp -d)"',
    `trap 'rm -rf "$work"' EXIT`,
    fetch,
    'if ! echo "${sha256}  $work/$zip" | sha256sum --check --strict --status; then',
    '  echo "vault-install: SHA-256 of $zip is not the pinned ${sha256}; refusing to install it" >&2',
    '  exit 1',
    'fi',
    'python3 -m zipfile -e "$work/$zip" "$work/unpacked"',
    `install -o root -g root -m 0755 "$work/unpacked/vault" ${VAULT_PATHS.bin}`,
    '',
  ].join('\n');
}

export interface FetchTlsScriptProps {
  readonly region: string;
  /** Secret holding JSON `{ "certificate", "private_key", "ca" }` (PEM). */
  readonly tlsSecretArn: string;
}

/** Writes the node's TLS files from Secrets Manager; fails (and the unit retries) until the secret has a value. */
export function fetchTlsScript(p: FetchTlsScriptProps): string {
  return [
    ...SCRIPT_HEADER,
    `export AWS_DEFAULT_REGION=${shq(p.region)}`,
    'umask 077',
    'work="$(mktemp -d)"',
    `trap 'rm -rf "$work"' EXIT`,
    `aws secretsmanager get-secret-value --secret-id ${shq(p.tlsSecretArn)} --query SecretString --output text > "$work/secret.json"`,
    `python3 - "$work" <<'PY'`,
    'import json, sys',
    'work = sys.argv[1]',
    'doc = json.load(open(work + "/secret.json"))',
    'for field, name in (("certificate", "vault.crt"), ("private_key", "vault.key"), ("ca", "ca.crt")):',
    '    value = doc.get(field) or ""',
    '    if "-----BEGIN" not in value:',
    '        sys.exit("vault-tls: field %r of the TLS secret is missing or not PEM" % field)',
    '    with open(work + "/" + name, "w") as f:',
    '        f.write(value.strip() + "\\n")',
    'PY',
    `install -d -o root -g vault -m 0750 ${VAULT_PATHS.tlsDir}`,
    `install -o root -g vault -m 0644 "$work/vault.crt" ${VAULT_PATHS.cert}`,
    `install -o root -g vault -m 0640 "$work/vault.key" ${VAULT_PATHS.key}`,
    `install -o root -g vault -m 0644 "$work/ca.crt" ${VAULT_PATHS.ca}`,
    '',
  ].join('\n');
}

/**
 * Runs on a timer: when the TLS secret's certificate differs from the one installed, `systemctl reload
 * vault` re-fetches the files (ExecReload) and sends SIGHUP, on which Vault reloads its listener certificate
 * and key without dropping the listener (Vault docs, "tcp listener": tls_cert_file/tls_key_file are reloaded
 * on SIGHUP; HashiCorp support article "SIGHUP behavior in Vault"). No restart, no seal, no downtime.
 */
export function tlsReloadScript(p: FetchTlsScriptProps): string {
  return [
    ...SCRIPT_HEADER,
    `export AWS_DEFAULT_REGION=${shq(p.region)}`,
    'umask 077',
    // Before Vault has started once, the unit's ExecStartPre installs the files; nothing to compare yet.
    'if ! systemctl is-active --quiet vault.service; then',
    '  exit 0',
    'fi',
    'work="$(mktemp -d)"',
    `trap 'rm -rf "$work"' EXIT`,
    `aws secretsmanager get-secret-value --secret-id ${shq(p.tlsSecretArn)} --query SecretString --output text > "$work/secret.json"`,
    `state="$(python3 - "$work/secret.json" ${VAULT_PATHS.cert} <<'PY'`,
    'import json, sys',
    'doc = json.load(open(sys.argv[1]))',
    'new = (doc.get("certificate") or "").strip() + "\\n"',
    'if "-----BEGIN" not in new:',
    '    sys.exit("vault-tls-reload: the TLS secret has no PEM certificate; keeping the installed one")',
    'try:',
    '    old = open(sys.argv[2]).read()',
    'except FileNotFoundError:',
    '    old = ""',
    'print("same" if new == old else "changed")',
    'PY',
    ')"',
    'if [ "$state" = same ]; then',
    '  exit 0',
    'fi',
    'echo "vault-tls-reload: the TLS secret holds a new certificate; reloading Vault (SIGHUP)"',
    'systemctl reload vault.service',
    '',
  ].join('\n');
}

/** systemd units that run the reload script hourly, each node at its own random minute. */
export function tlsReloadUnits(): { service: string; timer: string } {
  return {
    service: [
      '[Unit]',
      'Description=Reload Vault when its TLS certificate changed (cellkit)',
      'After=vault.service',
      '',
      '[Service]',
      'Type=oneshot',
      `ExecStart=${VAULT_PATHS.scripts}/vault-tls-reload`,
      'PrivateTmp=yes',
      'NoNewPrivileges=yes',
      '',
    ].join('\n'),
    timer: [
      '[Unit]',
      'Description=Hourly check for a renewed Vault TLS certificate (cellkit)',
      '',
      '[Timer]',
      'OnCalendar=hourly',
      // Nodes reload at different times, so the cluster never reloads all at once.
      'RandomizedDelaySec=1800',
      'Persistent=true',
      '',
      '[Install]',
      'WantedBy=timers.target',
      '',
    ].join('\n'),
  };
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

export const SNAPSHOT_VAULT_ROLE = 'cellkit-snapshot';
export const BOOTSTRAP_VAULT_ROLE = 'cellkit-bootstrap';
export const APP_VAULT_ROLE = 'cellkit-app';
export const OPERATOR_VAULT_ROLE = 'cellkit-operator';
/** Used by `cellkit vault roll` on a node (docs/vault-upgrades.md): read Raft state, snapshot, remove a peer. */
export const ROLL_VAULT_ROLE = 'cellkit-roll';
export const DB_CONNECTION = 'company';
export const KV_MOUNTS = { gitSsh: 'git-ssh', integrations: 'integrations' } as const;

export interface SnapshotScriptProps {
  readonly region: string;
  readonly tlsServerName: string;
  readonly bucketName: string;
  /** One fixed key: the bucket's versioning keeps the history, so the role writes exactly one object. */
  readonly key: string;
}

/** Runs on every node; only the active node saves a Raft snapshot and uploads it. */
export function snapshotScript(p: SnapshotScriptProps): string {
  return [
    ...SCRIPT_HEADER,
    ...vaultClientEnv(p.region, p.tlsServerName),
    'active="$(vault status -format=json 2>/dev/null | python3 -c \'import json,sys; print(json.load(sys.stdin).get("is_self") is True)\' || true)"',
    'if [ "$active" != "True" ]; then',
    '  echo "vault-snapshot: not the active node; nothing to do"',
    '  exit 0',
    'fi',
    'snap="$(mktemp --suffix=.snap)"',
    `VAULT_TOKEN="$(${awsLogin(SNAPSHOT_VAULT_ROLE, p.region, p.tlsServerName)})"`,
    'export VAULT_TOKEN',
    `trap 'vault token revoke -self >/dev/null 2>&1 || true; rm -f "$snap"' EXIT`,
    'vault operator raft snapshot save "$snap"',
    `aws s3 cp --only-show-errors "$snap" ${shq(`s3://${p.bucketName}/${p.key}`)}`,
    'echo "vault-snapshot: uploaded"',
    '',
  ].join('\n');
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

/** A file written by the user data; quoted heredoc, so the content is never expanded. */
function writeFile(path: string, mode: string, content: string): string[] {
  const body = content.endsWith('\n') ? content.slice(0, -1) : content;
  return [`cat > ${path} <<'CELLKIT_EOF'`, body, 'CELLKIT_EOF', `chmod ${mode} ${path}`];
}

export function vaultUnit(): string {
  return [
    '[Unit]',
    'Description=HashiCorp Vault (cellkit)',
    'Wants=network-online.target',
    'After=network-online.target',
    // Keep retrying: the TLS secret or (egress "none") the uploaded zip may arrive after the node.
    'StartLimitIntervalSec=0',
    '',
    '[Service]',
    'Type=notify',
    'User=vault',
    'Group=vault',
    `EnvironmentFile=${VAULT_PATHS.env}`,
    // "+": these run as root, outside the sandbox below.
    `ExecStartPre=+${VAULT_PATHS.scripts}/vault-install`,
    `ExecStartPre=+${VAULT_PATHS.scripts}/vault-fetch-tls`,
    `ExecStart=${VAULT_PATHS.bin} server -config=${VAULT_PATHS.config}`,
    `ExecReload=+${VAULT_PATHS.scripts}/vault-fetch-tls`,
    'ExecReload=/bin/kill --signal HUP $MAINPID',
    'KillMode=process',
    'KillSignal=SIGINT',
    'Restart=on-failure',
    'RestartSec=30',
    'TimeoutStopSec=30',
    'LimitNOFILE=65536',
    'LimitMEMLOCK=infinity',
    'ProtectSystem=full',
    'ProtectHome=read-only',
    'PrivateTmp=yes',
    'PrivateDevices=yes',
    'NoNewPrivileges=yes',
    'SecureBits=keep-caps',
    'AmbientCapabilities=CAP_IPC_LOCK',
    'CapabilityBoundingSet=CAP_IPC_LOCK',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectControlGroups=yes',
    'RestrictSUIDSGID=yes',
    'LockPersonality=yes',
    `ReadWritePaths=${VAULT_PATHS.data} ${VAULT_PATHS.logDir}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

function snapshotUnits(schedule: string): { service: string; timer: string } {
  return {
    service: [
      '[Unit]',
      'Description=Vault Raft snapshot to S3 (cellkit)',
      'After=vault.service',
      '',
      '[Service]',
      'Type=oneshot',
      'User=vault',
      'Group=vault',
      `ExecStart=${VAULT_PATHS.scripts}/vault-snapshot`,
      'PrivateTmp=yes',
      'ProtectSystem=full',
      'NoNewPrivileges=yes',
      '',
    ].join('\n'),
    timer: ['[Unit]', 'Description=Scheduled Vault Raft snapshots (cellkit)', '', '[Timer]', `OnCalendar=${schedule}`, 'RandomizedDelaySec=300', 'Persistent=true', '', '[Install]', 'WantedBy=timers.target', ''].join('\n'),
  };
}

const LOGROTATE = [
  `${VAULT_PATHS.auditLog} {`,
  '  daily',
  '  rotate 7',
  '  compress',
  '  delaycompress',
  '  missingok',
  '  notifempty',
  '  postrotate',
  // HUP makes the file audit device reopen its file.
  '    systemctl kill --kill-whom=main --signal=HUP vault.service >/dev/null 2>&1 || true',
  '  endscript',
  '}',
  '',
].join('\n');

/** First-boot script: user, Raft volume, config, units; Vault then starts (and retries) on its own. */
export function userDataScript(p: UserDataScriptProps): string {
  const snapshot = snapshotUnits(p.snapshotSchedule);
  const tlsReload = tlsReloadUnits();
  return [
    ...SCRIPT_HEADER,
    `export AWS_DEFAULT_REGION=${shq(p.region)}`,
    'id vault >/dev/null 2>&1 || useradd --system --home-dir /etc/vault.d --shell /sbin/nologin vault',
    `dev=${shq(p.dataDevice)}`,
    'for _ in $(seq 1 60); do',
    '  [ -e "$dev" ] && break',
    '  sleep 2',
    'done',
    '[ -e "$dev" ] || { echo "vault: Raft data volume $dev did not appear" >&2; exit 1; }',
    'blkid "$dev" >/dev/null 2>&1 || mkfs.xfs -L vault-data "$dev"',
    `install -d -m 0750 ${VAULT_PATHS.data}`,
    `grep -q '^LABEL=vault-data ' /etc/fstab || echo 'LABEL=vault-data ${VAULT_PATHS.data} xfs defaults,nofail,nodev,nosuid,noexec 0 2' >> /etc/fstab`,
    `mountpoint -q ${VAULT_PATHS.data} || mount ${VAULT_PATHS.data}`,
    `chown vault:vault ${VAULT_PATHS.data}`,
    `chmod 0750 ${VAULT_PATHS.data}`,
    `install -d -o root -g vault -m 0750 ${VAULT_PATHS.configDir}`,
    `install -d -o root -g root -m 0755 ${VAULT_PATHS.scripts}`,
    `install -d -o vault -g vault -m 0750 ${VAULT_PATHS.logDir}`,
    ...writeFile(VAULT_PATHS.config, '0640', p.configJson),
    `chgrp vault ${VAULT_PATHS.config}`,
    ...writeFile(`${VAULT_PATHS.scripts}/vault-install`, '0755', p.installScript),
    ...writeFile(`${VAULT_PATHS.scripts}/vault-fetch-tls`, '0755', p.fetchTlsScript),
    ...writeFile(`${VAULT_PATHS.scripts}/vault-tls-reload`, '0755', p.tlsReloadScript),
    ...writeFile(`${VAULT_PATHS.scripts}/vault-snapshot`, '0755', p.snapshotScript),
    ...writeFile('/etc/systemd/system/vault.service', '0644', vaultUnit()),
    ...writeFile('/etc/systemd/system/vault-snapshot.service', '0644', snapshot.service),
    ...writeFile('/etc/systemd/system/vault-snapshot.timer', '0644', snapshot.timer),
    ...writeFile('/etc/systemd/system/vault-tls-reload.service', '0644', tlsReload.service),
    ...writeFile('/etc/systemd/system/vault-tls-reload.timer', '0644', tlsReload.timer),
    ...writeFile('/etc/logrotate.d/vault', '0644', LOGROTATE),
    // Per-node values Vault reads from its environment (node id = instance id).
    `imds_token="$(curl --fail --silent -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')"`,
    'imds() { curl --fail --silent -H "X-aws-ec2-metadata-token: $imds_token" "http://169.254.169.254/latest/meta-data/$1"; }',
    'instance_id="$(imds instance-id)"',
    'private_ip="$(imds local-ipv4)"',
    `printf 'VAULT_RAFT_NODE_ID=%s\\nVAULT_API_ADDR=https://%s:${VAULT_API_PORT}\\nVAULT_CLUSTER_ADDR=https://%s:${VAULT_CLUSTER_PORT}\\n' "$instance_id" "$private_ip" "$private_ip" > ${VAULT_PATHS.env}`,
    `chmod 0644 ${VAULT_PATHS.env}`,
    ...writeFile(CLOUDWATCH_AGENT_CONFIG, '0644', p.cloudWatchAgentJson),
    ...writeFile(`${VAULT_PATHS.scripts}/node-extras`, '0755', nodeExtrasScript()),
    ...writeFile('/etc/systemd/system/cellkit-node-extras.service', '0644', NODE_EXTRAS_UNIT),
    'systemctl daemon-reload',
    // Vault first: nothing optional runs in this script, so no optional failure can keep Vault from starting.
    'systemctl enable vault.service vault-snapshot.timer vault-tls-reload.timer',
    'systemctl start --no-block vault.service vault-snapshot.timer vault-tls-reload.timer',
    'systemctl enable cellkit-node-extras.service',
    'systemctl start --no-block cellkit-node-extras.service',
    '',
  ].join('\n');
}

export interface BootstrapScriptProps {
  readonly region: string;
  readonly tlsServerName: string;
  /** Autopilot keeps at least this many voters: the cluster size. */
  readonly nodes: number;
  /** Base64 PGP public keys or `keybase:<name>`; absent: the script refuses to initialise. */
  readonly recoveryPgpKeys?: readonly string[];
  readonly recoveryThreshold?: number;
  /** Secret receiving the PGP-encrypted recovery shares. */
  readonly recoverySecretArn: string;
  /** The Vault servers' instance role: bound to the snapshot and bootstrap Vault roles. */
  readonly vaultRoleArn: string;
  readonly applicationRoleArn: string;
  readonly operatorRoleArn: string;
  readonly database: {
    readonly hostname: string;
    readonly port: string;
    readonly databaseName: string;
    readonly masterSecretArn: string;
  };
}

const POLICIES: Record<string, string> = {
  [APP_VAULT_ROLE]: [
    `path "${KV_MOUNTS.gitSsh}/data/*" { capabilities = ["read"] }`,
    `path "${KV_MOUNTS.integrations}/data/*" { capabilities = ["read"] }`,
    `path "database/creds/${APP_VAULT_ROLE}" { capabilities = ["read"] }`,
  ].join('\n'),
  [OPERATOR_VAULT_ROLE]: [
    `path "${KV_MOUNTS.gitSsh}/*" { capabilities = ["create", "read", "update", "delete", "list"] }`,
    `path "${KV_MOUNTS.integrations}/*" { capabilities = ["create", "read", "update", "delete", "list"] }`,
  ].join('\n'),
  [SNAPSHOT_VAULT_ROLE]: 'path "sys/storage/raft/snapshot" { capabilities = ["read"] }',
  [ROLL_VAULT_ROLE]: [
    'path "sys/storage/raft/configuration" { capabilities = ["read"] }',
    'path "sys/storage/raft/autopilot/state" { capabilities = ["read"] }',
    'path "sys/storage/raft/snapshot" { capabilities = ["read"] }',
    'path "sys/storage/raft/remove-peer" { capabilities = ["update"] }',
  ].join('\n'),
  [BOOTSTRAP_VAULT_ROLE]: [
    'path "sys/audit" { capabilities = ["read", "sudo"] }',
    'path "sys/audit/*" { capabilities = ["create", "update", "sudo"] }',
    'path "sys/auth" { capabilities = ["read"] }',
    'path "sys/auth/*" { capabilities = ["create", "update", "sudo"] }',
    'path "sys/mounts" { capabilities = ["read"] }',
    'path "sys/mounts/*" { capabilities = ["create", "update"] }',
    'path "sys/policies/acl/*" { capabilities = ["create", "read", "update"] }',
    'path "sys/storage/raft/autopilot/configuration" { capabilities = ["read", "update"] }',
    'path "auth/aws/config/client" { capabilities = ["read", "create", "update"] }',
    'path "auth/aws/role/*" { capabilities = ["read", "create", "update"] }',
    `path "database/config/${DB_CONNECTION}" { capabilities = ["read", "create", "update"] }`,
    `path "database/rotate-root/${DB_CONNECTION}" { capabilities = ["update"] }`,
    `path "database/roles/${APP_VAULT_ROLE}" { capabilities = ["read", "create", "update"] }`,
  ].join('\n'),
};

const DB_CREATION_STATEMENTS = [
  `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`,
  `GRANT USAGE ON SCHEMA public TO "{{name}}";`,
  `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{{name}}";`,
].join('\n');

/**
 * One-time (and re-runnable) cluster setup, run through SSM on one node. Every step checks
 * before it acts; the initial root token lives only in memory-backed /dev/shm and is revoked.
 */
export function bootstrapScript(p: BootstrapScriptProps): string {
  const keys = p.recoveryPgpKeys ?? [];
  const threshold = p.recoveryThreshold ?? 0;
  const pgpFiles = keys.map((k, i) => (k.startsWith('keybase:') ? { arg: k, write: [] as string[] } : { arg: `$work/pgp-${i}.asc`, write: [`printf '%s' ${shq(k)} > "$work/pgp-${i}.asc"`] }));
  const db = p.database;
  return [
    '#!/bin/bash',
    // SSM's aws:runShellScript starts the script with sh; switch to bash.
    'if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi',
    'set -euo pipefail',
    ...vaultClientEnv(p.region, p.tlsServerName),
    'log() { echo "cellkit-vault-bootstrap: $*"; }',
    'fail() { echo "cellkit-vault-bootstrap: $*" >&2; exit 1; }',
    'json() { python3 -c "import json,sys; sys.stdout.write(str(json.load(sys.stdin)$1))"; }',
    'has_key() { python3 -c \'import json,sys; sys.exit(0 if sys.argv[1] in json.load(sys.stdin) else 1)\' "$1"; }',
    'work="$(mktemp -d -p /dev/shm)"',
    `trap 'rm -rf "$work"' EXIT`,
    'status_rc() { local rc=0; vault status >/dev/null 2>&1 || rc=$?; echo "$rc"; }',
    'rc=1',
    'for _ in $(seq 1 60); do',
    '  rc="$(status_rc)"',
    '  [ "$rc" != 1 ] && break',
    '  sleep 10',
    'done',
    `[ "$rc" != 1 ] || fail "Vault does not answer on $VAULT_ADDR: is the TLS secret set and vault.service running? (journalctl -u vault)"`,
    `initialized="$(vault status -format=json 2>/dev/null | json '["initialized"]' || true)"`,
    'root_token=""',
    'if [ "$initialized" = "False" ]; then',
    ...(keys.length === 0
      ? [`  fail "the tenant spec names no vault.recoveryPgpKeys: add them (README: Vault), deploy, and run this document again; Vault stays uninitialised"`]
      : [
          ...pgpFiles.flatMap((f) => f.write.map((l) => `  ${l}`)),
          `  vault operator init -format=json -recovery-shares=${keys.length} -recovery-threshold=${threshold} -recovery-pgp-keys="${pgpFiles.map((f) => f.arg).join(',')}" > "$work/init.json"`,
          `  python3 - "$work" <<'PY'`,
          'import datetime, json, sys',
          'work = sys.argv[1]',
          'init = json.load(open(work + "/init.json"))',
          'shares = {"recovery_keys_b64": init["recovery_keys_b64"], "recovery_keys_shares": init.get("recovery_keys_shares"), "recovery_keys_threshold": init.get("recovery_keys_threshold"), "initialized_at": datetime.datetime.utcnow().isoformat() + "Z"}',
          'json.dump(shares, open(work + "/recovery.json", "w"))',
          'open(work + "/root", "w").write(init["root_token"])',
          'PY',
          `  if ! aws secretsmanager put-secret-value --secret-id ${shq(p.recoverySecretArn)} --secret-string "file://$work/recovery.json" >/dev/null; then`,
          '    echo "cellkit-vault-bootstrap: could not store the recovery shares; they are PGP-encrypted, keep this output:" >&2',
          '    cat "$work/recovery.json" >&2',
          '    fail "initialised, but the recovery shares are only in this output"',
          '  fi',
          '  log "initialised; PGP-encrypted recovery shares stored in the recovery secret"',
          '  root_token="$(cat "$work/root")"',
        ]),
    'fi',
    'for _ in $(seq 1 60); do',
    '  [ "$(status_rc)" = 0 ] && break',
    '  sleep 5',
    'done',
    '[ "$(status_rc)" = 0 ] || fail "Vault is still sealed: check the seal key grants and journalctl -u vault"',
    'if [ -n "$root_token" ]; then',
    '  export VAULT_TOKEN="$root_token"',
    'else',
    `  VAULT_TOKEN="$(${awsLogin(BOOTSTRAP_VAULT_ROLE, p.region, p.tlsServerName)})" || fail "already initialised and the ${BOOTSTRAP_VAULT_ROLE} login failed"`,
    '  export VAULT_TOKEN',
    'fi',
    `vault operator raft autopilot set-config -cleanup-dead-servers=true -dead-server-last-contact-threshold=10m -min-quorum=${p.nodes} >/dev/null`,
    'log "autopilot: dead-server cleanup on"',
    `vault audit list -format=json 2>/dev/null | has_key file/ || vault audit enable file file_path=${VAULT_PATHS.auditLog}`,
    'vault audit list -format=json 2>/dev/null | has_key syslog/ || vault audit enable syslog tag=vault facility=AUTH',
    ...Object.values(KV_MOUNTS).map((m) => `vault secrets list -format=json | has_key ${m}/ || vault secrets enable -path=${m} -version=2 kv`),
    'vault secrets list -format=json | has_key database/ || vault secrets enable database',
    'vault auth list -format=json | has_key aws/ || vault auth enable aws',
    `vault write auth/aws/config/client sts_endpoint=${shq(`https://sts.${p.region}.amazonaws.com`)} sts_region=${shq(p.region)} iam_server_id_header_value=${shq(p.tlsServerName)} >/dev/null`,
    ...Object.entries(POLICIES).flatMap(([name, hcl]) => [`cat > "$work/${name}.hcl" <<'HCL'`, hcl, 'HCL', `vault policy write ${name} "$work/${name}.hcl" >/dev/null`]),
    ...[
      [APP_VAULT_ROLE, p.applicationRoleArn, '1h'],
      [OPERATOR_VAULT_ROLE, p.operatorRoleArn, '1h'],
      [SNAPSHOT_VAULT_ROLE, p.vaultRoleArn, '10m'],
      [ROLL_VAULT_ROLE, p.vaultRoleArn, '10m'],
      [BOOTSTRAP_VAULT_ROLE, p.vaultRoleArn, '15m'],
    ].map(([role, arn, ttl]) => `vault write auth/aws/role/${role} auth_type=iam bound_iam_principal_arn=${shq(arn)} resolve_aws_unique_ids=false token_policies=${role} token_ttl=${ttl} token_max_ttl=${ttl} >/dev/null`),
    'log "audit devices, KV mounts, AWS auth roles and policies in place"',
    `if ! vault read database/config/${DB_CONNECTION} >/dev/null 2>&1; then`,
    `  aws secretsmanager get-secret-value --secret-id ${shq(db.masterSecretArn)} --query SecretString --output text > "$work/db.json"`,
    `  json '["username"]' < "$work/db.json" > "$work/db-user"`,
    `  json '["password"]' < "$work/db.json" > "$work/db-password"`,
    `  vault write database/config/${DB_CONNECTION} plugin_name=postgresql-database-plugin allowed_roles=${APP_VAULT_ROLE} \\`,
    `    connection_url=${shq(`postgresql://{{username}}:{{password}}@${db.hostname}:${db.port}/${db.databaseName}?sslmode=require`)} \\`,
    `    username=@"$work/db-user" password=@"$work/db-password" >/dev/null`,
    `  vault write -force database/rotate-root/${DB_CONNECTION} >/dev/null`,
    '  log "database connection configured; master password rotated, only Vault knows it now"',
    'fi',
    `cat > "$work/creation.sql" <<'SQL'`,
    DB_CREATION_STATEMENTS,
    'SQL',
    `vault write database/roles/${APP_VAULT_ROLE} db_name=${DB_CONNECTION} creation_statements=@"$work/creation.sql" default_ttl=1h max_ttl=24h >/dev/null`,
    'if [ -n "$root_token" ]; then',
    '  vault token revoke -self',
    '  log "initial root token revoked"',
    'else',
    '  vault token revoke -self >/dev/null 2>&1 || true',
    'fi',
    'log "done"',
    '',
  ].join('\n');
}
