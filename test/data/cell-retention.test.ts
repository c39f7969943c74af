import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CellRetention, CellRetentionProps } from '../../lib/data/cell-retention';
import { nagFindings, teamTenant, tenant } from '../fixtures';
import { Built, build } from './sizings';

const VAULT_LOGICAL_ID = 'RetentionVault4E1F3124';

let prod: Built;
let dev: Built;
beforeAll(() => {
  prod = build(tenant());
  dev = build(teamTenant());
});

describe.each([
  ['prod', () => prod],
  ['dev', () => dev],
])('CellRetention (%s sizing)', (_name, get) => {
  test('vault: locked logical ID, data key, retained, governance lock at 90 days', () => {
    const b = get();
    const vault = b.template.toJSON().Resources[VAULT_LOGICAL_ID];
    expect(vault).toMatchObject({
      Type: 'AWS::Backup::BackupVault',
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: { BackupVaultName: `cellkit-${b.stack.tenant.id}`, EncryptionKeyArn: b.stack.resolve(b.stack.keys.dataKey.keyArn), LockConfiguration: { MinRetentionDays: 90 } },
    });
    // Governance mode: no ChangeableForDays, so the documented offboarding purge stays possible.
    expect(vault.Properties.LockConfiguration.ChangeableForDays).toBeUndefined();
  });

  test('plan: one daily rule keeping recovery points 90 days in the vault', () => {
    const b = get();
    b.template.resourceCountIs('AWS::Backup::BackupPlan', 1);
    b.template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanName: `cellkit-${b.stack.tenant.id}`,
        BackupPlanRule: [{ RuleName: 'Daily', ScheduleExpression: 'cron(0 3 * * ? *)', Lifecycle: { DeleteAfterDays: 90 }, TargetBackupVault: { 'Fn::GetAtt': [VAULT_LOGICAL_ID, 'BackupVaultName'] } }],
      },
    });
  });

  test('selection: the database instance and the file share volume, by ARN', () => {
    const b = get();
    const selection = Object.values(b.template.findResources('AWS::Backup::BackupSelection'));
    expect(selection).toHaveLength(1);
    const resources = selection[0].Properties.BackupSelection.Resources;
    expect(resources).toEqual([b.stack.resolve(b.stack.database.instance.instanceArn), { 'Fn::GetAtt': ['FileShareGitVolume09BD5448', 'ResourceARN'] }]);
    expect(JSON.stringify(resources[0])).toContain('"Ref":"DatabaseInstanceAA8A5FDE"');
  });

  test('all four nag packs pass on the retention construct', () => {
    expect(nagFindings(get().stack.retention)).toEqual([]);
  });
});

describe('CellRetention props', () => {
  const make = (overrides: Partial<CellRetentionProps> = {}) => {
    const stack = new Stack();
    return new CellRetention(stack, 'Retention', { tenantId: 'acme', encryptionKey: new kms.Key(stack, 'Key'), resourceArns: ['arn:aws:rds:eu-west-2:123456789012:db:x'], ...overrides });
  };
  test('a longer retention also raises the lock', () => {
    const r = make({ retention: Duration.days(365) });
    Template.fromStack(Stack.of(r)).hasResourceProperties('AWS::Backup::BackupVault', { LockConfiguration: { MinRetentionDays: 365 } });
  });
  test.each([
    [{ retention: Duration.hours(12) }, 'CellRetention for tenant "acme": retention must be at least 1 whole day; got 0.5'],
    [{ resourceArns: [] }, 'CellRetention for tenant "acme": resourceArns must name at least one resource to back up; got none'],
  ])('refuses %o', (overrides, message) => {
    expect(() => make(overrides as Partial<CellRetentionProps>)).toThrow(message);
  });
});
