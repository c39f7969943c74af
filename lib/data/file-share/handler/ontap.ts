// A small client for the ONTAP REST API on an FSx for ONTAP management endpoint (runs in Lambda).
//
// References (NetApp, "ONTAP REST API reference", docs.netapp.com/us-en/ontap-restapi/):
// - errors: a failed call answers 4xx/5xx with `{"error": {"message": "...", "code": "...", "target": "..."}}`;
// - asynchronous calls answer `202 Accepted` with `{"job": {"uuid": "...", "_links": {"self": {"href": "/api/cluster/jobs/<uuid>"}}}}`;
//   `GET /api/cluster/jobs/{uuid}` answers `{"uuid", "state": "queued|running|paused|success|failure", "message", "code"}`.
// - authentication: HTTP Basic with an ONTAP account (FSx: `fsxadmin`, AWS FSx for ONTAP user guide,
//   "Managing file systems with the ONTAP CLI and REST API", https://docs.aws.amazon.com/fsx/latest/ONTAPGuide/managing-resources-ontap-apps.html).
// TLS: FSx's management endpoint presents ONTAP's self-signed certificate, which no CA vouches for and whose
// fingerprint is unknown before the file system exists. The client therefore encrypts but does not verify the
// server, as AWS's own example does (`curl -k`, AWS re:Post knowledge center "fsx-ontap-rest-apis"); see
// docs/file-share.md, "TLS to the management endpoint": the endpoint is reachable only inside the cell's VPC.
import * as https from 'https';

export interface OntapConnection {
  /** Management endpoint host (DNS name or IP), optionally `host:port`. */
  readonly host: string;
  readonly username: string;
  readonly password: string;
  /** Per-request timeout. */
  readonly timeoutMs: number;
  /** How often an asynchronous job is polled. */
  readonly jobPollMs: number;
  /** How long an asynchronous job may run. */
  readonly jobTimeoutMs: number;
}

/** A failed ONTAP call: its method, path (no query) and ONTAP's own message. */
export class OntapError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number | undefined,
    readonly ontapMessage: string,
    readonly code?: string,
  ) {
    super(`ONTAP ${method} ${path.split('?')[0]} failed${status ? ` (HTTP ${status})` : ''}: ${ontapMessage}${code ? ` [code ${code}]` : ''}`);
    this.name = 'OntapError';
  }
}

export interface OntapRecords<T> {
  readonly records: T[];
  readonly num_records: number;
}

interface Response {
  readonly status: number;
  readonly body: Record<string, unknown> | undefined;
}

const JOB_DONE = new Set(['success', 'failure']);

export class OntapClient {
  constructor(private readonly conn: OntapConnection) {}

  async get<T>(path: string): Promise<T> {
    return (await this.call('GET', path)).body as T;
  }

  /** GET on a collection: its records. */
  async list<T>(path: string): Promise<T[]> {
    return (await this.get<OntapRecords<T>>(path))?.records ?? [];
  }

  /** POST, PATCH or DELETE; waits for the job when ONTAP answers 202. */
  async change(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<void> {
    const response = await this.call(method, path, body);
    const job = (response.body?.job as { uuid?: string } | undefined)?.uuid;
    if (response.status === 202 && job) await this.waitForJob(method, path, job);
  }

  private async waitForJob(method: string, path: string, uuid: string): Promise<void> {
    const deadline = Date.now() + this.conn.jobTimeoutMs;
    for (;;) {
      const job = await this.get<{ state?: string; message?: string; code?: number | string }>(`/api/cluster/jobs/${encodeURIComponent(uuid)}?fields=state,message,code`);
      if (job?.state === 'success') return;
      if (job?.state === 'failure') throw new OntapError(method, path, undefined, `job ${uuid} failed: ${job.message ?? '(no message)'}`, job.code === undefined ? undefined : String(job.code));
      if (!JOB_DONE.has(job?.state ?? '') && Date.now() + this.conn.jobPollMs > deadline) {
        throw new OntapError(method, path, undefined, `job ${uuid} still ${job?.state ?? 'unknown'} after ${this.conn.jobTimeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, this.conn.jobPollMs));
    }
  }

  private call(method: string, path: string, body?: unknown): Promise<Response> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const [hostname, port] = splitHost(this.conn.host);
    return new Promise<Response>((resolve, reject) => {
      const req = https.request(
        {
          hostname,
          port,
          path,
          method,
          auth: `${this.conn.username}:${this.conn.password}`,
          rejectUnauthorized: false, // ONTAP's self-signed certificate: see the header comment
          headers: { accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
        },
        (res) => {
          const chunks: Uint8Array[] = [];
          res.on('data', (c: Uint8Array) => chunks.push(c));
          res.on('error', (e) => reject(new OntapError(method, path, res.statusCode, `response interrupted: ${e.message}`)));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: Record<string, unknown> | undefined;
            try {
              parsed = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
            } catch {
              parsed = undefined;
            }
            if (status >= 200 && status < 300) return resolve({ status, body: parsed });
            const error = parsed?.error as { message?: string; code?: string } | undefined;
            const fallback = status === 401 ? `authentication failed for ONTAP user "${this.conn.username}" (wrong password or user?)` : text.slice(0, 200) || res.statusMessage || 'no message';
            reject(new OntapError(method, path, status, error?.message ?? fallback, error?.code));
          });
        },
      );
      req.setTimeout(this.conn.timeoutMs, () => req.destroy(new Error(`no answer within ${this.conn.timeoutMs} ms`)));
      req.on('error', (e) => reject(e instanceof OntapError ? e : new OntapError(method, path, undefined, `cannot reach ${this.conn.host}: ${e.message}`)));
      req.end(payload);
    });
  }
}

function splitHost(host: string): [string, number] {
  const m = /^(.*):(\d+)$/.exec(host);
  return m ? [m[1], Number(m[2])] : [host, 443];
}

/** `encodeURIComponent` for names inside a path or query (`BUILTIN\Administrators`, `CELLKIT\git-service`). */
export const enc = encodeURIComponent;
