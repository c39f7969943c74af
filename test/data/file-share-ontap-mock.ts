// A stand-in for the ONTAP REST API of an FSx for ONTAP management endpoint, on 127.0.0.1 over HTTPS with a
// self-signed certificate (as ONTAP's). ONTAP cannot run here; this server implements exactly the endpoints
// the SMB share handler calls, nothing more, with request and response bodies shaped as in NetApp's
// "ONTAP REST API reference" (docs.netapp.com/us-en/ontap-restapi/, and the netapp_ontap client library's
// resources generated from it: svm, volume, cifs_service, cifs_local_user, cifs_share, cifs_share_acl,
// export_policy, job):
//   GET    /api/svm/svms?name=                               -> {records: [{uuid, name}], num_records}
//   GET    /api/storage/volumes?svm.uuid=&name=              -> {records: [{uuid, name, nas: {export_policy: {name}}}]}
//   PATCH  /api/storage/volumes/{uuid}  {nas: {export_policy: {name}}}                 -> 202 {job}
//   GET    /api/protocols/cifs/services?svm.uuid=            -> {records: [{svm, name, workgroup, security}]}
//   POST   /api/protocols/cifs/services {svm, name, workgroup, enabled, security}     -> 202 {job}
//   PATCH  /api/protocols/cifs/services/{svm.uuid} {security}                          -> 202 {job}
//   GET    /api/private/cli/vserver/cifs/options?vserver=    -> {records: [{vserver, smb1_enabled, guest_unix_user?}]}
//   PATCH  /api/private/cli/vserver/cifs/options?vserver= {smb1_enabled}               -> 200 {num_records}
//   GET    /api/protocols/cifs/local-users?svm.uuid=&name=   -> {records: [{svm, sid, name, account_disabled}]}
//   POST   /api/protocols/cifs/local-users {svm, name, password, ...}                  -> 201
//   PATCH  /api/protocols/cifs/local-users/{svm.uuid}/{sid} {password | account_disabled} -> 200
//   GET    /api/protocols/cifs/shares?svm.uuid=&name=        -> {records: [{svm, name, path, encryption}]}
//   POST   /api/protocols/cifs/shares {svm, name, path, encryption, acls}              -> 201
//   PATCH  /api/protocols/cifs/shares/{svm.uuid}/{name} {encryption}                   -> 200
//   GET    /api/protocols/cifs/shares/{svm.uuid}/{name}/acls -> {records: [{user_or_group, type, permission}]}
//   POST   /api/protocols/cifs/shares/{svm.uuid}/{name}/acls {user_or_group, type, permission} -> 201
//   DELETE /api/protocols/cifs/shares/{svm.uuid}/{name}/acls/{user_or_group}/{type}   -> 200
//   GET    /api/protocols/nfs/export-policies?svm.uuid=&name= -> {records: [{id, name, rules}]}
//   POST   /api/protocols/nfs/export-policies {name, svm}    -> 201
//   GET    /api/cluster/jobs/{uuid}                          -> {uuid, state, message, code}
// Errors: `{"error": {"message", "code"}}` with a 4xx status; 401 for wrong credentials.
// As the reference says, "When a CIFS share is created, ONTAP creates a default ACL for this share with
// 'Full-Control' permissions for an 'Everyone' user": the mock adds that entry to every new share.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';

export interface Acl {
  user_or_group: string;
  type: string;
  permission: string;
}

export interface OntapState {
  svm: { uuid: string; name: string };
  volume: { uuid: string; name: string; exportPolicy: string };
  cifs?: { name: string; workgroup?: string; ad_domain?: { fqdn: string }; security: { smb_encryption: boolean; restrict_anonymous: string } };
  cifsOptions: { smb1_enabled: boolean; guest_unix_user?: string };
  users: { sid: string; name: string; password: string; account_disabled: boolean }[];
  shares: { name: string; path: string; encryption: boolean; acls: Acl[] }[];
  exportPolicies: { id: number; name: string; rules: unknown[] }[];
}

export interface Request {
  readonly method: string;
  readonly path: string;
  readonly body: Record<string, unknown> | undefined;
}

export interface MockOptions {
  readonly username: string;
  readonly password: string;
  /** `METHOD /path` (no query) answered with a 400 error. */
  failOn?: string;
  /** `METHOD /path` whose job ends in state `failure`. */
  failJob?: string;
  /** `METHOD /path` that never answers. */
  hang?: string;
}

