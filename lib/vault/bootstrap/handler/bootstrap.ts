// The bootstrap itself: initialise Vault once, then (on every run) configure it, check the Raft
// voters, and give up the token. Every step checks before it acts, so a re-run changes nothing
// that is already right. API pages: https://developer.hashicorp.com/vault/api-docs/system/<page>.
import { VAULT_POLICIES, BOOTSTRAP_VAULT_ROLE, FILE_SHARE_KV, DB_CONNECTION, DB_CREDENTIAL_TTL, DB_STATEMENTS, APP_VAULT_ROLE, KV_MOUNTS, awsAuthBindings, databaseConnectionUrl } from '../vault-plan';
import { Json, VaultClient, VaultClientOptions, VaultUnreachable } from './vault-client';

/** The custom resource's properties (CloudFormation passes every scalar as a string). */
export interface BootstrapProperties {
  readonly TenantId: string;
  readonly Region: string;
  /** https://<NLB DNS name>:8200 */
  readonly VaultAddress: string;
  readonly TlsServerName: string;
  /** JSON { certificate, private_key, ca }; only `ca` is read. */
  readonly TlsSecretArn: string;
  readonly RecoverySecretArn: string;
  readonly RecoveryPgpKeys: readonly string[];
  readonly RecoveryThreshold: string;
  /** Raft voters the cluster must have: "3" or "5". */
  readonly Nodes: string;
  readonly AuditLogPath: string;
  readonly RoleArns: { readonly Application: string; readonly Operator: string; readonly VaultServers: string; readonly Bootstrap: string };
  readonly Database: { readonly Hostname: string; readonly Port: string; readonly Name: string; readonly MasterSecretArn: string };
  /** The file share's SMB user secret, copied into KV for the application plane; absent: nothing is copied. */
  readonly FileShareSecretArn?: string;
}

export interface BootstrapDeps {
  readonly getSecretString: (arn: string) => Promise<string | undefined>;
  readonly putSecretString: (arn: string, value: string) => Promise<void>;
  readonly vault: (options: VaultClientOptions) => VaultClient;
  /** Body of an AWS IAM auth login as this function's role, for the Vault whose server id (header value) is given. */
  readonly awsLoginBody: (login: { role: string; serverId: string; region: string }) => Promise<Record<string, string>>;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly log: (message: string) => void;
  /** Pause between polls while Vault starts or nodes join. */
  readonly pollMs: number;
}

/** Runs the bootstrap until done or `deadline` (epoch ms); throws with Vault's own message on failure. */
export async function runBootstrap(p: BootstrapProperties, deps: BootstrapDeps, deadline: number): Promise<string> {
  const ca = await readCa(p, deps);
  const vault = deps.vault({ address: p.VaultAddress, ca, serverName: p.TlsServerName });
  try {
    // GET sys/seal-status needs no token (api-docs/system/seal-status).
    let status = await poll(deps, deadline, 'Vault to answer on ' + p.VaultAddress, async () => (await vault.read('sys/seal-status')) as unknown as SealStatus);
    let rootToken: string | undefined;
    if (!status.initialized) rootToken = await initialise(vault, p, deps);
    // Auto-unseal with KMS follows init; behind the NLB another (not yet joined) node may answer for a while.
    status = await poll(deps, deadline, 'Vault to be initialised and unsealed', async () => {
      const s = (await vault.read('sys/seal-status')) as unknown as SealStatus;
      return s.initialized && !s.sealed ? s : undefined;
    });
    const token = rootToken ?? String(((await vault.write(`auth/aws/login`, await deps.awsLoginBody({ role: BOOTSTRAP_VAULT_ROLE, serverId: p.TlsServerName, region: p.Region }))).auth as Json | undefined)?.client_token ?? '');
    if (!token) throw new Error(`Vault's AWS login as ${BOOTSTRAP_VAULT_ROLE} returned no token`);
    let failure: unknown;
    try {
      await configure(vault, token, p, deps);
      await checkVoters(vault, token, Number(p.Nodes), deps, deadline);
    } catch (e) {
      failure = e;
    }
    // The root token is never written anywhere; revoking it is part of success (api-docs/auth/token#revoke-a-token-self).
    try {
      await vault.write('auth/token/revoke-self', {}, token);
      if (rootToken) deps.log('initial root token revoked');
    } catch (e) {
      if (!failure) throw e;
      deps.log(`could not revoke the ${rootToken ? 'initial root' : 'bootstrap'} token after a failure: ${(e as Error).message}`);
    }
    if (failure) throw failure;
    return `Vault of tenant "${p.TenantId}" is ${rootToken ? 'initialised and ' : ''}configured; ${p.Nodes} Raft voters`;
  } finally {
    vault.close();
  }
}

class PollTimeout extends Error {}

interface SealStatus {
  readonly initialized: boolean;
  readonly sealed: boolean;
}

