// Shell scripts `cellkit vault roll` runs on a Vault node through SSM Run Command
// (AWS-RunShellScript): the operator's machine cannot reach Vault inside the VPC. Each prints one
// JSON document on stdout. Authenticated calls log in through the AWS auth method as the node's
// instance role, Vault role `cellkit-roll` (set up by the bootstrap document): no token ever leaves
// the node or appears in a command's parameters. Tests lint every script with shellcheck.
import { VAULT_PATHS } from '../vault-config';
import { ROLL_VAULT_ROLE } from '../bootstrap/vault-plan';
import { awsLogin, shq, vaultClientEnv } from '../vault-scripts';

/** The snapshot object the node role may write (one key; bucket versioning keeps history). Same as SNAPSHOT_KEY in lib/vault/cluster/node-constants.ts. */
export const ROLL_SNAPSHOT_KEY = 'raft/vault.snap';
const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

export interface NodeCommandContext {
  readonly region: string;
  /** Name in the Vault certificate, e.g. `vault.<tenant>.cellkit.internal`. */
  readonly tlsServerName: string;
}

function script(ctx: NodeCommandContext, body: string[], login: boolean): string {
  return [
    '#!/bin/bash',
    // AWS-RunShellScript starts the script with sh; switch to bash.
    'if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi',
    'set -euo pipefail',
    ...vaultClientEnv(ctx.region, ctx.tlsServerName),
    ...(login
      ? [`VAULT_TOKEN="$(${awsLogin(ROLL_VAULT_ROLE, ctx.region, ctx.tlsServerName)})"`, 'export VAULT_TOKEN', `trap 'vault token revoke -self >/dev/null 2>&1 || true' EXIT`]
      : []),
    ...body,
    '',
  ].join('\n');
}

/** `vault status -format=json` (no token needed); exit code 2 only means sealed, so the JSON is printed either way. */
export function statusCommand(ctx: NodeCommandContext): string {
  return script(ctx, ['out="$(vault status -format=json || true)"', '[ -n "$out" ] || { echo "vault status: no answer from $VAULT_ADDR" >&2; exit 1; }', 'printf \'%s\\n\' "$out"'], false);
}

export function autopilotStateCommand(ctx: NodeCommandContext): string {
  return script(ctx, ['vault read -format=json sys/storage/raft/autopilot/state'], true);
}

export function removePeerCommand(ctx: NodeCommandContext, nodeId: string): string {
  if (!INSTANCE_ID.test(nodeId)) throw new Error(`remove-peer: "${nodeId}" is not an instance id (node ids are instance ids)`);
  return script(ctx, [`vault write -format=json sys/storage/raft/remove-peer server_id=${shq(nodeId)} >/dev/null`, `printf '{"removed":"%s"}\\n' ${shq(nodeId)}`], true);
}

/** systemd sends SIGINT (KillSignal in vault.service): Vault shuts down cleanly and an active node releases leadership. */
export function stopVaultCommand(ctx: NodeCommandContext): string {
  return script(ctx, ['systemctl stop vault.service', 'printf \'{"stopped":true}\\n\''], false);
}

export function startVaultCommand(ctx: NodeCommandContext): string {
  return script(ctx, ['systemctl start vault.service', 'printf \'{"started":true}\\n\''], false);
}

/**
 * Saves a snapshot, checks it with `vault operator raft snapshot inspect`, uploads it to the cell's
 * snapshot bucket with an S3 SHA-256 checksum and prints what the operator then verifies with
 * HeadObject. The bucket is read from the node's own snapshot script (the user data wrote it).
 */
export function snapshotCommand(ctx: NodeCommandContext): string {
  return script(
    ctx,
    [
      `bucket="$(sed -n "s|.*'s3://\\([^/']*\\)/${ROLL_SNAPSHOT_KEY}'.*|\\1|p" ${VAULT_PATHS.scripts}/vault-snapshot | head -n 1)"`,
      `[ -n "$bucket" ] || { echo "no snapshot bucket in ${VAULT_PATHS.scripts}/vault-snapshot" >&2; exit 1; }`,
      'snap="$(mktemp --suffix=.snap)"',
      `trap 'rm -f "$snap"; vault token revoke -self >/dev/null 2>&1 || true' EXIT`,
      'vault operator raft snapshot save "$snap"',
      'vault operator raft snapshot inspect "$snap" >/dev/null',
      'sha="$(sha256sum "$snap" | cut -d" " -f1)"',
      'size="$(stat -c %s "$snap")"',
      `put="$(aws s3api put-object --bucket "$bucket" --key '${ROLL_SNAPSHOT_KEY}' --body "$snap" --checksum-algorithm SHA256 --output json)"`,
      `python3 -c 'import json,sys; p=json.loads(sys.argv[1]); print(json.dumps({"bucket": sys.argv[2], "key": "${ROLL_SNAPSHOT_KEY}", "versionId": p.get("VersionId", ""), "sha256": sys.argv[3], "size": int(sys.argv[4])}))' "$put" "$bucket" "$sha" "$size"`,
    ],
    true,
  );
}
