// Optional node software for Vault servers: installed after Vault is started, in its own systemd unit, so
// a failed install never keeps Vault from starting (docs/vault-nodes.md). The script and unit are real files in
// ./node/, linted with shellcheck in tests.
import { renderNodeFile } from './node-files';

export const CLOUDWATCH_AGENT_CONFIG = '/opt/aws/amazon-cloudwatch-agent/etc/vault.json';

/**
 * What a Vault node can run without: each is tried (with retries) in its own unit after Vault is started,
 * and a failure only marks cellkit-node-extras.service failed (`systemctl --failed`, journal).
 */
export const OPTIONAL_NODE_PACKAGES = [
  { name: 'amazon-cloudwatch-agent', without: 'server and audit logs stay on the node (/var/log/vault) and reach CloudWatch only once the agent runs' },
  { name: 'logrotate', without: 'the file audit log is not rotated; the node keeps writing it to its root volume' },
] as const;

/** The unit that runs the node-extras script once per boot; neither requires nor is required by Vault. */
export function nodeExtrasUnit(): string {
  return renderNodeFile('cellkit-node-extras.service');
}

/**
 * Installs and starts the optional node software (lib/vault/node/node-extras.sh). Not `set -e`: every step
 * reports its own failure and the others still run; the exit status says whether all of them worked. Safe
 * to run again (each boot). The tests check that it installs exactly OPTIONAL_NODE_PACKAGES.
 */
export function nodeExtrasScript(): string {
  return renderNodeFile('node-extras.sh', { cloudwatch_agent_config: CLOUDWATCH_AGENT_CONFIG });
}
