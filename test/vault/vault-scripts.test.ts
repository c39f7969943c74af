import { Template } from 'aws-cdk-lib/assertions';
import { VAULT_PATHS } from '../../lib/vault/vault-config';
import { VAULT_RELEASE } from '../../lib/vault/vault-release';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OPTIONAL_NODE_PACKAGES, nodeExtrasScript } from '../../lib/vault/node-extras';
import { fetchTlsScript, installScript, shq, snapshotScript, tlsReloadScript, tlsReloadUnits, vaultUnit } from '../../lib/vault/vault-scripts';
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
    tlsReload: writtenFile(userData, `${VAULT_PATHS.scripts}/vault-tls-reload`),
    snapshot: writtenFile(userData, `${VAULT_PATHS.scripts}/vault-snapshot`),
    extras: writtenFile(userData, `${VAULT_PATHS.scripts}/node-extras`),
  };
});

describe.each(rendered)('scripts of $t.id', (r) => {
  lint.each(['userData', 'install', 'tls', 'tlsReload', 'snapshot', 'extras'] as const)('%s passes shellcheck', (name) => {
    expect(shellcheck(r[name])).toBe('');
  });

  test('user data fits the 16 KB EC2 limit', () => {
    expect(Buffer.byteLength(r.userData)).toBeLessThan(16 * 1024);
  });

  test('user data starts Vault and installs nothing itself: optional software runs in its own unit, after Vault', () => {
    // The commands the user data itself runs (file contents written by heredocs left out).
    const commands = r.userData.replace(/<<'CELLKIT_EOF'\n[\s\S]*?\nCELLKIT_EOF\n/g, '\n').split('\n');
    expect(commands.filter((l) => /\b(dnf|yum|rpm)\b|amazon-cloudwatch-agent-ctl/.test(l))).toEqual([]);
    const at = (line: string) => commands.indexOf(line);
    expect(at('systemctl start --no-block vault.service vault-snapshot.timer vault-tls-reload.timer')).toBeGreaterThan(0);
    expect(at('systemctl enable vault.service vault-snapshot.timer vault-tls-reload.timer')).toBeLessThan(at('systemctl start --no-block cellkit-node-extras.service'));
    expect(at('systemctl start --no-block vault.service vault-snapshot.timer vault-tls-reload.timer')).toBeLessThan(at('systemctl start --no-block cellkit-node-extras.service'));
    // The extras unit neither requires nor is required by Vault.
    const unit = writtenFile(r.userData, '/etc/systemd/system/cellkit-node-extras.service');
    expect(unit).not.toMatch(/Requires=|BindsTo=|vault\.service/);
    expect(writtenFile(r.userData, '/etc/systemd/system/vault.service')).not.toMatch(/node-extras|cloudwatch/);
  });
});