let certDir: string | undefined;
/** A self-signed certificate made with openssl, like ONTAP's default management certificate. */
function selfSigned(): { key: Buffer; cert: Buffer } {
  if (!certDir) {
    certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-ontap-mock-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=management.fs-0123456789abcdef0.fsx.local', '-keyout', path.join(certDir, 'key.pem'), '-out', path.join(certDir, 'cert.pem')], { stdio: 'ignore' });
  }
  return { key: fs.readFileSync(path.join(certDir, 'key.pem')), cert: fs.readFileSync(path.join(certDir, 'cert.pem')) };
}

export function freshState(): OntapState {
  return {
    svm: { uuid: '02c9e252-41be-11e9-81d5-00a0986138f7', name: 'cellkit' },
    volume: { uuid: '028baa66-41bd-11e9-81d5-00a0986138f7', name: 'git', exportPolicy: 'default' },
    cifsOptions: { smb1_enabled: false },
    users: [],
    shares: [],
    exportPolicies: [{ id: 8589934593, name: 'default', rules: [{ index: 1, clients: [{ match: '0.0.0.0/0' }] }] }],
  };
}

export class OntapMock {
  readonly requests: Request[] = [];
  readonly state: OntapState = freshState();
  private server?: https.Server;
  private jobs = new Map<string, { state: string; message: string; code: number }>();
  private nextJob = 0;
  private nextSid = 1001;

  constructor(readonly options: MockOptions) {}

