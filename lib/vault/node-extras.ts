// Optional node software for Vault servers: installed after Vault is started, in its own systemd unit, so
// a failed install never keeps Vault from starting (docs/vault-nodes.md). Linted with shellcheck in tests.
import { VAULT_PATHS } from './vault-config';
import { shq } from './shell';

export const CLOUDWATCH_AGENT_CONFIG = '/opt/aws/amazon-cloudwatch-agent/etc/vault.json';

/**
 * What a Vault node can run without: each is tried (with retries) in its own unit after Vault is started,
 * and a failure only marks cellkit-node-extras.service failed (`systemctl --failed`, journal).
 */
export const OPTIONAL_NODE_PACKAGES = [
  { name: 'amazon-cloudwatch-agent', without: 'server and audit logs stay on the node (/var/log/vault) and reach CloudWatch only once the agent runs' },
  { name: 'logrotate', without: 'the file audit log is not rotated; the node keeps writing it to its root volume' },
] as const;

export const NODE_EXTRAS_UNIT = [
  '[Unit]',
  'Description=Optional node software for Vault (cellkit): CloudWatch agent, logrotate',
  'Wants=network-online.target',
  'After=network-online.target',
  '',
  '[Service]',
  'Type=oneshot',
  `ExecStart=${VAULT_PATHS.scripts}/node-extras`,
  '',
  '[Install]',
  'WantedBy=multi-user.target',
  '',
].join('\n');

/**
 * Installs and starts the optional node software. Not `set -e`: every step reports its own failure and
 * the others still run; the exit status says whether all of them worked. Safe to run again (each boot).
 */
export function nodeExtrasScript(): string {
  return [
    '#!/bin/bash',
    'set -uo pipefail',
    'status=0',
    'warn() { echo "cellkit-node-extras: $*" >&2; }',
    'install_package() {',
    '  rpm -q "$1" >/dev/null 2>&1 && return 0',
    '  local attempt',
    '  for attempt in 1 2 3 4 5; do',
    '    dnf install -y "$1" && return 0',
    '    warn "dnf install $1 failed (attempt $attempt of 5)"',
    '    sleep $((attempt * 20))',
    '  done',
    '  return 1',
    '}',
    ...OPTIONAL_NODE_PACKAGES.flatMap((pkg) => [`if ! install_package ${pkg.name}; then`, `  warn ${shq(`${pkg.name} is not installed: ${pkg.without}; Vault runs without it`)}`, '  status=1', 'fi']),
    'if rpm -q amazon-cloudwatch-agent >/dev/null 2>&1; then',
    `  /opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:${CLOUDWATCH_AGENT_CONFIG} || { warn 'the CloudWatch agent did not start'; status=1; }`,
    'fi',
    'exit "$status"',
    '',
  ].join('\n');
}
