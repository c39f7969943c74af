// Point 3 of issue 14: the SQL Vault's database secrets engine runs (lib/vault/bootstrap/vault-plan.ts,
// the same strings the bootstrap sends to Vault) on a real PostgreSQL with TLS required.
// Vault fills {{name}}, {{password}}, {{expiration}} by plain substitution and formats the expiration
// as Go's "2006-01-02 15:04:05-0700" (hashicorp/vault, PostgreSQL plugin); we do the same.
// RDS's rds_superuser does not exist here: it is emulated with plain roles, as the RDS User Guide
// ("Understanding the rds_superuser role") describes the master user: LOGIN NOSUPERUSER INHERIT
// CREATEDB CREATEROLE, member of rds_superuser, which may end any connection (pg_signal_backend here).
import { Client, ClientConfig } from 'pg';
import { DB_STATEMENTS, databaseConnectionUrl } from '../../lib/vault/bootstrap/vault-plan';
import { LocalPostgres, findPostgres, startPostgres } from './local-postgres';

const found = findPostgres();
if ('missing' in found && process.env.CI === 'true') throw new Error(`CI=true requires PostgreSQL for these tests: ${found.missing}`);
const describePg = 'bin' in found ? describe : describe.skip;
if ('missing' in found) console.warn(`skipping the PostgreSQL tests: ${found.missing}`);

const DB = 'cellkit';
const MASTER = 'cellkit_k3x9q2ab';

/** Vault's substitution of its template fields. */
function render(statements: readonly string[], values: Record<string, string>): string[] {
  return statements.map((s) => s.replace(/\{\{(\w+)\}\}/g, (m, k: string) => (k in values ? values[k] : m)));
}

