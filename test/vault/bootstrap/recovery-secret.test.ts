// VaultRecoverySecret (lib/vault/bootstrap/recovery-secret.ts): the recovery keys' refusals and the recovery-shares secret.
import { validateRecovery } from '../../../lib/vault/bootstrap/recovery-secret';
import { EXAMPLE_PGP_KEYS, teamTenant } from '../../fixtures';
import { bootstrapOfDev, vaultStack } from '../vault-stack';

test('the recovery-shares secret is created empty, encrypted with the data key, and retained', () => {
  const { dev, json, id, b } = bootstrapOfDev();
  const secret = json.Resources[id(b.recoverySecret)];
  expect(secret).toMatchObject({ DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
  expect(secret.Properties).toMatchObject({ Name: '/cellkit/globex/vault/recovery-keys', KmsKeyId: { 'Fn::GetAtt': [id(dev.keys.dataKey), 'Arn'] } });
  expect(secret.Properties.SecretString).toBeUndefined();
  expect(secret.Properties.GenerateSecretString).toBeUndefined();
});

test('valid recovery keys pass: one key with threshold 1, three keys with threshold 2 or 3 (control for the refusals)', () => {
  expect(validateRecovery('globex', EXAMPLE_PGP_KEYS.slice(0, 1), 1)).toEqual({ pgpKeys: EXAMPLE_PGP_KEYS.slice(0, 1), threshold: 1 });
  for (const threshold of [2, 3]) expect(validateRecovery('globex', EXAMPLE_PGP_KEYS, threshold)).toEqual({ pgpKeys: EXAMPLE_PGP_KEYS, threshold });
});

describe('refuses at synth, naming the tenant and the field', () => {
  test.each([
    ['no recovery keys', { recovery: undefined }, /VaultBootstrap for tenant "globex": field "vault.recoveryPgpKeys" of tenants\/globex.json is missing or empty/],
    ['an empty key list', { recovery: { pgpKeys: [], threshold: 1 } }, /field "vault.recoveryPgpKeys" of tenants\/globex.json is missing or empty/],
    ['threshold above the key count', { recovery: { pgpKeys: EXAMPLE_PGP_KEYS, threshold: 4 } }, /VaultBootstrap for tenant "globex": recoveryThreshold must be an integer from 1 to 3 .*got 4/],
    ['threshold 0', { recovery: { pgpKeys: EXAMPLE_PGP_KEYS, threshold: 0 } }, /recoveryThreshold must be an integer from 1 to 3 .*got 0/],
    ['threshold 1 of several keys', { recovery: { pgpKeys: EXAMPLE_PGP_KEYS, threshold: 1 } }, /recoveryThreshold must be at least 2 when there are 3 recovery PGP keys/],
  ])('%s', (_label, overrides, message) => {
    expect(() => vaultStack(teamTenant(), overrides)).toThrow(message);
  });
});
