import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks, rules } from 'cdk-nag';
import { Construct } from 'constructs';
import { awsManagedPolicyFinding } from '../compliance/nag-packs';
import { nagRuleId } from '../compliance/nag-rule-id';
import { RETENTION_DAYS } from './retention-days';

export interface CellRetentionProps {
  /** Tenant id: names the vault and plan `cellkit-<tenant>`. */
  readonly tenantId: string;
  /** Encrypts the vault's recovery points. */
  readonly encryptionKey: kms.IKey;
  /** ARNs of what is backed up daily (the database instance, the file share volume). */
  readonly resourceArns: readonly string[];
  /**
   * How long each daily recovery point is kept; the vault lock refuses anything shorter.
   * @default Duration.days(RETENTION_DAYS), lib/data/retention-days.ts
   */
  readonly retention?: Duration;
}

/**
 * AWS Backup for the data tier: a retained vault encrypted with the data key, locked (governance
 * mode) to a minimum retention, and a daily plan keeping every recovery point RETENTION_DAYS (lib/data/retention-days.ts).
 */
export class CellRetention extends Construct {
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;
  readonly selection: backup.BackupSelection;

  constructor(scope: Construct, id: string, props: CellRetentionProps) {
    super(scope, id);
    const what = `CellRetention for tenant "${props.tenantId}"`;
    const retention = props.retention ?? Duration.days(RETENTION_DAYS);
    const days = retention.toDays({ integral: false });
    if (!Number.isInteger(days) || days < 1) {
      throw new Error(`${what}: retention must be at least 1 whole day; got ${days}`);
    }
    if (props.resourceArns.length === 0) {
      throw new Error(`${what}: resourceArns must name at least one resource to back up; got none`);
    }

    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: `cellkit-${props.tenantId}`,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      // Governance mode (no changeableFor): refuses shorter retention and early deletion, yet an
      // administrator holding backup:DeleteBackupVaultLockConfiguration can still purge on offboarding.
      lockConfiguration: { minRetention: retention },
    });
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupPlanName: `cellkit-${props.tenantId}`,
      backupVault: this.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: events.Schedule.cron({ hour: '3', minute: '0' }),
          deleteAfter: retention,
        }),
      ],
    });
    this.selection = this.plan.addSelection('DataTier', {
      resources: props.resourceArns.map((arn) => backup.BackupResource.fromArn(arn)),
      allowRestores: true,
    });
    const role = this.selection.node.findChild('Role');
    for (const policy of ['AWSBackupServiceRolePolicyForBackup', 'AWSBackupServiceRolePolicyForRestores']) {
      Validations.of(role).acknowledge({
        id: nagRuleId(AwsSolutionsChecks, rules.iam.IAMNoManagedPolicies, awsManagedPolicyFinding(`service-role/${policy}`)),
        reason: 'AWS-maintained service-role policy of AWS Backup, assumable only by backup.amazonaws.com; AWS updates it as services change their snapshot APIs, which a hand-written copy would miss (failed backups).',
      });
    }
  }
}
