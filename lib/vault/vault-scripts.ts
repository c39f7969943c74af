// Shell scripts the Vault nodes run, rendered from typed inputs. Values may be CDK tokens:
// they are only ever placed inside single quotes, never transformed. Tests lint every script
// with shellcheck.
import { VAULT_API_PORT, VAULT_CLUSTER_PORT, VAULT_PATHS } from './vault-config';
import { vaultZipName } from './vault-release';
import { shq } from './shell';
import { CLOUDWATCH_AGENT_CONFIG, NODE_EXTRAS_UNIT, nodeExtrasScript } from './node-extras';
import { SNAPSHOT_VAULT_ROLE } from './bootstrap/vault-plan';

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
