// A stand-in for Vault's HTTP API on 127.0.0.1, over real TLS with a throwaway CA made by openssl.
// It implements exactly the endpoints the bootstrap calls, with bodies as Vault's API docs give them:
//   sys/seal-status   https://developer.hashicorp.com/vault/api-docs/system/seal-status
//   sys/init          https://developer.hashicorp.com/vault/api-docs/system/init
//   sys/audit         https://developer.hashicorp.com/vault/api-docs/system/audit
//   sys/auth          https://developer.hashicorp.com/vault/api-docs/system/auth
//   sys/mounts        https://developer.hashicorp.com/vault/api-docs/system/mounts
//   sys/policies/acl  https://developer.hashicorp.com/vault/api-docs/system/policies
//   sys/storage/raft  https://developer.hashicorp.com/vault/api-docs/system/storage/raft (configuration)
//   sys/storage/raft/autopilot  https://developer.hashicorp.com/vault/api-docs/system/storage/raftautopilot
//   auth/aws          https://developer.hashicorp.com/vault/api-docs/auth/aws (config/client, role, login)
//   database          https://developer.hashicorp.com/vault/api-docs/secret/databases (config, rotate-root, roles)
//   auth/token        https://developer.hashicorp.com/vault/api-docs/auth/token (revoke-self)
// Errors are Vault's shape: a 4xx/5xx status and {"errors": ["..."]}.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';

export interface TestPki {
  readonly dir: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** A second CA that did not issue the server certificate. */
  readonly otherCa: string;
}