/** Go's "2006-01-02 15:04:05-0700", in UTC. */
function vaultExpiration(d: Date): string {
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}+0000`;
}

/** Vault's generated names: v-<display name>-<role>-<random>-<unix time>, at most 63 characters. */
const vaultName = (suffix: string) => `v-token-cellkit-app-${suffix}-1764330000`;

describePg('database role on PostgreSQL with TLS required', () => {
  let pg: LocalPostgres;
  let masterPassword = 'initial-master-password-from-secrets-manager';
  const clients: Client[] = [];
  /** Errors the server sent each client outside a query (e.g. its session being terminated). */
  const asyncErrors = new Map<Client, Error[]>();

  /** A client through Vault's own connection URL (sslmode=require), credentials substituted. */
  async function connectAs(user: string, password: string): Promise<Client> {
    const url = databaseConnectionUrl('127.0.0.1', String(pg.port), DB).replace('{{username}}', encodeURIComponent(user)).replace('{{password}}', encodeURIComponent(password));
    // node-postgres reads sslmode=require as verify-full unless asked for libpq's meaning (encrypt, no verification).
    const c = new Client({ connectionString: `${url}&uselibpqcompat=true` });
    asyncErrors.set(c, []);
    c.on('error', (e) => asyncErrors.get(c)!.push(e));
    await c.connect();
    clients.push(c);
    return c;
  }

  async function asSuperuser(db: string, sql: string[]): Promise<void> {
    const c = new Client({ host: '127.0.0.1', port: pg.port, database: db, user: pg.superuser.user, password: pg.superuser.password, ssl: { rejectUnauthorized: false } } as ClientConfig);
    await c.connect();
    try {
      for (const s of sql) await c.query(s);
    } finally {
      await c.end();
    }
  }

  /** Runs statements as Vault does: in one transaction, as the connection (master) user. */
  async function asVault(statements: string[]): Promise<void> {
    const c = await connectAs(MASTER, masterPassword);
    try {
      await c.query('BEGIN');
      for (const s of statements) await c.query(s);
      await c.query('COMMIT');
    } finally {
      await c.end();
    }
  }

  beforeAll(async () => {
    pg = await startPostgres((found as { bin: string }).bin);
    // What RDS creates: the master user (rds_superuser emulated) owning the company database.
    await asSuperuser('postgres', [
      'CREATE ROLE rds_superuser NOLOGIN',
      'GRANT pg_signal_backend TO rds_superuser',
      `CREATE ROLE ${MASTER} WITH LOGIN NOSUPERUSER INHERIT CREATEDB CREATEROLE NOREPLICATION PASSWORD '${masterPassword}' IN ROLE rds_superuser`,
      `CREATE DATABASE ${DB} OWNER ${MASTER}`,
    ]);
    // The application's schema, created by its migrations as the database owner.
    const m = await connectAs(MASTER, masterPassword);
    await m.query('CREATE TABLE public.orders (id serial PRIMARY KEY, item text NOT NULL)');
    await m.query("INSERT INTO public.orders (item) VALUES ('seed')");
    await m.end();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    pg?.stop();
  });

  test('a client without TLS is refused', async () => {
    const c = new Client({ host: '127.0.0.1', port: pg.port, database: DB, user: MASTER, password: masterPassword, ssl: false });
    await expect(c.connect()).rejects.toThrow(/no pg_hba.conf entry .* no encryption/);
  });

  test('rotate-root: the master user changes its own password; the old one stops working', async () => {
    const next = 'rotated-by-vault-only-vault-knows-it';
    await asVault(render(DB_STATEMENTS.rootRotation, { name: MASTER, username: MASTER, password: next }));
    const old = masterPassword;
    masterPassword = next;
    await expect(connectAs(MASTER, old)).rejects.toThrow(/password authentication failed/);
    const c = await connectAs(MASTER, next);
    expect((await c.query('SELECT current_user AS u')).rows[0].u).toBe(MASTER);
    await c.end();
  });

  describe('a dynamic user', () => {
    const name = vaultName('Xy12Ab34');
    const password = 'A1a-generated-by-vault-policy';
    let app: Client;
    beforeAll(async () => {
      await asVault(render(DB_STATEMENTS.creation, { name, password, expiration: vaultExpiration(new Date(Date.now() + 3_600_000)) }));
      app = await connectAs(name, password);
    });

    test('logs in over TLS through the connection URL Vault uses', async () => {
      const r = await app.query('SELECT current_user AS u, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      expect(r.rows[0]).toEqual({ u: name, ssl: true });
    });

    test('does what the application plane needs: read and write rows of the schema, using its sequences', async () => {
      const inserted = await app.query("INSERT INTO public.orders (item) VALUES ('widget') RETURNING id");
      const id = inserted.rows[0].id;
      await app.query("UPDATE public.orders SET item = 'gadget' WHERE id = $1", [id]);
      expect((await app.query('SELECT item FROM public.orders WHERE id = $1', [id])).rows).toEqual([{ item: 'gadget' }]);
      expect((await app.query('SELECT count(*)::int AS n FROM public.orders')).rows[0].n).toBe(2);
      await app.query('DELETE FROM public.orders WHERE id = $1', [id]);
    });

    test.each([
      ['create a table', 'CREATE TABLE public.mine (x int)', /permission denied for schema public/],
      ['drop a table', 'DROP TABLE public.orders', /must be owner of table orders/],
      ['truncate', 'TRUNCATE public.orders', /permission denied for table orders/],
      ['alter a table', 'ALTER TABLE public.orders ADD COLUMN x int', /must be owner of table orders/],
      ['create a role', 'CREATE ROLE intruder', /permission denied to create role/],
      ['create a database', 'CREATE DATABASE other', /permission denied to create database/],
      ['read password hashes', 'SELECT * FROM pg_authid', /permission denied for table pg_authid/],
    ])('cannot %s', async (_what, sql, error) => {
      await expect(app.query(sql)).rejects.toThrow(error);
    });

    test('is gone after revocation: its session ends, it cannot log in, the role no longer exists', async () => {
      await asVault(render(DB_STATEMENTS.revocation, { name }));
      await expect(app.query('SELECT 1')).rejects.toThrow();
      expect(asyncErrors.get(app)!.map((e) => e.message)).toContain('terminating connection due to administrator command');
      await expect(connectAs(name, password)).rejects.toThrow(new RegExp(`password authentication failed for user "${name}"`));
      const m = await connectAs(MASTER, masterPassword);
      expect((await m.query('SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1', [name])).rows[0].n).toBe(0);
      await m.end();
    });
  });

  test('a user past its expiration (VALID UNTIL) cannot log in', async () => {
    const name = vaultName('Expired1');
    await asVault(render(DB_STATEMENTS.creation, { name, password: 'p-expired-1', expiration: vaultExpiration(new Date(Date.now() - 60_000)) }));
    await expect(connectAs(name, 'p-expired-1')).rejects.toThrow(/password authentication failed/);
  });
});