describe('optional node software (run for real with bash; dnf, rpm, sleep and the agent are stubs)', () => {
  const run = (dnfWorks: boolean) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-extras-'));
    const stub = (name: string, body: string) => fs.writeFileSync(path.join(dir, name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
    stub('rpm', `[ -e "${dir}/installed-$2" ]`);
    stub('dnf', `echo "dnf $*" >> "${dir}/calls"; ${dnfWorks ? `touch "${dir}/installed-$3"` : 'exit 1'}`);
    stub('sleep', 'true');
    stub('agent-ctl', `echo "agent $*" >> "${dir}/calls"`);
    const script = nodeExtrasScript().replace('/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl', `${dir}/agent-ctl`);
    const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { PATH: `${dir}:/usr/bin:/bin` } });
    const calls = fs.existsSync(path.join(dir, 'calls')) ? fs.readFileSync(path.join(dir, 'calls'), 'utf8').trim().split('\n') : [];
    fs.rmSync(dir, { recursive: true, force: true });
    return { status: r.status, stderr: r.stderr, calls };
  };

  test('every dnf attempt fails: each package is retried 5 times, reported as optional, the unit fails, nothing else is touched', () => {
    const r = run(false);
    expect(r.status).toBe(1);
    expect(r.calls).toEqual([...Array(5).fill('dnf install -y amazon-cloudwatch-agent'), ...Array(5).fill('dnf install -y logrotate')]);
    for (const pkg of OPTIONAL_NODE_PACKAGES) expect(r.stderr).toContain(`${pkg.name} is not installed: ${pkg.without}; Vault runs without it`);
  });

  test('dnf works: both packages installed, the agent loads the Vault log config, exit 0', () => {
    const r = run(true);
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(['dnf install -y amazon-cloudwatch-agent', 'dnf install -y logrotate', 'agent -a fetch-config -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/vault.json']);
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

describe('TLS reload (run for real by bash, with aws and systemctl stubbed on PATH)', () => {
  const ARN = 'arn:aws:secretsmanager:eu-west-2:1:secret:/cellkit/x/vault/tls';
  const CERT = '-----BEGIN CERTIFICATE-----\nMIIBnew\n-----END CERTIFICATE-----';

  /** Runs the script with the installed certificate at a temp path; returns the exit code and the stubs' calls. */
  function run(opts: { installed?: string; secret: string; vaultActive?: boolean }): { status: number | null; calls: string[]; stderr: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-tls-reload-'));
    try {
      const bin = path.join(dir, 'bin');
      fs.mkdirSync(bin);
      const log = path.join(dir, 'calls.log');
      fs.writeFileSync(path.join(dir, 'secret.json'), opts.secret);
      const stub = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/bin/bash\necho "${name} $*" >> '${log}'\n${body}\n`, { mode: 0o755 });
      stub('aws', `cat '${path.join(dir, 'secret.json')}'`);
      stub('systemctl', `if [ "$1" = is-active ]; then exit ${opts.vaultActive === false ? 3 : 0}; fi`);
      const cert = path.join(dir, 'vault.crt');
      if (opts.installed !== undefined) fs.writeFileSync(cert, opts.installed);
      const script = tlsReloadScript({ region: 'eu-west-2', tlsSecretArn: ARN }).split(VAULT_PATHS.cert).join(cert);
      const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
      const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
      return { status: r.status, calls, stderr: r.stderr };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  test('an unchanged certificate: no reload', () => {
    const r = run({ installed: `${CERT}\n`, secret: JSON.stringify({ certificate: CERT, private_key: 'k', ca: 'c' }) });
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(['systemctl is-active --quiet vault.service', `aws secretsmanager get-secret-value --secret-id ${ARN} --query SecretString --output text`]);
  });

  test('a renewed certificate: systemctl reload vault.service (ExecReload re-fetches and sends SIGHUP)', () => {
    const r = run({ installed: '-----BEGIN CERTIFICATE-----\nMIIBold\n-----END CERTIFICATE-----\n', secret: JSON.stringify({ certificate: CERT, private_key: 'k', ca: 'c' }) });
    expect(r.status).toBe(0);
    expect(r.calls[r.calls.length - 1]).toBe('systemctl reload vault.service');
    expect(vaultUnit()).toMatch(/ExecReload=\+\/opt\/vault\/bin\/vault-fetch-tls\nExecReload=\/bin\/kill --signal HUP \$MAINPID/);
  });

  test('a secret without a PEM certificate: fails, keeps the installed one, no reload', () => {
    const r = run({ installed: `${CERT}\n`, secret: JSON.stringify({ certificate: '' }) });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('the TLS secret has no PEM certificate; keeping the installed one');
    expect(r.calls).not.toContain('systemctl reload vault.service');
  });

  test('Vault not running yet: nothing to do, the secret is not even read', () => {
    const r = run({ secret: '{}', vaultActive: false });
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(['systemctl is-active --quiet vault.service']);
  });

  test('the timer runs hourly with a random delay, and the user data enables it', () => {
    const units = tlsReloadUnits();
    expect(units.timer).toContain('OnCalendar=hourly');
    expect(units.timer).toContain('RandomizedDelaySec=1800');
    expect(units.service).toContain(`ExecStart=${VAULT_PATHS.scripts}/vault-tls-reload`);
    for (const r of rendered) expect(r.userData).toContain('systemctl enable vault.service vault-snapshot.timer vault-tls-reload.timer');
  });
});
