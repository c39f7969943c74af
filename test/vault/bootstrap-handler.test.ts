// The bootstrap Lambda against a local Vault stand-in (mock-vault.ts: Vault's HTTP API on
// 127.0.0.1 over real, verified TLS). Vault itself cannot run here.
import * as fs from 'fs';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';
import { BootstrapProperties, HandlerDeps, makeHandler } from '../../lib/vault/bootstrap/handler';
import { awsIamLoginBody } from '../../lib/vault/bootstrap/handler/aws-login';
import { VaultClient } from '../../lib/vault/bootstrap/handler/vault-client';
import { DB_STATEMENTS, VAULT_POLICIES } from '../../lib/vault/bootstrap/vault-plan';
import { EXAMPLE_PGP_KEYS } from '../fixtures';
import { MockVault, TestPki, makePki } from './mock-vault';

const SERVER_NAME = 'vault.acme.cellkit.internal';
const TLS_ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:/cellkit/acme/vault/tls';
const RECOVERY_ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:/cellkit/acme/vault/recovery-keys';
const MASTER_ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:master';
const MASTER = { username: 'cellkit_k3x9q2ab', password: 'master-password-from-secrets-manager' };

let pki: TestPki;
beforeAll(() => {
  pki = makePki(SERVER_NAME);
});
afterAll(() => fs.rmSync(pki.dir, { recursive: true, force: true }));

function props(address: string, overrides: Partial<BootstrapProperties> = {}): BootstrapProperties {
  return {
    TenantId: 'acme',
    Region: 'eu-west-2',
    VaultAddress: address,
    TlsServerName: SERVER_NAME,
    TlsSecretArn: TLS_ARN,
    RecoverySecretArn: RECOVERY_ARN,
    RecoveryPgpKeys: EXAMPLE_PGP_KEYS,
    RecoveryThreshold: '2',
    Nodes: '3',
    AuditLogPath: '/var/log/vault/audit.log',
    RoleArns: { Application: 'arn:aws:iam::123456789012:role/app', Operator: 'arn:aws:iam::123456789012:role/ops', VaultServers: 'arn:aws:iam::123456789012:role/vault', Bootstrap: 'arn:aws:iam::123456789012:role/bootstrap' },
    Database: { Hostname: 'db.internal', Port: '5432', Name: 'company', MasterSecretArn: MASTER_ARN },
    ...overrides,
  };
}

interface Run {
  readonly response: CloudFormationCustomResourceResponse;
  readonly secretsWritten: Array<[string, string]>;
  readonly logs: string[];
}

const SMB_ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:cellkit/acme/file-share/smb-user';
const SMB = { username: 'git-service', domain: 'CELLKIT', share: 'git', password: 'smb-password-Zq81' };