async function readCa(p: BootstrapProperties, deps: BootstrapDeps): Promise<string> {
  const raw = await deps.getSecretString(p.TlsSecretArn);
  let ca: unknown;
  try {
    ca = raw ? (JSON.parse(raw) as Json).ca : undefined;
  } catch {
    ca = undefined;
  }
  if (typeof ca !== 'string' || !ca.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`the TLS secret ${p.TlsSecretArn} has no PEM "ca" field yet: the cell's TLS issuer must fill it before the Vault bootstrap runs`);
  }
  return ca;
}

/** POST sys/init (api-docs/system/init): recovery shares PGP-encrypted by Vault itself, one per operator key. */
async function initialise(vault: VaultClient, p: BootstrapProperties, deps: BootstrapDeps): Promise<string> {
  const init = await vault.write('sys/init', {
    recovery_shares: p.RecoveryPgpKeys.length,
    recovery_threshold: Number(p.RecoveryThreshold),
    recovery_pgp_keys: [...p.RecoveryPgpKeys],
  });
  const rootToken = typeof init.root_token === 'string' ? init.root_token : '';
  const shares = JSON.stringify({
    recovery_keys_b64: init.recovery_keys_base64,
    recovery_keys_shares: p.RecoveryPgpKeys.length,
    recovery_keys_threshold: Number(p.RecoveryThreshold),
    initialized_at: new Date(deps.now()).toISOString(),
  });
  let stored: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await deps.putSecretString(p.RecoverySecretArn, shares);
      stored = true;
      break;
    } catch (e) {
      stored = e;
      await deps.sleep(deps.pollMs);
    }
  }
  if (stored !== true) {
    // The shares are PGP-encrypted to the operators: safe in the (encrypted) function log, and lost otherwise.
    deps.log(`recovery shares could not be stored; PGP-encrypted shares follow: ${shares}`);
    throw new Error(`Vault is initialised but the recovery shares could not be stored in ${p.RecoverySecretArn} (${(stored as Error).message}); they are in this function's log`);
  }
  deps.log('initialised; PGP-encrypted recovery shares stored in the recovery secret');
  if (!rootToken) throw new Error('Vault initialised without returning a root token');
  return rootToken;
}

/** Applies the whole configuration; everything is a create-if-absent or an idempotent overwrite. */
async function configure(vault: VaultClient, token: string, p: BootstrapProperties, deps: BootstrapDeps): Promise<void> {
  const list = async (path: string) => {
    const body = (await vault.read(path, token)) ?? {};
    return new Set(Object.keys((body.data as Json | undefined) ?? body));
  };
  // Two audit devices (api-docs/system/audit): Vault stops answering only if every device blocks.
  const audits = await list('sys/audit');
  if (!audits.has('file/')) await vault.write('sys/audit/file', { type: 'file', options: { file_path: p.AuditLogPath } }, token);
  if (!audits.has('syslog/')) await vault.write('sys/audit/syslog', { type: 'syslog', options: { tag: 'vault', facility: 'AUTH' } }, token);

  // AWS auth first after audit: once the bootstrap role exists, a re-run can log in without the root token.
  const auths = await list('sys/auth');
  if (!auths.has('aws/')) await vault.write('sys/auth/aws', { type: 'aws' }, token);
  await vault.write('auth/aws/config/client', { sts_endpoint: `https://sts.${p.Region}.amazonaws.com`, sts_region: p.Region, iam_server_id_header_value: p.TlsServerName }, token);
  for (const [name, policy] of Object.entries(VAULT_POLICIES)) await vault.request('PUT', `sys/policies/acl/${name}`, { policy }, token);
  const bindings = awsAuthBindings({
    application: p.RoleArns.Application, operator: p.RoleArns.Operator, vaultServers: p.RoleArns.VaultServers, bootstrap: p.RoleArns.Bootstrap,
  });
  for (const b of bindings) {
    await vault.write(`auth/aws/role/${b.role}`, { auth_type: 'iam', bound_iam_principal_arn: [b.principalArn], resolve_aws_unique_ids: false, token_policies: [b.role], token_ttl: b.ttl, token_max_ttl: b.ttl }, token);
  }

  // Autopilot removes Raft peers of replaced instances (api-docs/system/storage/raftautopilot).
  await vault.write('sys/storage/raft/autopilot/configuration', { cleanup_dead_servers: true, dead_server_last_contact_threshold: '10m', min_quorum: Number(p.Nodes) }, token);

  const mounts = await list('sys/mounts');
  for (const m of Object.values(KV_MOUNTS)) if (!mounts.has(`${m}/`)) await vault.write(`sys/mounts/${m}`, { type: 'kv', options: { version: '2' } }, token);
  if (!mounts.has('database/')) await vault.write('sys/mounts/database', { type: 'database' }, token);
  deps.log('audit devices, AWS auth roles, policies, autopilot and KV mounts in place');
  if (p.FileShareSecretArn) await copyFileShareCredentials(vault, token, p.FileShareSecretArn, deps);

  // Database secrets engine (api-docs/secret/databases): configured once, then rotate-root so only Vault knows the password.
  if (!(await vault.read(`database/config/${DB_CONNECTION}`, token))) {
    const master = JSON.parse((await deps.getSecretString(p.Database.MasterSecretArn)) ?? '{}') as { username?: string; password?: string };
    if (!master.username || !master.password) throw new Error(`the database master secret ${p.Database.MasterSecretArn} has no username and password`);
    await vault.write(
      `database/config/${DB_CONNECTION}`,
      {
        plugin_name: 'postgresql-database-plugin',
        allowed_roles: [APP_VAULT_ROLE],
        connection_url: databaseConnectionUrl(p.Database.Hostname, p.Database.Port, p.Database.Name),
        username: master.username,
        password: master.password,
        root_rotation_statements: [...DB_STATEMENTS.rootRotation],
      },
      token,
    );
    await vault.write(`database/rotate-root/${DB_CONNECTION}`, {}, token);
    deps.log('database connection configured; master password rotated, only Vault knows it now');
  }
  await vault.write(
    `database/roles/${APP_VAULT_ROLE}`,
    {
      db_name: DB_CONNECTION,
      creation_statements: [...DB_STATEMENTS.creation],
      revocation_statements: [...DB_STATEMENTS.revocation],
      default_ttl: DB_CREDENTIAL_TTL.default,
      max_ttl: DB_CREDENTIAL_TTL.max,
    },
    token,
  );
}

