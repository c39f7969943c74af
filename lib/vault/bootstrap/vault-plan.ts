// What the bootstrap makes Vault look like: mounts, policies, AWS auth roles and the database
// role's SQL. Plain data, read by the bootstrap Lambda (which applies it over Vault's HTTP API),
// by the VaultBootstrap construct, and by the PostgreSQL tests (which run the same SQL). It must
// not import aws-cdk-lib: it is bundled into the Lambda.

export const SNAPSHOT_VAULT_ROLE = 'cellkit-snapshot';
export const BOOTSTRAP_VAULT_ROLE = 'cellkit-bootstrap';
export const APP_VAULT_ROLE = 'cellkit-app';
export const OPERATOR_VAULT_ROLE = 'cellkit-operator';
/** Used by `cellkit vault roll` on a node (docs/vault-upgrades.md): read Raft state, snapshot, remove a peer. */
export const ROLL_VAULT_ROLE = 'cellkit-roll';
/** Name of the database secrets engine's connection (`database/config/<name>`). */
export const DB_CONNECTION = 'company';
export const KV_MOUNTS = { gitSsh: 'git-ssh', integrations: 'integrations' } as const;
/**
 * Where the bootstrap copies the file share's SMB credentials (username, domain, share, password) for the
 * application plane, which reads `integrations/data/*` (docs/file-share.md): KV v2 path `integrations/file-share`.
 */
export const FILE_SHARE_KV = { mount: KV_MOUNTS.integrations, path: 'file-share' } as const;
/** Schema the application plane works in (PostgreSQL's default schema). */
export const APP_SCHEMA = 'public';

/** ACL policies, one per Vault role, in Vault's HCL policy syntax. */
export const VAULT_POLICIES: Readonly<Record<string, string>> = {
  [APP_VAULT_ROLE]: [
    `path "${KV_MOUNTS.gitSsh}/data/*" { capabilities = ["read"] }`,
    `path "${KV_MOUNTS.integrations}/data/*" { capabilities = ["read"] }`,
    `path "database/creds/${APP_VAULT_ROLE}" { capabilities = ["read"] }`,
  ].join('\n'),
  [OPERATOR_VAULT_ROLE]: [
    `path "${KV_MOUNTS.gitSsh}/*" { capabilities = ["create", "read", "update", "delete", "list"] }`,
    `path "${KV_MOUNTS.integrations}/*" { capabilities = ["create", "read", "update", "delete", "list"] }`,
  ].join('\n'),
  [SNAPSHOT_VAULT_ROLE]: 'path "sys/storage/raft/snapshot" { capabilities = ["read"] }',
  [ROLL_VAULT_ROLE]: [
    'path "sys/storage/raft/configuration" { capabilities = ["read"] }',
    'path "sys/storage/raft/autopilot/state" { capabilities = ["read"] }',
    'path "sys/storage/raft/snapshot" { capabilities = ["read"] }',
    'path "sys/storage/raft/remove-peer" { capabilities = ["update"] }',
  ].join('\n'),
  // Exactly what a re-run of the bootstrap (after the root token is gone) reads and writes.
  [BOOTSTRAP_VAULT_ROLE]: [
    'path "sys/audit" { capabilities = ["read", "sudo"] }',
    'path "sys/audit/*" { capabilities = ["create", "update", "sudo"] }',
    'path "sys/auth" { capabilities = ["read"] }',
    'path "sys/auth/*" { capabilities = ["create", "update", "sudo"] }',
    'path "sys/mounts" { capabilities = ["read"] }',
    'path "sys/mounts/*" { capabilities = ["create", "update"] }',
    'path "sys/policies/acl/*" { capabilities = ["create", "read", "update"] }',
    'path "sys/storage/raft/autopilot/configuration" { capabilities = ["read", "update"] }',
    'path "sys/storage/raft/configuration" { capabilities = ["read"] }',
    'path "auth/aws/config/client" { capabilities = ["read", "create", "update"] }',
    'path "auth/aws/role/*" { capabilities = ["read", "create", "update"] }',
    `path "database/config/${DB_CONNECTION}" { capabilities = ["read", "create", "update"] }`,
    `path "database/rotate-root/${DB_CONNECTION}" { capabilities = ["update"] }`,
    `path "database/roles/${APP_VAULT_ROLE}" { capabilities = ["read", "create", "update"] }`,
  ].join('\n'),
};

/**
 * The database role's SQL, with Vault's template fields `{{name}}`, `{{password}}` and
 * `{{expiration}}` (PostgreSQL database plugin, https://developer.hashicorp.com/vault/api-docs/secret/databases/postgresql).
 * The application plane may read and write rows of every table and use every sequence in the
 * schema, nothing else: no DDL, no TRUNCATE, no roles. test/postgres/ runs these very strings on PostgreSQL.
 */
export const DB_STATEMENTS = {
  creation: [
    `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`,
    `GRANT USAGE ON SCHEMA ${APP_SCHEMA} TO "{{name}}";`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${APP_SCHEMA} TO "{{name}}";`,
    `GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${APP_SCHEMA} TO "{{name}}";`,
  ],
  revocation: [
    // End the user's open sessions first: DROP ROLE does not disconnect them.
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{{name}}';`,
    `REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA ${APP_SCHEMA} FROM "{{name}}";`,
    `REVOKE ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA ${APP_SCHEMA} FROM "{{name}}";`,
    `REVOKE USAGE ON SCHEMA ${APP_SCHEMA} FROM "{{name}}";`,
    `DROP ROLE IF EXISTS "{{name}}";`,
  ],
  /** rotate-root: the connection user changes its own password. */
  rootRotation: [`ALTER ROLE "{{name}}" WITH PASSWORD '{{password}}';`],
} as const;

/** Vault's connection URL for the company database: TLS required, credentials templated by Vault. */
export function databaseConnectionUrl(hostname: string, port: string, databaseName: string): string {
  return `postgresql://{{username}}:{{password}}@${hostname}:${port}/${databaseName}?sslmode=require`;
}

/** Lease times of database credentials. */
export const DB_CREDENTIAL_TTL = { default: '1h', max: '24h' } as const;

/** The Vault roles bound to IAM principals by the AWS auth method, with their token lifetimes. */
export interface AwsAuthBinding {
  readonly role: string;
  readonly principalArn: string;
  readonly ttl: string;
}

export function awsAuthBindings(arns: { application: string; operator: string; vaultServers: string; bootstrap: string }): AwsAuthBinding[] {
  return [
    { role: APP_VAULT_ROLE, principalArn: arns.application, ttl: '1h' },
    { role: OPERATOR_VAULT_ROLE, principalArn: arns.operator, ttl: '1h' },
    { role: SNAPSHOT_VAULT_ROLE, principalArn: arns.vaultServers, ttl: '10m' },
    { role: ROLL_VAULT_ROLE, principalArn: arns.vaultServers, ttl: '10m' },
    { role: BOOTSTRAP_VAULT_ROLE, principalArn: arns.bootstrap, ttl: '15m' },
  ];
}
