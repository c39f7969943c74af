// VaultNodeRole (lib/vault/cluster/node-role.ts): the servers' role, its policies and the seal key's statement.
import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { VaultNodeRole } from '../../../lib/vault/cluster/node-role';
import { VaultZip } from '../../../lib/vault/cluster/vault-zip';
import { VAULT_RELEASE } from '../../../lib/vault/vault-release';
import { list, logicalId, prodAndDev, statementsOf } from '../vault-stack';

const { prod, dev, prodT, devT } = prodAndDev();

describe('instance role', () => {
  test.each([['prod', prodT, prod], ['dev', devT, dev]] as const)('%s: the seal key allows exactly Encrypt/Decrypt/DescribeKey to the Vault role (IAM and key policy)', (_n, t, s) => {
    const sealId = logicalId(s.stack, s.keys.sealKey);
    const roleId = logicalId(s.stack, s.vault.role);
    const onSeal = statementsOf(t).filter((st) => list(st.Resource).some((r) => JSON.stringify(r).includes(sealId)));
    expect(onSeal.map((st) => [list(st.Action).sort(), st.Effect])).toEqual([[['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt'], 'Allow']]);
    const keyPolicy = t.toJSON().Resources[sealId].Properties.KeyPolicy.Statement as any[];
    // The role is named in aws:PrincipalArn (KMS validates principals, and the role is brand new), scoped to the account.
    const forRole = keyPolicy.filter((st) => JSON.stringify(st.Condition?.ArnEquals?.['aws:PrincipalArn'] ?? '').includes(roleId));
    expect(forRole).toEqual([
      expect.objectContaining({ Effect: 'Allow', Principal: { AWS: '*' }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey'], Resource: '*', Condition: { ArnEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [roleId, 'Arn'] } }, StringEquals: { 'kms:CallerAccount': s.stack.account } } }),
    ]);
    // Nothing else in the seal key policy names a data-plane action for anyone.
    const others = keyPolicy.filter((st) => st !== forRole[0]).flatMap((st) => list(st.Action));
    expect(others.filter((a) => /Encrypt|Decrypt|GenerateDataKey/.test(a))).toEqual([]);
  });

  test.each([['prod', prodT], ['dev', devT]] as const)('%s: no IAM wildcard except ec2:DescribeInstances and the TLS issuer network interfaces on "*"; KMS actions are exact', (_n, t) => {
    const statements = statementsOf(t).filter((st) => st.Effect === 'Allow');
    for (const st of statements) {
      for (const a of list(st.Action ?? [])) expect(a).not.toMatch(/\*/);
      for (const a of list(st.Action ?? []).filter((x: string) => x.startsWith('kms:'))) {
        expect(['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey']).toContain(a);
      }
    }
    const wildcard = statements.filter((st) => list(st.Resource ?? []).some((r) => JSON.stringify(r).includes('*')));
    // The flow-log role and CDK's own are outside Vault; among Vault's policies only auto-join and the TLS
    // issuer's VPC network interfaces (test/vault/tls/vault-tls-issuer.test.ts) use "*".
    const vaultWildcards = wildcard.filter((st) => st.id.startsWith('Vault'));
    expect(vaultWildcards.map((st) => [st.id.replace(/[0-9A-F]{8}$/, ''), st.Sid ?? st.Action, st.Resource])).toEqual([
      ['VaultAutoJoinPolicy', 'RaftAutoJoin', '*'],
      ['VaultTlsPolicy', 'VpcNetworkInterfaces', '*'],
    ]);
    expect(wildcard.filter((st) => !st.id.startsWith('Vault') && list(st.Action).some((a: string) => a.startsWith('kms:')))).toEqual([]);
  });

  test('managed policies only (no inline policy), SSM core attached, role assumable by EC2 only', () => {
    prodT.resourceCountIs('AWS::IAM::Policy', 0);
    prodT.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [expect.anything() && Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] },
      ManagedPolicyArns: Match.arrayWith([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] }]),
    });
  });

  test('own secrets, own snapshot object, own log groups: exact resources', () => {
    const st = Object.fromEntries(statementsOf(prodT).filter((s) => s.id.startsWith('VaultInstancePolicy')).map((s) => [s.Sid, s]));
    const id = (c: any) => logicalId(prod.stack, c);
    // The recovery shares and the master secret are the bootstrap function's business, not the servers'.
    expect(st.ReadOwnSecrets.Resource).toEqual({ Ref: id(prod.vault.tlsSecret) });
    expect(st.WriteRecoveryShares).toBeUndefined();
    expect(st.WriteSnapshot).toEqual(expect.objectContaining({ Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id(prod.vault.snapshotBucket), 'Arn'] }, '/raft/vault.snap']] } }));
    expect(st.OwnLogs.Resource.map((r: any) => r['Fn::GetAtt'][0]).sort()).toEqual([expect.stringMatching(/^VaultAuditLogs/), expect.stringMatching(/^VaultServerLogs/)]);
    expect(st.DataKeyThroughSecretsManagerAndS3.Condition).toEqual({ StringEquals: { 'kms:ViaService': ['secretsmanager.ap-southeast-2.amazonaws.com', 's3.ap-southeast-2.amazonaws.com'] } });
    expect(st.ReadVaultZip).toBeUndefined();
  });

  test('egress none: reads exactly the pinned zip from the artifact bucket', () => {
    const zip = statementsOf(devT).find((s) => s.Sid === 'ReadVaultZip');
    expect(zip).toEqual(expect.objectContaining({ Action: 's3:GetObject' }));
    expect(JSON.stringify(zip.Resource)).toContain(`:s3:::cellkit-artifacts-123456789012-eu-west-2/vault/vault_${VAULT_RELEASE.version}_linux_amd64.zip`);
  });
});

