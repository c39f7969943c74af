import { Template } from 'aws-cdk-lib/assertions';
import { VAULT_PATHS } from '../../lib/vault/vault-config';
import { VAULT_RELEASE } from '../../lib/vault/vault-release';
import { fetchTlsScript, installScript, shq, snapshotScript, vaultUnit } from '../../lib/vault/vault-scripts';
import { teamTenant, tenant } from '../fixtures';
import { shellcheck, userDataOf, vaultStack, writtenFile } from './vault-stack';

const HAVE_SHELLCHECK = shellcheck('#!/bin/bash\ntrue\n') !== null;
if (!HAVE_SHELLCHECK) process.stderr.write('vault-scripts.test: shellcheck is not installed; skipping the lint checks locally (CI=true fails instead). apt-get install -y shellcheck\n');
const lint = HAVE_SHELLCHECK ? test : test.skip;

const install = (source: Parameters<typeof installScript>[0]['source']) => installScript({ region: 'eu-west-2', version: VAULT_RELEASE.version, sha256: VAULT_RELEASE.sha256, source });

// The scripts exactly as the nodes receive them, for a NAT and an egress-none tenant.
const rendered = [tenant(), teamTenant()].map((t) => {
  const json = Template.fromStack(vaultStack(t).stack).toJSON();
  const userData = userDataOf(json);
  return {
    t,
    userData,
    install: writtenFile(userData, `${VAULT_PATHS.scripts}/vault-install`),
    tls: writtenFile(userData, `${VAULT_PATHS.scripts}/vault-fetch-tls`),
    snapshot: writtenFile(userData, `${VAULT_PATHS.scripts}/vault-snapshot`),
  };
});

describe.each(rendered)('scripts of $t.id', (r) => {
  lint.each(['userData', 'install', 'tls', 'snapshot'] as const)('%s passes shellcheck', (name) => {
    expect(shellcheck(r[name])).toBe('');
  });

  test('user data fits the 16 KB EC2 limit', () => {
    expect(Buffer.byteLength(r.userData)).toBeLessThan(16 * 1024);
  });
});

lint('shellcheck really flags a bad script (the lint is not a no-op)', () => {
  expect(shellcheck('#!/bin/bash\nrm -rf $1/*\n')).toMatch(/SC2086/);
});

describe('install script', () => {
  test('verifies the pinned SHA-256 before unpacking and refuses otherwise', () => {
    const s = install({ kind: 'releases' });
    const check = s.indexOf('sha256sum --check --strict');
    expect(check).toBeGreaterThan(0);
    expect(s.indexOf('python3 -m zipfile -e')).toBeGreaterThan(check);
    expect(s).toContain(`sha256='${VAULT_RELEASE.sha256}'`);
    expect(s).toMatch(/refusing to install it" >&2\n {2}exit 1/);
  });

  test('egress nat: HTTPS only, from releases.hashicorp.com', () => {
    const s = install({ kind: 'releases' });
    expect(s).toContain(`--proto '=https'`);
    expect(s).toContain('https://releases.hashicorp.com/vault/${version}/${zip}');
    expect(s).not.toContain('aws s3 cp');
  });

  test('egress none: from the artifact bucket (gateway endpoint), never the internet', () => {
    const s = install({ kind: 's3', bucketName: 'cellkit-artifacts-1-eu-west-2', key: 'vault/vault_1.18.3_linux_amd64.zip' });
    expect(s).toContain(`aws s3 cp --only-show-errors 's3://cellkit-artifacts-1-eu-west-2/vault/vault_1.18.3_linux_amd64.zip' "$work/$zip"`);
    expect(s).not.toContain('releases.hashicorp.com');
  });

  test.each(rendered)('the node of $t.id uses the source its egress allows', (r) => {
    if (r.t.spec.egress === 'none') {
      expect(r.install).toContain(`'s3://cellkit-artifacts-${r.t.spec.account}-${r.t.pin.region}/vault/vault_${VAULT_RELEASE.version}_linux_amd64.zip'`);
      expect(r.install).not.toContain('releases.hashicorp.com');
    } else {
      expect(r.install).toContain('https://releases.hashicorp.com/');
    }
  });
});

test('the systemd unit runs Vault as its own user, hardened', () => {
  const unit = vaultUnit();
  for (const line of ['User=vault', 'ProtectSystem=full', 'PrivateTmp=yes', 'NoNewPrivileges=yes', 'CapabilityBoundingSet=CAP_IPC_LOCK', 'AmbientCapabilities=CAP_IPC_LOCK', 'LimitMEMLOCK=infinity', 'ProtectHome=read-only']) {
    expect(unit.split('\n')).toContain(line);
  }
  expect(unit).toContain(`ExecStartPre=+${VAULT_PATHS.scripts}/vault-install`);
});

test('TLS fetch refuses a secret that holds no PEM fields', () => {
  const s = fetchTlsScript({ region: 'eu-west-2', tlsSecretArn: 'arn:aws:secretsmanager:eu-west-2:1:secret:/cellkit/x/vault/tls' });
  expect(s).toContain(`--secret-id 'arn:aws:secretsmanager:eu-west-2:1:secret:/cellkit/x/vault/tls'`);
  expect(s).toContain('is missing or not PEM');
  expect(s).toContain(`install -o root -g vault -m 0640 "$work/vault.key" ${VAULT_PATHS.key}`);
});

test('snapshots: only the active node, one fixed object key, token revoked', () => {
  const s = snapshotScript({ region: 'eu-west-2', tlsServerName: 'vault.x', bucketName: 'b', key: 'raft/vault.snap' });
  expect(s).toMatch(/if \[ "\$active" != "True" \]; then\n.*\n {2}exit 0/);
  expect(s).toContain(`aws s3 cp --only-show-errors "$snap" 's3://b/raft/vault.snap'`);
  expect(s).toContain('vault token revoke -self');
});

test('shq quotes single quotes and leaves tokens intact', () => {
  expect(shq(`it's`)).toBe(`'it'\\''s'`);
  expect(shq('${Token[TOKEN.12]}')).toBe(`'\${Token[TOKEN.12]}'`);
});
