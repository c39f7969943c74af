// VaultBootstrapPolicy (lib/vault/bootstrap/bootstrap-policy.ts): the bootstrap function's one managed policy.
import { bootstrapOfDev } from '../vault-stack';

const { dev, json, id, b } = bootstrapOfDev();

test('least privilege: read the TLS and master secrets, write the recovery secret, KMS only through Secrets Manager', () => {
  const policies = Object.values(json.Resources).filter((r: any) => r.Type === 'AWS::IAM::ManagedPolicy' && r.Properties.Roles?.some((x: any) => x.Ref === id(b.role)));
  expect(policies).toHaveLength(1);
  const st = Object.fromEntries((policies[0] as any).Properties.PolicyDocument.Statement.map((s: any) => [s.Sid, s]));
  expect(st.ReadCaAndMasterSecret).toEqual(expect.objectContaining({ Action: 'secretsmanager:GetSecretValue', Resource: [{ Ref: id(dev.vault.tlsSecret) }, { Ref: id(dev.databaseSecret) }] }));
  expect(st.WriteRecoveryShares).toEqual(expect.objectContaining({ Action: 'secretsmanager:PutSecretValue', Resource: { Ref: id(b.recoverySecret) } }));
  expect(st.SecretKeysThroughSecretsManager).toEqual(expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-2.amazonaws.com' } } }));
  expect(JSON.stringify(st)).not.toMatch(/"\*"|:\*"/);
  // The Vault servers lost what the on-node bootstrap needed: no recovery secret, no master secret.
  const instance = JSON.stringify(Object.values(json.Resources).filter((r: any) => r.Type === 'AWS::IAM::ManagedPolicy' && r.Properties.Roles?.some((x: any) => x.Ref === id(dev.vault.role))));
  expect(instance).not.toContain(id(b.recoverySecret));
  expect(instance).not.toContain(id(dev.databaseSecret));
});