describe('refuses bad props with clear messages', () => {
  /** The role's inputs in a stack of their own; `sealKey` defaults to a key of its own. */
  function nodeRole(pick: (keys: { seal: kms.IKey; data: kms.IKey }) => { sealKey: kms.IKey; dataKey: kms.IKey }, logGroups?: logs.ILogGroup[]) {
    const stack = new Stack(new App(), 'Role', { env: { account: '123456789012', region: 'eu-west-2' } });
    const data = new kms.Key(stack, 'Data');
    const keys = pick({ seal: new kms.Key(stack, 'Seal'), data });
    return new VaultNodeRole(stack, {
      tenantId: 'acme',
      ...keys,
      tlsSecret: new secretsmanager.Secret(stack, 'Tls'),
      snapshotBucket: new s3.Bucket(stack, 'Snapshots'),
      logGroups: logGroups ?? [new logs.LogGroup(stack, 'Logs')],
      zip: new VaultZip(stack, { tenantId: 'acme', egress: 'nat' }),
    });
  }

  test('two different keys are accepted (control)', () => {
    expect(nodeRole((k) => ({ sealKey: k.seal, dataKey: k.data })).role).toBeDefined();
  });

  test('the seal key is refused as the data key', () => {
    expect(() => nodeRole((k) => ({ sealKey: k.data, dataKey: k.data }))).toThrow(
      'VaultCluster for tenant "acme": sealKey and dataKey must be two different KMS keys (the seal key is for the Vault servers alone)',
    );
  });

  test('two imports of one key ARN are refused too', () => {
    const arn = 'arn:aws:kms:eu-west-2:123456789012:key/11111111-2222-3333-4444-555555555555';
    expect(() => nodeRole((k) => {
      const scope = Stack.of(k.data);
      return { sealKey: kms.Key.fromKeyArn(scope, 'A', arn), dataKey: kms.Key.fromKeyArn(scope, 'B', arn) };
    })).toThrow(/sealKey and dataKey must be two different KMS keys/);
  });

  test('no log groups is refused', () => {
    expect(() => nodeRole((k) => ({ sealKey: k.seal, dataKey: k.data }), [])).toThrow('VaultCluster for tenant "acme": the node role needs the log groups the nodes write to; got none');
  });
});
