import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CellKeys, KEY_ADMIN_ACTIONS } from '../../lib/keys/cell-keys';
import { template, teamTenant, tenant } from '../fixtures';

type Statement = { Sid?: string; Effect?: string; Action: string | string[]; Principal: unknown; Condition?: Record<string, Record<string, unknown>> };

describe('CellKeys', () => {
  let t: Template;
  beforeAll(() => {
    t = template(teamTenant());
  });

  // The cell's own two keys (the region guard has a key of its own, tested with the guard).
  const keys = () => Object.fromEntries(Object.entries(t.findResources('AWS::KMS::Key')).filter(([id]) => id.startsWith('Keys')));

  test('two keys with locked logical IDs, rotation yearly, retained, 30-day pending window', () => {
    expect(Object.keys(keys()).sort()).toEqual(['KeysDataKey8F3FE3A4', 'KeysSealKey3B1F7C33']);
    for (const key of Object.values(keys())) {
      expect(key.DeletionPolicy).toBe('RetainExceptOnCreate');
      expect(key.UpdateReplacePolicy).toBe('Retain');
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.Properties.RotationPeriodInDays).toBe(365);
      expect(key.Properties.PendingWindowInDays).toBe(30);
    }
  });

  test('aliases name the tenant and the key purpose', () => {
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/cellkit/globex/data', TargetKeyId: { 'Fn::GetAtt': ['KeysDataKey8F3FE3A4', 'Arn'] } });
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/cellkit/globex/seal', TargetKeyId: { 'Fn::GetAtt': ['KeysSealKey3B1F7C33', 'Arn'] } });
  });

  test('no key policy grants a wildcard action, nor lets the account disable a key or its rotation', () => {
    for (const key of Object.values(keys())) {
      for (const s of key.Properties.KeyPolicy.Statement as Statement[]) {
        const actions = ([] as string[]).concat(s.Action);
        for (const a of actions) expect(a).not.toMatch(/\*/);
        expect(actions).not.toContain('kms:DisableKey');
        expect(actions).not.toContain('kms:DisableKeyRotation');
      }
    }
  });

  // Control Tower CT.KMS.PR.3; AWS KMS Developer Guide, "AWS KMS condition keys" (kms:GrantIsForAWSResource).
  test('every key of the cell (the guard\'s log key too) denies CreateGrant unless an AWS service asks for an AWS resource', () => {
    const all = Object.values(t.findResources('AWS::KMS::Key'));
    expect(all).toHaveLength(3);
    for (const key of all) {
      const deny = (key.Properties.KeyPolicy.Statement as (Statement & { Effect: string; Resource: unknown })[]).filter((s) => s.Effect === 'Deny');
      expect(deny).toEqual([{
        Sid: 'DenyGrantsExceptForAwsServices', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:CreateGrant', Resource: '*',
        Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      }]);
    }
  });

  test('the account administers both keys but uses neither directly', () => {
    for (const key of Object.values(keys())) {
      const admin = (key.Properties.KeyPolicy.Statement as Statement[]).find((s) => s.Sid === 'AccountAdministersKeyButCannotDisableIt')!;
      expect(admin.Action).toEqual(KEY_ADMIN_ACTIONS);
      expect(admin.Action).not.toContain('kms:Decrypt');
      expect(admin.Condition).toBeUndefined();
    }
  });

  test('the data key is usable only through the cell services of this account and region, by CloudWatch Logs of this account, and by the Auto Scaling service-linked role (EC2 Auto Scaling: Required AWS KMS key policy for use with encrypted volumes)', () => {
    const data = keys().KeysDataKey8F3FE3A4.Properties.KeyPolicy.Statement as Statement[];
    const via = data.find((s) => s.Sid === 'UseThroughCellServices')!;
    expect(via.Condition!.StringEquals['kms:CallerAccount']).toBe('123456789012');
    expect(via.Condition!.StringEquals['kms:ViaService']).toEqual(['backup', 'ec2', 'fsx', 'rds', 's3', 'secretsmanager'].map((s) => `${s}.eu-west-2.amazonaws.com`));
    const logs = data.find((s) => s.Sid === 'CloudWatchLogsOfThisAccount')!;
    expect(logs.Principal).toEqual({ Service: 'logs.eu-west-2.amazonaws.com' });
    expect(JSON.stringify(logs.Condition)).toContain(':logs:eu-west-2:123456789012:log-group:*');
    const onlyAutoScaling = {
      ArnEquals: { 'aws:PrincipalArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling']] } },
      StringEquals: { 'kms:CallerAccount': '123456789012' },
    };
    const volumes = data.find((s) => s.Sid === 'AutoScalingVolumes')!;
    expect(volumes).toMatchObject({ Principal: { AWS: '*' }, Condition: onlyAutoScaling });
    const grants = data.find((s) => s.Sid === 'AutoScalingVolumeGrants')!;
    expect(grants.Action).toBe('kms:CreateGrant');
    expect(grants.Condition).toEqual({ ...onlyAutoScaling, Bool: { 'kms:GrantIsForAWSResource': true } });
  });

  // AWS KMS API reference, CreateKey, Policy: "The principals in the key policy must exist and be visible
  // to KMS". A fresh account has no AWSServiceRoleForAutoScaling until its first Auto Scaling group, so no
  // key policy may name it (or any role the stack does not create first) as a principal.
  test.each([['egress none', teamTenant()], ['egress nat', tenant()]] as const)('%s: every key policy principal exists before its key is created (KMS CreateKey: principals must exist)', (_n, tt) => {
    const json = template(tt).toJSON();
    const resources = json.Resources as Record<string, any>;
    for (const [id, key] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::KMS::Key')) {
      for (const s of key.Properties.KeyPolicy.Statement as Statement[]) {
        const aws = (s.Principal as { AWS?: unknown }).AWS;
        if (aws === undefined) continue; // service principals
        for (const p of ([] as unknown[]).concat(aws)) {
          if (p === '*' && s.Effect === 'Deny') continue; // a Deny grants nothing, and "*" needs no principal to exist
          if (p === '*') {
            // Anyone is narrowed to one principal ARN of this account: the ARN is only compared, never resolved.
            expect([id, s.Sid, Object.keys(s.Condition!.ArnEquals ?? {})]).toEqual([id, s.Sid, ['aws:PrincipalArn']]);
            expect([id, s.Sid, s.Condition!.StringEquals['kms:CallerAccount']]).toEqual([id, s.Sid, '123456789012']);
            continue;
          }
          const text = JSON.stringify(p);
          if (/:root"/.test(text)) continue; // the account itself
          // Nothing else: even a role this stack creates just before the key may not be visible to KMS yet.
          expect([id, s.Sid, text]).toEqual([id, s.Sid, 'the account root or "*" narrowed by aws:PrincipalArn']);
        }
      }
      expect(JSON.stringify(key.Properties.KeyPolicy)).not.toMatch(/"AWS":\{?"?[^"]*AWSServiceRoleForAutoScaling/);
    }
  });

  test('the seal key has exactly one user: the Vault role, with Encrypt, Decrypt and DescribeKey', () => {
    const seal = keys().KeysSealKey3B1F7C33.Properties.KeyPolicy.Statement as Statement[];
    expect(seal).toHaveLength(3);
    const users = seal.filter((s) => s.Sid !== 'AccountAdministersKeyButCannotDisableIt' && s.Effect === 'Allow');
    expect(users).toHaveLength(1);
    expect(([] as string[]).concat(users[0].Action).sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt']);
    expect(users[0].Principal).toEqual({ AWS: '*' });
    expect(JSON.stringify(users[0].Condition!.ArnEquals['aws:PrincipalArn'])).toMatch(/VaultRole/);
    expect(users[0].Condition!.StringEquals['kms:CallerAccount']).toBe('123456789012');
  });

  test.each([
    ['an 8-year rotation', { rotationPeriod: Duration.days(730 * 4) }, /CellKeys for tenant "acme": rotationPeriod must be 90-2560 days \(KMS limit\); got 2920/],
    ['a 30-day rotation', { rotationPeriod: Duration.days(30) }, /rotationPeriod must be 90-2560 days \(KMS limit\); got 30/],
    ['a 3-day pending window', { pendingWindow: Duration.days(3) }, /CellKeys for tenant "acme": pendingWindow must be 7-30 days \(KMS limit\); got 3/],
  ])('refuses %s', (_what, props, message) => {
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-2' } });
    expect(() => new CellKeys(stack, 'Keys', { tenantId: 'acme', ...props })).toThrow(message);
  });
});