  async start(): Promise<string> {
    this.server = https.createServer(selfSigned(), (req, res) => {
      const chunks: Uint8Array[] = [];
      req.on('data', (c: Uint8Array) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
        const url = new URL(req.url ?? '/', 'https://mock');
        const method = req.method ?? 'GET';
        this.requests.push({ method, path: req.url ?? '', body });
        const key = `${method} ${decodeURIComponent(url.pathname)}`;
        if (this.options.hang === key) return; // never answers
        const auth = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8');
        if (auth !== `${this.options.username}:${this.options.password}`) {
          return send(res, 401, { error: { message: 'User is not authorized.', code: '6' } });
        }
        if (this.options.failOn === key) return send(res, 400, { error: { message: `mock ONTAP refused ${key}`, code: '262179', target: 'name' } });
        try {
          const [status, out] = this.route(method, url, body, key);
          send(res, status, out);
        } catch (e) {
          send(res, 404, { error: { message: (e as Error).message, code: '4' } });
        }
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  /** Requests other than GET: what the handler changed. */
  get changes(): string[] {
    return this.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${decodeURIComponent(r.path)}`);
  }

  private job(key: string): [number, unknown] {
    const uuid = `job-${++this.nextJob}`;
    const failed = this.options.failJob === key;
    this.jobs.set(uuid, { state: failed ? 'failure' : 'success', message: failed ? `mock ONTAP job for ${key} failed` : 'success', code: failed ? 2621706 : 0 });
    return [202, { job: { uuid, _links: { self: { href: `/api/cluster/jobs/${uuid}` } } } }];
  }

  private route(method: string, url: URL, body: Record<string, unknown> | undefined, key: string): [number, unknown] {
    const s = this.state;
    const q = (k: string) => url.searchParams.get(k);
    const p = decodeURIComponent(url.pathname).split('/').slice(1); // ['api', ...]
    const records = (r: unknown[]) => [200, { records: r, num_records: r.length }] as [number, unknown];
    const svmOk = (uuid: string | null) => uuid === s.svm.uuid;
    const svmRef = { uuid: s.svm.uuid, name: s.svm.name };
    const route = p.slice(1).join('/');

    if (method === 'GET' && route.startsWith('cluster/jobs/')) {
      const job = this.jobs.get(p[3]);
      if (!job) throw new Error(`job ${p[3]} not found`);
      return [200, { uuid: p[3], ...job }];
    }
    if (method === 'GET' && route === 'svm/svms') return records(q('name') === s.svm.name ? [svmRef] : []);
    if (route === 'storage/volumes' && method === 'GET') {
      return records(svmOk(q('svm.uuid')) && q('name') === s.volume.name ? [{ uuid: s.volume.uuid, name: s.volume.name, nas: { export_policy: { name: s.volume.exportPolicy } } }] : []);
    }
    if (method === 'PATCH' && route === `storage/volumes/${s.volume.uuid}`) {
      const name = (body?.nas as { export_policy?: { name?: string } })?.export_policy?.name;
      if (!name || !s.exportPolicies.some((e) => e.name === name)) throw new Error(`export policy ${name} not found`);
      const out = this.job(key);
      if (this.options.failJob !== key) s.volume.exportPolicy = name;
      return out;
    }
    if (route === 'protocols/cifs/services') {
      if (method === 'GET') return records(svmOk(q('svm.uuid')) && s.cifs ? [{ svm: svmRef, ...s.cifs }] : []);
      if (method === 'POST') {
        const b = body as {
          svm: { uuid: string }; name: string; workgroup: string; security?: Partial<{ smb_encryption: boolean; restrict_anonymous: string }>;
        };
        const out = this.job(key);
        if (this.options.failJob !== key) s.cifs = { name: b.name.toUpperCase(), workgroup: b.workgroup.toUpperCase(), security: { smb_encryption: false, restrict_anonymous: 'no_enumeration', ...b.security } };
        return out;
      }
    }
    if (method === 'PATCH' && route === `protocols/cifs/services/${s.svm.uuid}` && s.cifs) {
      s.cifs.security = { ...s.cifs.security, ...(body?.security as object) };
      return this.job(key);
    }
    if (route === 'private/cli/vserver/cifs/options' && q('vserver') === s.svm.name) {
      if (method === 'GET') return records([{ vserver: s.svm.name, ...s.cifsOptions }]);
      if (method === 'PATCH') {
        Object.assign(s.cifsOptions, body);
        return [200, { num_records: 1 }];
      }
    }
    if (route === 'protocols/cifs/local-users') {
      if (method === 'GET') return records(s.users.filter((u) => svmOk(q('svm.uuid')) && u.name.toLowerCase() === q('name')?.toLowerCase()).map(({ password: _pw, ...u }) => ({ svm: svmRef, ...u })));
      if (method === 'POST') {
        const b = body as { name: string; password: string; account_disabled?: boolean };
        if (s.users.some((u) => u.name.toLowerCase() === b.name.toLowerCase())) return [409, { error: { message: `duplicate entry: user ${b.name}`, code: '1' } }];
        s.users.push({ sid: `S-1-5-21-256008430-3394229847-3930036330-${this.nextSid++}`, name: b.name, password: b.password, account_disabled: b.account_disabled ?? false });
        return [201, {}];
      }
    }
    if (method === 'PATCH' && p[1] === 'protocols' && p[3] === 'local-users' && svmOk(p[4])) {
      const user = s.users.find((u) => u.sid === p[5]);
      if (!user) throw new Error(`local user ${p[5]} not found`);
      Object.assign(user, body);
      return [200, {}];
    }
    if (route === 'protocols/cifs/shares') {
      if (method === 'GET') return records(s.shares.filter((x) => svmOk(q('svm.uuid')) && x.name === q('name')).map(({ acls: _a, ...x }) => ({ svm: svmRef, ...x })));
      if (method === 'POST') {
        const b = body as { name: string; path: string; encryption?: boolean; acls?: Acl[] };
        s.shares.push({ name: b.name, path: b.path, encryption: b.encryption ?? false, acls: [{ user_or_group: 'Everyone', type: 'windows', permission: 'full_control' }, ...(b.acls ?? [])] });
        return [201, {}];
      }
    }
    if (p[1] === 'protocols' && p[3] === 'shares' && svmOk(p[4])) {
      const share = s.shares.find((x) => x.name === p[5]);
      if (!share) throw new Error(`share ${p[5]} not found`);
      if (p.length === 6 && method === 'PATCH') return (Object.assign(share, body), [200, {}]);
      if (p[6] === 'acls' && p.length === 7 && method === 'GET') return records(share.acls);
      if (p[6] === 'acls' && p.length === 7 && method === 'POST') return (share.acls.push(body as unknown as Acl), [201, {}]);
      if (p[6] === 'acls' && p.length === 9 && method === 'DELETE') {
        share.acls = share.acls.filter((a) => !(a.user_or_group === p[7] && a.type === p[8]));
        return [200, {}];
      }
    }
    if (route === 'protocols/nfs/export-policies') {
      if (method === 'GET') return records(s.exportPolicies.filter((e) => svmOk(q('svm.uuid')) && e.name === q('name')));
      if (method === 'POST') {
        const b = body as { name: string; rules?: unknown[] };
        s.exportPolicies.push({ id: 8589934594 + s.exportPolicies.length, name: b.name, rules: b.rules ?? [] });
        return [201, {}];
      }
    }
    throw new Error(`the mock does not implement ${method} ${url.pathname}`);
  }
}

function send(res: import('http').ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/hal+json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