async function run(
  p: BootstrapProperties,
  opts: { type?: 'Create' | 'Update' | 'Delete'; tls?: unknown; budgetMs?: number; putFails?: boolean; smb?: unknown } = {},
): Promise<Run> {
  const secretsWritten: Array<[string, string]> = [];
  const logs: string[] = [];
  let response: CloudFormationCustomResourceResponse | undefined;
  const secrets: Record<string, string | undefined> = { [TLS_ARN]: JSON.stringify(opts.tls ?? { certificate: pki.cert, private_key: 'not read', ca: pki.ca }), [MASTER_ARN]: JSON.stringify(MASTER), [SMB_ARN]: JSON.stringify(opts.smb ?? SMB) };
  const deps: HandlerDeps = {
    getSecretString: async (arn) => secrets[arn],
    putSecretString: async (arn, value) => {
      if (opts.putFails) throw new Error('AccessDeniedException: not authorized');
      secretsWritten.push([arn, value]);
    },
    vault: (o) => new VaultClient({ ...o, requestTimeoutMs: 2_000 }),
    awsLoginBody: ({ role, serverId, region }) => awsIamLoginBody({ role, serverId, region, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session' } }),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => Date.now(),
    log: (m) => logs.push(m),
    pollMs: 20,
    reserveMs: 0,
    respond: async (_url, body) => {
      response = body;
    },
  };
  const event = {
    RequestType: opts.type ?? 'Create',
    ResponseURL: 'https://cloudformation-custom-resource-response.example/',
    StackId: 'stack',
    RequestId: 'req',
    LogicalResourceId: 'VaultBootstrap',
    ResourceType: 'Custom::CellkitVaultBootstrap',
    ServiceToken: 'arn',
    PhysicalResourceId: 'cellkit-vault-bootstrap-acme',
    ResourceProperties: { ServiceToken: 'arn', ...p },
  } as unknown as CloudFormationCustomResourceEvent;
  await makeHandler(deps)(event, { getRemainingTimeInMillis: () => opts.budgetMs ?? 5_000 });
  return { response: response!, secretsWritten, logs };
}

describe('against a Vault stand-in', () => {
  let vault: MockVault;
  let address: string;
  beforeEach(async () => {
    vault = new MockVault(pki);
    address = await vault.start();
  });
  afterEach(() => vault.stop());
  const calls = () => vault.requests.map((r) => `${r.method} ${r.path}`);

  test('fresh Vault: init with the PGP keys, shares stored, everything configured, root token revoked and never written', async () => {
    const { response, secretsWritten, logs } = await run(props(address));
    expect(response.Status).toBe('SUCCESS');
    expect(response.Reason).toContain('initialised and configured; 3 Raft voters');
    const init = vault.requests.find((r) => r.path === 'sys/init')!;
    expect(init.body).toEqual({ recovery_shares: 3, recovery_threshold: 2, recovery_pgp_keys: EXAMPLE_PGP_KEYS });
    expect(secretsWritten).toHaveLength(1);
    expect(secretsWritten[0][0]).toBe(RECOVERY_ARN);
    expect(JSON.parse(secretsWritten[0][1])).toEqual(
      expect.objectContaining({ recovery_keys_b64: vault.recoveryShares, recovery_keys_shares: 3, recovery_keys_threshold: 2 }),
    );
    // The root token: used, revoked as the very last call, and in no output.
    expect(calls().at(-1)).toBe('POST auth/token/revoke-self');
    expect(vault.requests.at(-1)!.token).toBe(vault.rootToken);
    expect(vault.tokens.size).toBe(0);
    expect(JSON.stringify({ response, secretsWritten, logs })).not.toContain(vault.rootToken);
    expect(JSON.stringify({ response, secretsWritten, logs })).not.toContain(MASTER.password);
    // Configuration.
    expect([...vault.audits.keys()]).toEqual(['file/', 'syslog/']);
    expect(vault.audits.get('file/')).toEqual({ type: 'file', options: { file_path: '/var/log/vault/audit.log' } });
    expect(vault.mounts.get('git-ssh/')).toEqual({ type: 'kv', options: { version: '2' } });
    expect(vault.mounts.get('integrations/')).toEqual({ type: 'kv', options: { version: '2' } });
    expect(vault.mounts.get('database/')).toEqual({ type: 'database' });
    expect(vault.auths.has('aws/')).toBe(true);
    expect(vault.awsClientConfig).toEqual({ sts_endpoint: 'https://sts.eu-west-2.amazonaws.com', sts_region: 'eu-west-2', iam_server_id_header_value: SERVER_NAME });
    expect(Object.fromEntries(vault.policies)).toEqual(VAULT_POLICIES);
    expect(vault.awsRoles.get('cellkit-app')).toEqual(expect.objectContaining({ auth_type: 'iam', bound_iam_principal_arn: ['arn:aws:iam::123456789012:role/app'], token_policies: ['cellkit-app'] }));
    expect(vault.awsRoles.get('cellkit-bootstrap').bound_iam_principal_arn).toEqual(['arn:aws:iam::123456789012:role/bootstrap']);
    expect(vault.awsRoles.get('cellkit-snapshot').bound_iam_principal_arn).toEqual(['arn:aws:iam::123456789012:role/vault']);
    expect(vault.autopilot).toEqual({ cleanup_dead_servers: true, dead_server_last_contact_threshold: '10m', min_quorum: 3 });
    expect(vault.dbConfig).toEqual(expect.objectContaining({ plugin_name: 'postgresql-database-plugin', allowed_roles: ['cellkit-app'], connection_url: 'postgresql://{{username}}:{{password}}@db.internal:5432/company?sslmode=require', username: MASTER.username, password: MASTER.password, root_rotation_statements: DB_STATEMENTS.rootRotation }));
    expect(calls().indexOf('POST database/rotate-root/company')).toBeGreaterThan(calls().indexOf('POST database/config/company'));
    expect(vault.dbRoles.get('cellkit-app')).toEqual({ db_name: 'company', creation_statements: DB_STATEMENTS.creation, revocation_statements: DB_STATEMENTS.revocation, default_ttl: '1h', max_ttl: '24h' });
    // Audit devices come first, so every later change is audited; AWS auth next, so a re-run can log in.
    expect(calls().indexOf('PUT sys/audit/file')).toBeLessThan(calls().indexOf('POST sys/auth/aws'));
    expect(calls().indexOf('POST auth/aws/role/cellkit-bootstrap')).toBeLessThan(calls().indexOf('POST sys/mounts/database'));
  });

  test('initialised Vault: never re-initialised, logs in through AWS auth, re-applies only what is idempotent', async () => {
    vault.configured();
    const { response, secretsWritten } = await run(props(address), { type: 'Update' });
    expect(response.Status).toBe('SUCCESS');
    expect(response.Reason).not.toContain('initialised');
    expect(calls()).not.toContain('POST sys/init');
    expect(secretsWritten).toEqual([]);
    const login = vault.requests.find((r) => r.path === 'auth/aws/login')!;
    expect(login.body.role).toBe('cellkit-bootstrap');
    expect(Buffer.from(login.body.iam_request_url, 'base64').toString()).toBe('https://sts.eu-west-2.amazonaws.com/');
    expect(Buffer.from(login.body.iam_request_body, 'base64').toString()).toBe('Action=GetCallerIdentity&Version=2011-06-15');
    const headers = JSON.parse(Buffer.from(login.body.iam_request_headers, 'base64').toString());
    expect(headers['x-vault-aws-iam-server-id']).toEqual([SERVER_NAME]);
    expect(headers.authorization[0]).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-2\/sts\/aws4_request, SignedHeaders=[^,]*x-vault-aws-iam-server-id/);
    // Nothing enabled twice, the database connection (whose password only Vault knows now) left alone.
    for (const c of ['PUT sys/audit/file', 'PUT sys/audit/syslog', 'POST sys/auth/aws', 'POST sys/mounts/git-ssh', 'POST sys/mounts/database', 'POST database/config/company', 'POST database/rotate-root/company']) expect(calls()).not.toContain(c);
    expect(vault.dbRoles.has('cellkit-app')).toBe(true);
    expect(calls().at(-1)).toBe('POST auth/token/revoke-self');
    expect(vault.tokens.size).toBe(0);
  });

  test("a Vault error fails the deploy with Vault's own message, and the token is still revoked", async () => {
    vault.failures.set('POST database/config/company', { status: 400, errors: ['error creating database object: failed to verify connection: pq: SSL is not enabled on the server'] });
    const { response } = await run(props(address));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toBe('Vault bootstrap of tenant "acme" failed: Vault POST /v1/database/config/company answered 400: error creating database object: failed to verify connection: pq: SSL is not enabled on the server');
    expect(calls().at(-1)).toBe('POST auth/token/revoke-self');
    expect(vault.tokens.size).toBe(0);
  });

  test('a re-run after such a failure finishes the job without re-initialising', async () => {
    vault.failures.set('POST database/config/company', { status: 500, errors: ['internal error'] });
    expect((await run(props(address))).response.Status).toBe('FAILED');
    vault.failures.clear();
    const again = await run(props(address), { type: 'Update' });
    expect(again.response.Status).toBe('SUCCESS');
    expect(vault.requests.filter((r) => r.path === 'sys/init')).toHaveLength(1);
    expect(vault.rootRotated).toBe(true);
  });

  test('fails when the Raft cluster does not reach exactly the expected number of voters', async () => {
    vault.voters = ['i-0a', 'i-0b'];
    const { response } = await run(props(address), { budgetMs: 600 });
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('the Raft cluster has 2 voter(s) (i-0a, i-0b), expected exactly 3');
    vault.voters = ['i-0a', 'i-0b', 'i-0c', 'i-0d', 'i-0e', 'i-0f'];
    const prod = await run(props(address, { Nodes: '5' }), { budgetMs: 600, type: 'Update' });
    expect(prod.response.Reason).toContain('has 6 voter(s)');
    expect(prod.response.Reason).toContain('expected exactly 5');
  });

  test('an initialised Vault whose recovery shares cannot be stored fails, with the PGP-encrypted shares in the log only', async () => {
    const { response, logs } = await run(props(address), { putFails: true });
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('recovery shares could not be stored');
    expect(response.Reason).not.toContain('wcBMA-share-1');
    expect(logs.join('\n')).toContain('wcBMA-share-1');
    expect(logs.join('\n')).not.toContain(vault.rootToken);
  });

  test('refuses a Vault whose certificate the cell CA did not issue', async () => {
    const { response } = await run(props(address), { tls: { ca: pki.otherCa } });
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/failed TLS verification against the cell CA/);
    expect(vault.requests).toEqual([]);
  });

  test('refuses a Vault certificate for another name', async () => {
    const { response } = await run(props(address, { TlsServerName: 'vault.other.cellkit.internal' }));
    expect(response.Reason).toMatch(/failed TLS verification against the cell CA \(ERR_TLS_CERT_ALTNAME_INVALID\)/);
  });

  test('Delete leaves Vault alone', async () => {
    const { response } = await run(props(address), { type: 'Delete' });
    expect(response).toEqual(expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'cellkit-vault-bootstrap-acme' }));
    expect(vault.requests).toEqual([]);
  });

  describe('file share credentials into Vault KV (KV v2 API as in api-docs/secret/kv/kv-v2)', () => {
    test('the SMB user is copied to integrations/file-share, once: a re-run with the same secret adds no version', async () => {
      const first = await run(props(address, { FileShareSecretArn: SMB_ARN }));
      expect(first.response.Status).toBe('SUCCESS');
      expect(vault.kv.get('integrations/file-share')).toEqual([SMB]);
      const again = await run(props(address, { FileShareSecretArn: SMB_ARN }), { type: 'Update' });
      expect(again.response.Status).toBe('SUCCESS');
      expect(vault.kv.get('integrations/file-share')).toHaveLength(1);
      expect(JSON.stringify({ first, again })).not.toContain(SMB.password);
    });

    test('a rotated password reaches Vault on the next deploy as a new version', async () => {
      await run(props(address, { FileShareSecretArn: SMB_ARN }));
      await run(props(address, { FileShareSecretArn: SMB_ARN }), { type: 'Update', smb: { ...SMB, password: 'rotated-Qw72' } });
      expect(vault.kv.get('integrations/file-share')!.map((v) => v.password)).toEqual([SMB.password, 'rotated-Qw72']);
    });

    test('a secret without a password fails the deploy naming the secret and the missing field', async () => {
      const { response } = await run(props(address, { FileShareSecretArn: SMB_ARN }), { smb: { username: 'git-service', domain: 'CELLKIT', share: 'git' } });
      expect(response.Status).toBe('FAILED');
      expect(response.Reason).toContain(`the file share secret ${SMB_ARN} has no password`);
    });

    test('without a file share secret nothing is written to KV', async () => {
      await run(props(address));
      expect(vault.kv.size).toBe(0);
    });
  });
});

