// Evidence control: deleted data is kept 90 days, and no stateful resource is destroyed by a stack delete.
import { Control } from '../control';
import { DELETION_PROTECTION_TYPE } from '../../rollback/deletion-protection-type';
import { prop, showValue } from '../template-model';

/** Resource types that hold data or keys: never deleted by a stack delete or replacement. */
export const STATEFUL_TYPES = [
  'AWS::KMS::Key',
  'AWS::RDS::DBInstance',
  'AWS::FSx::FileSystem',
  'AWS::FSx::Volume',
  'AWS::Backup::BackupVault',
  'AWS::S3::Bucket',
  'AWS::Logs::LogGroup',
  'AWS::EC2::Volume',
];

// The written promise, stated here on purpose rather than read from lib/data/retention-days.ts: the audit
// checks the templates against the promise, not against the code that built them.
const RETENTION_DAYS = 90;

export const retention90Days: Control = {
  id: 'retention-90-days',
  title: 'Deleted data is kept 90 days, and no stateful resource can be destroyed by a stack delete',
  evaluate(ctx, c) {
    const m = ctx.model;
    const plans = m.ofType('AWS::Backup::BackupPlan');
    const rules = plans.flatMap(([id, p]) => ((prop(p, 'Properties.BackupPlan.BackupPlanRule') as { RuleName?: string; Lifecycle?: { DeleteAfterDays?: number } }[] | undefined) ?? []).map((r) => ({ id, r })));
    for (const { id, r } of rules) c.see(id, `rule ${r.RuleName}: Lifecycle.DeleteAfterDays`, r.Lifecycle?.DeleteAfterDays);
    c.require(rules.length > 0, 'no AWS Backup plan rule');
    c.require(rules.every(({ r }) => r.Lifecycle?.DeleteAfterDays === RETENTION_DAYS), `backup rules must keep recovery points ${RETENTION_DAYS} days`);
    const selected = m.ofType('AWS::Backup::BackupSelection').flatMap(([, s]) => m.references(prop(s, 'Properties.BackupSelection.Resources')));
    for (const type of ['AWS::RDS::DBInstance', 'AWS::FSx::FileSystem']) {
      const ids = m.ofType(type).map(([id]) => id);
      const volumes = type === 'AWS::FSx::FileSystem' ? m.ofType('AWS::FSx::Volume').map(([id]) => id) : [];
      const covered = ids.length > 0 && (ids.some((id) => selected.includes(id)) || volumes.some((v) => selected.includes(v)));
      c.see('(backup selection)', type, covered ? 'backed up daily' : 'not selected');
      c.require(covered, `${type} is not in a backup selection`);
    }
    for (const [id, fs] of m.ofType('AWS::FSx::FileSystem')) {
      const days = prop(fs, 'Properties.OntapConfiguration.AutomaticBackupRetentionDays');
      c.see(id, 'AutomaticBackupRetentionDays', days);
      c.require(days === RETENTION_DAYS, `${id}: automatic backups are kept ${showValue(days)} days, not ${RETENTION_DAYS}`);
    }
    for (const [id, b] of m.ofType('AWS::S3::Bucket')) {
      const lifecycle = (prop(b, 'Properties.LifecycleConfiguration.Rules') as { Status?: string; ExpirationInDays?: number; NoncurrentVersionExpiration?: { NoncurrentDays?: number } }[] | undefined) ?? [];
      const ok = lifecycle.some((r) => r.Status === 'Enabled' && r.ExpirationInDays === RETENTION_DAYS);
      c.see(id, 'LifecycleConfiguration', lifecycle);
      c.require(ok, `${id}: objects do not expire after ${RETENTION_DAYS} days`);
    }
    for (const [id, db] of m.ofType('AWS::RDS::DBInstance')) {
      // Either in the template, or turned on right after create by a custom resource that only a create
      // rollback deletes (docs/deploy-rollback.md): that keeps a failed first deploy retryable.
      const after = m.ofType(DELETION_PROTECTION_TYPE).find(([, r]) => r.DeletionPolicy === 'RetainExceptOnCreate' && m.refersTo(prop(r, 'Properties.Create'), id) && JSON.stringify(prop(r, 'Properties.Create')).includes('\\"DeletionProtection\\":true'));
      c.see(id, 'DeletionProtection', prop(db, 'Properties.DeletionProtection') ?? (after ? `on after create (${after[0]})` : undefined));
      c.require(prop(db, 'Properties.DeletionProtection') === true || after !== undefined, `${id}: deletion protection is off`);
    }
    for (const [id, r] of m.resources.filter(([, x]) => STATEFUL_TYPES.includes(x.Type))) {
      const keep = (p: string | undefined) => p === 'Retain' || p === 'Snapshot' || p === 'RetainExceptOnCreate';
      c.see(id, `${r.Type} DeletionPolicy/UpdateReplacePolicy`, `${r.DeletionPolicy ?? '(Delete)'}/${r.UpdateReplacePolicy ?? '(Delete)'}`);
      c.require(keep(r.DeletionPolicy) && keep(r.UpdateReplacePolicy), `${id} (${r.Type}) would be destroyed: DeletionPolicy ${r.DeletionPolicy ?? 'Delete'}, UpdateReplacePolicy ${r.UpdateReplacePolicy ?? 'Delete'}`);
    }
  },
};
