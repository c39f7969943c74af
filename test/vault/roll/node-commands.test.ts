// The scripts `cellkit vault roll` sends to a node through SSM, linted with shellcheck and, where
// they parse node files, run for real with bash against the files the user data writes.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROLL_SNAPSHOT_KEY, autopilotStateCommand, removePeerCommand, snapshotCommand, startVaultCommand, statusCommand, stopVaultCommand } from '../../../lib/vault/roll/node-commands';
import { SNAPSHOT_KEY } from '../../../lib/vault/vault-cluster';
import { VAULT_PATHS } from '../../../lib/vault/vault-config';
import { ROLL_VAULT_ROLE, VAULT_POLICIES, awsAuthBindings } from '../../../lib/vault/bootstrap/vault-plan';
import { snapshotScript } from '../../../lib/vault/vault-scripts';
import { shellcheck } from '../vault-stack';

const ctx = { region: 'eu-west-2', tlsServerName: 'vault.acme.cellkit.internal' };
const scripts = {
  status: statusCommand(ctx),
  autopilot: autopilotStateCommand(ctx),
  removePeer: removePeerCommand(ctx, 'i-0123456789abcdef0'),
  stop: stopVaultCommand(ctx),
  start: startVaultCommand(ctx),
  snapshot: snapshotCommand(ctx),
};
const HAVE_SHELLCHECK = shellcheck('#!/bin/bash\ntrue\n') !== null;
const lint = HAVE_SHELLCHECK ? test : test.skip;

lint.each(Object.keys(scripts) as Array<keyof typeof scripts>)('%s passes shellcheck', (name) => {
  expect(shellcheck(scripts[name])).toBe('');
});

test('authenticated commands log in as cellkit-roll on the node and revoke the token; none carries a token', () => {
  for (const s of [scripts.autopilot, scripts.removePeer, scripts.snapshot]) {
    expect(s).toContain("vault login -method=aws -token-only role=cellkit-roll region='eu-west-2' header_value='vault.acme.cellkit.internal'");
    expect(s).toContain('vault token revoke -self');
  }
  for (const s of [scripts.status, scripts.stop, scripts.start]) expect(s).not.toContain('vault login');
  for (const s of Object.values(scripts)) expect(s).not.toMatch(/hvs\.|VAULT_TOKEN=['"][^$]/);
});

test('remove-peer takes only an instance id (the node id), quoted', () => {
  expect(scripts.removePeer).toContain("server_id='i-0123456789abcdef0'");
  expect(() => removePeerCommand(ctx, "i-1'; rm -rf /")).toThrow(`remove-peer: "i-1'; rm -rf /" is not an instance id (node ids are instance ids)`);
});

test('the snapshot goes to the one key the node role may write, checked with snapshot inspect before upload', () => {
  expect(ROLL_SNAPSHOT_KEY).toBe(SNAPSHOT_KEY);
  const s = scripts.snapshot;
  expect(s.indexOf('vault operator raft snapshot inspect')).toBeGreaterThan(s.indexOf('vault operator raft snapshot save'));
  expect(s.indexOf('aws s3api put-object')).toBeGreaterThan(s.indexOf('vault operator raft snapshot inspect'));
  expect(s).toContain('--checksum-algorithm SHA256');
});

test('the snapshot command reads the bucket out of the vault-snapshot script the user data installs (run with bash)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-roll-'));
  const installed = path.join(dir, 'vault-snapshot');
  fs.writeFileSync(installed, snapshotScript({ region: 'eu-west-2', tlsServerName: ctx.tlsServerName, bucketName: 'cell-acme-vaultsnapshotsbucket-1x2y3z', key: SNAPSHOT_KEY }));
  const lines = scripts.snapshot.split('\n');
  const extract = lines.filter((l) => l.startsWith('bucket=') || l.startsWith('[ -n "$bucket" ]')).map((l) => l.split(`${VAULT_PATHS.scripts}/vault-snapshot`).join(installed));
  expect(extract).toHaveLength(2);
  const run = (file: string) => spawnSync('bash', ['-c', [...extract.map((l) => l.split(installed).join(file)), 'printf %s "$bucket"'].join('\n')], { encoding: 'utf8' });
  expect(run(installed).stdout).toBe('cell-acme-vaultsnapshotsbucket-1x2y3z');
  const empty = path.join(dir, 'empty');
  fs.writeFileSync(empty, '#!/bin/bash\n');
  const refused = run(empty);
  expect(refused.status).toBe(1);
  expect(refused.stderr).toContain(`no snapshot bucket in ${empty}`);
});

test('the bootstrap gives cellkit-roll exactly the Raft endpoints the roll uses, bound to the Vault servers\' role', () => {
  expect(ROLL_VAULT_ROLE).toBe('cellkit-roll');
  expect(VAULT_POLICIES[ROLL_VAULT_ROLE].split('\n').sort()).toEqual([
    'path "sys/storage/raft/autopilot/state" { capabilities = ["read"] }',
    'path "sys/storage/raft/configuration" { capabilities = ["read"] }',
    'path "sys/storage/raft/remove-peer" { capabilities = ["update"] }',
    'path "sys/storage/raft/snapshot" { capabilities = ["read"] }',
  ]);
  const arns = { application: 'arn:app', operator: 'arn:op', vaultServers: 'arn:aws:iam::123456789012:role/vault', bootstrap: 'arn:boot' };
  expect(awsAuthBindings(arns).filter((b) => b.role === ROLL_VAULT_ROLE)).toEqual([{ role: ROLL_VAULT_ROLE, principalArn: 'arn:aws:iam::123456789012:role/vault', ttl: '10m' }]);
});