/**
 * The SMB user's credentials into KV v2 (api-docs/secret/kv/kv-v2: read and create/update a secret version),
 * so the application plane reads them from Vault. Written only when they differ from the current version:
 * a deploy never adds a version for nothing, and a rotated password reaches Vault on the next deploy.
 */
async function copyFileShareCredentials(vault: VaultClient, token: string, secretArn: string, deps: BootstrapDeps): Promise<void> {
  const raw = JSON.parse((await deps.getSecretString(secretArn)) ?? '{}') as Record<string, unknown>;
  const fields = ['username', 'domain', 'share', 'password'] as const;
  const missing = fields.filter((f) => typeof raw[f] !== 'string' || !raw[f]);
  if (missing.length) throw new Error(`the file share secret ${secretArn} has no ${missing.join(', ')}`);
  const wanted = Object.fromEntries(fields.map((f) => [f, raw[f] as string]));
  const path = `${FILE_SHARE_KV.mount}/data/${FILE_SHARE_KV.path}`;
  const current = ((await vault.read(path, token))?.data as { data?: Record<string, unknown> } | undefined)?.data;
  if (current && fields.every((f) => current[f] === wanted[f])) return;
  await vault.write(path, { data: wanted }, token);
  deps.log(`file share credentials copied to ${FILE_SHARE_KV.mount}/${FILE_SHARE_KV.path}`);
}

/** GET sys/storage/raft/configuration (api-docs/system/storage/raft): waits for exactly `nodes` voters. */
async function checkVoters(vault: VaultClient, token: string, nodes: number, deps: BootstrapDeps, deadline: number): Promise<void> {
  let last = 'no answer';
  const ok = await poll(deps, deadline, '', async () => {
    const body = (await vault.read('sys/storage/raft/configuration', token)) ?? {};
    const servers = (((body.data as Json | undefined)?.config as Json | undefined)?.servers ?? []) as Array<{ node_id?: string; voter?: boolean }>;
    const voters = servers.filter((s) => s.voter === true).map((s) => s.node_id ?? '?');
    last = `${voters.length} voter(s)${voters.length ? ` (${voters.join(', ')})` : ''}`;
    return voters.length === nodes ? true : undefined;
  }).catch((e) => {
    if (e instanceof PollTimeout) return false;
    throw e;
  });
  if (!ok) throw new Error(`the Raft cluster has ${last}, expected exactly ${nodes}: check that every node of the Auto Scaling group runs Vault and joined (autopilot state, journalctl -u vault)`);
}

/**
 * Calls `attempt` until it returns a value, retrying while Vault is unreachable or the value is
 * undefined; any Vault error answer ends the wait at once.
 */
async function poll<T>(deps: BootstrapDeps, deadline: number, what: string, attempt: () => Promise<T | undefined>): Promise<T> {
  let last = '';
  for (;;) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (e) {
      if (!(e instanceof VaultUnreachable)) throw e;
      last = `: ${e.message}`;
    }
    if (deps.now() + deps.pollMs >= deadline) throw new PollTimeout(`timed out waiting for ${what}${last}`);
    await deps.sleep(deps.pollMs);
  }
}