/** A CA and a server certificate for `serverName` (SAN), made with the system's openssl. */
export function makePki(serverName: string): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-mock-vault-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  for (const ca of ['ca', 'other']) run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '2', '-subj', `/CN=cellkit test ${ca}`);
  run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${serverName}`);
  fs.writeFileSync(path.join(dir, 'ext.cnf'), `subjectAltName=DNS:${serverName}\n`);
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf');
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  return { dir, ca: read('ca.crt'), cert: read('server.crt'), key: read('server.key'), otherCa: read('other.crt') };
}

export interface MockRequest {
  readonly method: string;
  readonly path: string;
  readonly token?: string;
  readonly body: any;
}

export class MockVault {
  initialized = false;
  sealed = true;
  readonly tokens = new Map<string, string>();
  readonly audits = new Map<string, any>();
  readonly auths = new Map<string, any>([['token/', { type: 'token' }]]);
  readonly mounts = new Map<string, any>([['sys/', { type: 'system' }], ['secret/', { type: 'kv' }]]);
  readonly policies = new Map<string, string>();
  readonly awsRoles = new Map<string, any>();
  awsClientConfig: any;
  autopilot: any;
  dbConfig: any;
  rootRotated = false;
  readonly dbRoles = new Map<string, any>();
  /** KV v2 entries by `<mount>/<path>`: the versions written, newest last. */
  readonly kv = new Map<string, any[]>();
  voters = ['i-0a', 'i-0b', 'i-0c'];
  readonly requests: MockRequest[] = [];
  /** `METHOD path` -> a Vault error answer. */
  readonly failures = new Map<string, { status: number; errors: string[] }>();
  readonly rootToken = 'hvs.ROOT-never-stored-0123456789';
  readonly recoveryShares = ['wcBMA-share-1', 'wcBMA-share-2', 'wcBMA-share-3'];
  private server?: https.Server;

  constructor(private readonly pki: TestPki) {}

  /** Vault as a previous deploy left it: initialised, unsealed and configured. */
  configured(): this {
    this.initialized = true;
    this.sealed = false;
    this.audits.set('file/', { type: 'file' }).set('syslog/', { type: 'syslog' });
    this.auths.set('aws/', { type: 'aws' });
    this.awsRoles.set('cellkit-bootstrap', { bound_iam_principal_arn: ['arn:aws:iam::123456789012:role/bootstrap'] });
    for (const m of ['git-ssh/', 'integrations/']) this.mounts.set(m, { type: 'kv', options: { version: '2' } });
    this.mounts.set('database/', { type: 'database' });
    this.dbConfig = { plugin_name: 'postgresql-database-plugin' };
    this.rootRotated = true;
    return this;
  }

  async start(): Promise<string> {
    this.server = https.createServer({ cert: this.pki.cert, key: this.pki.key, minVersion: 'TLSv1.2' }, (req, res) => {
      const chunks: Uint8Array[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const r: MockRequest = { method: req.method!, path: req.url!.replace(/^\/v1\//, '').replace(/\?.*$/, ''), token: req.headers['x-vault-token'] as string | undefined, body: raw ? JSON.parse(raw) : undefined };
        this.requests.push(r);
        const { status, body } = this.answer(r);
        res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private answer(r: MockRequest): { status: number; body?: unknown } {
    const fail = this.failures.get(`${r.method} ${r.path}`);
    if (fail) return { status: fail.status, body: { errors: fail.errors } };
    const err = (status: number, ...errors: string[]) => ({ status, body: { errors } });
    const write = r.method === 'POST' || r.method === 'PUT';
    if (r.method === 'GET' && r.path === 'sys/seal-status') {
      return { status: 200, body: { type: 'awskms', initialized: this.initialized, sealed: this.sealed, t: 1, n: 1, progress: 0, nonce: '', version: '1.18.3', recovery_seal: true, storage_type: 'raft' } };
    }
    if (write && r.path === 'sys/init') {
      if (this.initialized) return err(400, 'Vault is already initialized');
      const keys = r.body.recovery_pgp_keys ?? [];
      if (r.body.recovery_shares !== keys.length) return err(400, 'incorrect number of PGP keys for recovery');
      if (!(r.body.recovery_threshold >= 1 && r.body.recovery_threshold <= r.body.recovery_shares)) return err(400, 'invalid recovery threshold');
      this.initialized = true;
      this.sealed = false;
      this.tokens.set(this.rootToken, 'root');
      return {
        status: 200,
        body: { keys: [], keys_base64: [], recovery_keys: this.recoveryShares, recovery_keys_base64: this.recoveryShares, root_token: this.rootToken },
      };
    }
    if (write && r.path === 'auth/aws/login') {
      const role = this.awsRoles.get(r.body.role);
      if (!this.auths.has('aws/') || !role) return err(400, `entry for role ${r.body.role} not found`);
      const headers = JSON.parse(Buffer.from(r.body.iam_request_headers, 'base64').toString('utf8'));
      const ok = r.body.iam_http_request_method === 'POST' && /^AWS4-HMAC-SHA256 Credential=/.test(headers.authorization?.[0]) && headers['x-vault-aws-iam-server-id']?.length === 1;
      if (!ok) return err(400, 'error making upstream request: invalid signed request');
      const token = `hvs.aws-${this.tokens.size}`;
      this.tokens.set(token, r.body.role);
      return { status: 200, body: { auth: { client_token: token, policies: [r.body.role], lease_duration: 900, renewable: true } } };
    }
    if (this.sealed) return err(503, 'Vault is sealed');
    if (!r.token || !this.tokens.has(r.token)) return err(403, 'permission denied');
    const map = (m: Map<string, any>) => ({ status: 200, body: { ...Object.fromEntries(m), data: Object.fromEntries(m) } });
    const enable = (m: Map<string, any>, name: string) => {
      if (m.has(`${name}/`)) return err(400, `path is already in use at ${name}/`);
      m.set(`${name}/`, r.body);
      return { status: 204 };
    };
    let m: RegExpMatchArray | null;
    if (r.method === 'GET' && r.path === 'sys/audit') return map(this.audits);
    if (write && (m = r.path.match(/^sys\/audit\/(.+)$/))) return enable(this.audits, m[1]);
    if (r.method === 'GET' && r.path === 'sys/auth') return map(this.auths);
    if (write && (m = r.path.match(/^sys\/auth\/(.+)$/))) return enable(this.auths, m[1]);
    if (r.method === 'GET' && r.path === 'sys/mounts') return map(this.mounts);
    if (write && (m = r.path.match(/^sys\/mounts\/(.+)$/))) return enable(this.mounts, m[1]);
    if (r.method === 'PUT' && (m = r.path.match(/^sys\/policies\/acl\/(.+)$/))) {
      this.policies.set(m[1], r.body.policy);
      return { status: 204 };
    }
    if (write && r.path === 'auth/aws/config/client') {
      this.awsClientConfig = r.body;
      return { status: 204 };
    }
    if (write && (m = r.path.match(/^auth\/aws\/role\/(.+)$/))) {
      this.awsRoles.set(m[1], r.body);
      return { status: 204 };
    }
    if (write && r.path === 'sys/storage/raft/autopilot/configuration') {
      this.autopilot = r.body;
      return { status: 204 };
    }
    if (r.method === 'GET' && r.path === 'database/config/company') return this.dbConfig ? { status: 200, body: { data: { plugin_name: this.dbConfig.plugin_name } } } : err(404);
    if (write && r.path === 'database/config/company') {
      this.dbConfig = r.body;
      return { status: 204 };
    }
    if (write && r.path === 'database/rotate-root/company') {
      if (!this.dbConfig) return err(400, 'failed to find entry for connection with name: "company"');
      this.rootRotated = true;
      return { status: 204 };
    }
    if (write && (m = r.path.match(/^database\/roles\/(.+)$/))) {
      this.dbRoles.set(m[1], r.body);
      return { status: 204 };
    }
    // KV v2 (api-docs/secret/kv/kv-v2): GET and POST/PUT /:mount/data/:path on a mounted version-2 KV engine.
    if ((m = r.path.match(/^([^/]+)\/data\/(.+)$/)) && this.mounts.get(`${m[1]}/`)?.options?.version === '2') {
      const key = `${m[1]}/${m[2]}`;
      const versions = this.kv.get(key) ?? [];
      if (r.method === 'GET') {
        if (!versions.length) return err(404);
        return { status: 200, body: { data: { data: versions[versions.length - 1], metadata: { version: versions.length, destroyed: false } } } };
      }
      if (write) {
        if (!r.body?.data || typeof r.body.data !== 'object') return err(400, 'no data provided');
        this.kv.set(key, [...versions, r.body.data]);
        return { status: 200, body: { data: { version: versions.length + 1, destroyed: false, deletion_time: '' } } };
      }
    }
    if (r.method === 'GET' && r.path === 'sys/storage/raft/configuration') {
      const servers = this.voters.map((id, i) => ({ node_id: id, address: `10.0.0.${i + 1}:8201`, leader: i === 0, protocol_version: '3', voter: true }));
      return { status: 200, body: { data: { config: { servers, index: 0 } } } };
    }
    if (write && r.path === 'auth/token/revoke-self') {
      this.tokens.delete(r.token);
      return { status: 204 };
    }
    return err(404, `no handler for route "${r.path}"`);
  }
}