test('times out with a clear message while Vault does not answer', async () => {
  const closed = new MockVault(pki);
  const address = await closed.start();
  await closed.stop();
  const { response } = await run(props(address), { budgetMs: 300 });
  expect(response.Status).toBe('FAILED');
  expect(response.Reason).toMatch(/^Vault bootstrap of tenant "acme" failed: timed out waiting for Vault to answer on https:\/\/127\.0\.0\.1:\d+: Vault GET \/v1\/sys\/seal-status: .*ECONNREFUSED/);
});

test('waits for the TLS issuer: a TLS secret without a CA fails with a clear message', async () => {
  const { response } = await run(props('https://127.0.0.1:9'), { tls: { certificate: 'x' } });
  expect(response.Reason).toContain('has no PEM "ca" field yet');
});

test.each([
  [{ RecoveryPgpKeys: [] }, 'no vault.recoveryPgpKeys'],
  [{ RecoveryThreshold: '4' }, 'RecoveryThreshold must be 1..3; got 4'],
  [{ Nodes: '4' }, 'Nodes must be 3 or 5; got 4'],
])('refuses invalid properties %j', async (overrides, message) => {
  const { response } = await run(props('https://127.0.0.1:9', overrides as Partial<BootstrapProperties>));
  expect(response.Status).toBe('FAILED');
  expect(response.Reason).toContain(message);
});
