// A minimal client for Vault's HTTP API (https://developer.hashicorp.com/vault/api-docs), over TLS
// verified against the cell's own CA and the Vault certificate's name. One kept-alive connection:
// behind the NLB every request of one bootstrap then reaches the same Vault server.
import * as https from 'https';

/** Vault answered with an error status; the message carries Vault's own `errors`. */
export class VaultError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly errors: readonly string[],
  ) {
    super(`Vault ${method} /v1/${path} answered ${status}: ${errors.length ? errors.join('; ') : '(no error message)'}`);
  }
}

/** Vault could not be reached (connection refused, reset, timed out): worth retrying. */
export class VaultUnreachable extends Error {}

export interface VaultClientOptions {
  /** The load balancer's name and port, https://internal-vault-<id>.elb.<region>.amazonaws.com:8200 */
  readonly address: string;
  /** PEM of the CA that issued Vault's server certificate. */
  readonly ca: string;
  /** Name in Vault's certificate (the NLB's DNS name is not in it). */
  readonly serverName: string;
  /** @default 10000 */
  readonly requestTimeoutMs?: number;
}

export type Json = Record<string, unknown>;

export class VaultClient {
  private readonly agent: https.Agent;
  private readonly base: URL;

  constructor(private readonly options: VaultClientOptions) {
    this.base = new URL(options.address);
    if (this.base.protocol !== 'https:') throw new Error(`Vault address must use https; got ${options.address}`);
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: options.ca, servername: options.serverName, minVersion: 'TLSv1.2' });
  }

  /** GET; `undefined` when Vault answers 404 (path not configured yet). */
  async read(path: string, token?: string): Promise<Json | undefined> {
    try {
      return await this.request('GET', path, undefined, token);
    } catch (e) {
      if (e instanceof VaultError && e.status === 404) return undefined;
      throw e;
    }
  }

  write(path: string, body: Json, token?: string): Promise<Json> {
    return this.request('POST', path, body, token);
  }

  close(): void {
    this.agent.destroy();
  }

  request(method: 'GET' | 'POST' | 'PUT', path: string, body?: Json, token?: string): Promise<Json> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = {};
    if (token) headers['X-Vault-Token'] = token;
    if (text !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(text));
    }
    return new Promise((resolve, reject) => {
      const req = https.request(
        { protocol: 'https:', hostname: this.base.hostname, port: this.base.port || 443, path: `/v1/${path}`, method, headers, agent: this.agent, timeout: this.options.requestTimeoutMs ?? 10_000 },
        (res) => {
          const chunks: Uint8Array[] = [];
          res.on('data', (c: Uint8Array) => chunks.push(c));
          res.on('error', (e) => reject(new VaultUnreachable(`Vault ${method} /v1/${path}: ${e.message}`)));
          res.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            let parsed: Json = {};
            try {
              parsed = raw ? (JSON.parse(raw) as Json) : {};
            } catch {
              parsed = { errors: [raw.slice(0, 500)] };
            }
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve(parsed);
            else reject(new VaultError(method, path, status, Array.isArray(parsed.errors) ? parsed.errors.map(String) : []));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.options.requestTimeoutMs ?? 10_000} ms`)));
      req.on('error', (e: NodeJS.ErrnoException) => {
        // A certificate Vault's CA did not issue, or a wrong name, will not fix itself: fail at once.
        if (e.code && /CERT|SELF_SIGNED|ERR_TLS_CERT_ALTNAME_INVALID|UNABLE_TO_VERIFY/.test(e.code)) reject(new Error(`Vault at ${this.options.address} failed TLS verification against the cell CA (${e.code}): ${e.message}`));
        else reject(new VaultUnreachable(`Vault ${method} /v1/${path}: ${e.message}`));
      });
      req.end(text);
    });
  }
}
