// A throwaway PostgreSQL server from Debian's `postgresql` package (.ci/run installs it): its own
// cluster in a temp dir, TLS on with a self-signed certificate, listening on a loopback port,
// and TLS-only client authentication (pg_hba.conf has hostssl lines only).
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export interface LocalPostgres {
  readonly port: number;
  /** Superuser (stands in for RDS's own rdsadmin). */
  readonly superuser: { readonly user: string; readonly password: string };
  stop(): void;
}

/** The newest server binaries under /usr/lib/postgresql/<major>/bin, or why there are none. */
export function findPostgres(): { bin: string } | { missing: string } {
  const root = '/usr/lib/postgresql';
  const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!majors.length) return { missing: `no PostgreSQL server under ${root} (apt-get install -y postgresql; .ci/run does)` };
  return { bin: path.join(root, majors[0], 'bin') };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts a server. PostgreSQL refuses to run as root, so when the tests run as root (CI containers)
 * the server runs as Debian's `postgres` user through runuser.
 */
export async function startPostgres(bin: string): Promise<LocalPostgres> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()) : undefined;
  const ownerGid = asRoot ? Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()) : undefined;
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    const r = spawnSync(file, argv, { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  };
  const superuser = { user: 'pgsuper', password: `pw-${Math.random().toString(36).slice(2)}` };
  fs.writeFileSync(path.join(dir, 'pwfile'), `${superuser.password}\n`, { mode: 0o600 });
  if (asRoot) {
    fs.chownSync(dir, owner!, ownerGid!);
    fs.chownSync(path.join(dir, 'pwfile'), owner!, ownerGid!);
  }
  run(path.join(bin, 'initdb'), ['-D', data, '-U', superuser.user, `--pwfile=${path.join(dir, 'pwfile')}`, '--auth=scram-sha-256', '--encoding=UTF8', '--no-sync']);
  // Self-signed server certificate: the client's sslmode=require encrypts without verifying, as Vault's connection URL asks.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(data, 'server.key'), '-out', path.join(data, 'server.crt'), '-days', '2', '-subj', '/CN=127.0.0.1'], { stdio: 'pipe' });
  fs.chmodSync(path.join(data, 'server.key'), 0o600);
  if (asRoot) for (const f of ['server.key', 'server.crt']) fs.chownSync(path.join(data, f), owner!, ownerGid!);
  fs.writeFileSync(path.join(data, 'pg_hba.conf'), ['# TLS only: a client without TLS finds no matching line and is refused.', 'hostssl all all 127.0.0.1/32 scram-sha-256', ''].join('\n'));
  const port = await freePort();
  run(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o', `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c ssl=on -c fsync=off`, 'start']);
  return {
    port,
    superuser,
    stop() {
      try {
        run(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
