import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { VaultBootstrap, VaultBootstrapProps } from '../../lib/vault/vault-bootstrap';
import { EXAMPLE_PGP_KEYS } from '../fixtures';
import { resolveFn } from './vault-stack';

const base = (overrides: Partial<VaultBootstrapProps> = {}) => {
  const stack = new Stack(new App(), 'Boot', { env: { account: '123456789012', region: 'eu-west-2' } });
  const key = new kms.Key(stack, 'Key');
  const bootstrap = new VaultBootstrap(stack, 'Bootstrap', {
    tenantId: 'acme', encryptionKey: key, region: 'eu-west-2', tlsServerName: 'vault.acme.cellkit.internal', nodes: 3,
    recoveryPgpKeys: EXAMPLE_PGP_KEYS, recoveryThreshold: 2,
    vaultRoleArn: 'arn:aws:iam::123456789012:role/vault', applicationRoleArn: 'arn:aws:iam::123456789012:role/app', operatorRoleArn: 'arn:aws:iam::123456789012:role/ops',
    database: { hostname: 'db.internal', port: '5432', databaseName: 'company', masterSecretArn: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:master' },
    ...overrides,
  });
  return { stack, bootstrap };
};
const { stack, bootstrap } = base();
const t = Template.fromStack(stack);
const doc = Object.values(t.findResources('AWS::SSM::Document'))[0].Properties;
const script: string = doc.Content.mainSteps[0].inputs.runCommand.map(resolveFn).join('\n');
const before = (a: string, b: string) => expect(script.indexOf(a)).toBeLessThan(script.indexOf(b));

test('an SSM Command document running the script as a shell script', () => {
  expect(doc).toEqual(expect.objectContaining({ DocumentType: 'Command', Name: 'cellkit-acme-vault-bootstrap', UpdateMethod: 'NewVersion' }));
  expect(doc.Content.schemaVersion).toBe('2.2');
  expect(doc.Content.mainSteps[0].action).toBe('aws:runShellScript');
  expect(script.split('\n').length).toBe(bootstrap.script.split('\n').length);
});

test('init only when uninitialised, recovery shares PGP-encrypted to every operator key', () => {
  expect(script).toMatch(/if \[ "\$initialized" = "False" \]; then/);
  expect(script).toContain(`-recovery-shares=3 -recovery-threshold=2 -recovery-pgp-keys="$work/pgp-0.asc,$work/pgp-1.asc,$work/pgp-2.asc"`);
  EXAMPLE_PGP_KEYS.forEach((k, i) => expect(script).toContain(`printf '%s' '${k}' > "$work/pgp-${i}.asc"`));
  expect(script).toContain('work="$(mktemp -d -p /dev/shm)"');
});

test('recovery shares go to their own secret outside the cluster; the root token is never stored', () => {
  t.hasResourceProperties('AWS::SecretsManager::Secret', { Name: '/cellkit/acme/vault/recovery-keys', KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } });
  t.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'RetainExceptOnCreate' });
  expect(Object.values(t.findResources('AWS::SecretsManager::Secret'))[0].Properties.GenerateSecretString).toBeUndefined();
  expect(script).toContain(`aws secretsmanager put-secret-value --secret-id '<BootstrapRecoverySecret`);
  expect(script).not.toMatch(/put-secret-value.*root/);
  expect(script).toContain('shares = {"recovery_keys_b64"');
});

test('two audit devices, KV v2 mounts, AWS IAM auth bound to the roles, each guarded so re-runs are safe', () => {
  expect(script).toContain('has_key file/ || vault audit enable file file_path=/var/log/vault/audit.log');
  expect(script).toContain('has_key syslog/ || vault audit enable syslog');
  expect(script).toContain('has_key git-ssh/ || vault secrets enable -path=git-ssh -version=2 kv');
  expect(script).toContain('has_key integrations/ || vault secrets enable -path=integrations -version=2 kv');
  expect(script).toContain('has_key aws/ || vault auth enable aws');
  expect(script).toContain(`vault write auth/aws/role/cellkit-app auth_type=iam bound_iam_principal_arn='arn:aws:iam::123456789012:role/app'`);
  expect(script).toContain(`vault write auth/aws/role/cellkit-operator auth_type=iam bound_iam_principal_arn='arn:aws:iam::123456789012:role/ops'`);
  expect(script).toContain(`vault write auth/aws/role/cellkit-snapshot auth_type=iam bound_iam_principal_arn='arn:aws:iam::123456789012:role/vault'`);
});

test('database engine: {{username}}/{{password}} connection, then rotate-root, only when first configured', () => {
  expect(script).toContain(`connection_url='postgresql://{{username}}:{{password}}@db.internal:5432/company?sslmode=require'`);
  expect(script).toContain('if ! vault read database/config/company >/dev/null 2>&1; then');
  before('vault write database/config/company', 'vault write -force database/rotate-root/company');
  expect(script).toContain(`password=@"$work/db-password"`);
});

test('autopilot is set through the API after init, and the initial root token is revoked last', () => {
  before('vault operator init', 'vault operator raft autopilot set-config -cleanup-dead-servers=true');
  before('database/rotate-root', 'log "initial root token revoked"');
  expect(script).toMatch(/if \[ -n "\$root_token" \]; then\n {2}vault token revoke -self\n/);
});

test('without operator keys the document refuses to initialise', () => {
  const s = base({ recoveryPgpKeys: undefined, recoveryThreshold: undefined }).bootstrap.script;
  expect(s).not.toContain('vault operator init');
  expect(s).toContain('fail "the tenant spec names no vault.recoveryPgpKeys');
});

test.each([
  [{ recoveryThreshold: 4 }, /VaultBootstrap for tenant "acme": recoveryThreshold must be an integer from 1 to 3 .*got 4/],
  [{ recoveryThreshold: 0 }, /recoveryThreshold must be an integer from 1 to 3 .*got 0/],
  [{ recoveryThreshold: 1 }, /recoveryThreshold must be at least 2 when there are 3 recovery PGP keys/],
])('refuses %j', (overrides, message) => {
  expect(() => base(overrides)).toThrow(message);
});
