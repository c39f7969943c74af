// RETENTION_DAYS (lib/data/retention-days.ts) is the one place the "deleted data is kept N days" promise
// is spelled: the cell's backups, FSx backups and Vault snapshots use it, and the evidence control checks it.
import * as fs from 'fs';
import * as path from 'path';
import { RETENTION_DAYS } from '../../lib/data/retention-days';
import { CONTROLS } from '../../lib/evidence/controls';
import { REPO_ROOT, template } from '../fixtures';

/** Lines that spell the number for another reason, each with that reason. */
const ALLOWED: ReadonlyArray<{ file: string; line: string; reason: string }> = [
  { file: 'lib/data/retention-days.ts', line: 'export const RETENTION_DAYS = 90;', reason: 'the one source' },
  { file: 'lib/data/cell-file-share-props.ts', line: 'const MAX_FSX_BACKUP_DAYS = 90;', reason: 'the FSx limit on automatic backup retention, an AWS fact' },
  { file: 'lib/data/cell-file-share-props.ts', line: 'automatic daily backups, whole days from 1 to 90', reason: 'the same FSx limit, in the prop docs' },
  { file: 'lib/keys/cell-keys.ts', line: 'days < 90 || days > 2560', reason: 'the KMS rotation period limits, an AWS fact' },
  { file: 'lib/keys/cell-keys.ts', line: 'must be 90-2560 days (KMS limit)', reason: 'the same KMS limit, in the message' },
  { file: 'lib/vault/tls/handler/settings.ts', line: 'serverValidityDays: 90', reason: 'Vault server certificate lifetime, not data retention' },
  { file: 'lib/vault/tls/handler/settings.ts', line: 'at most 90 days', reason: 'the same certificate lifetime, in its comment' },
  { file: 'lib/vault/tls/vault-tls-issuer.ts', line: 'certificates live 90 days', reason: 'the certificate lifetime again' },
  { file: 'lib/evidence/controls/retention-90-days.ts', line: "id: 'retention-90-days'", reason: 'a control id auditors and earlier reports refer to: stable on purpose' },
  { file: 'lib/evidence/controls/retention-90-days.ts', line: 'const RETENTION_DAYS = 90;', reason: 'the audit states the written promise itself: checking templates against the constant that built them would pass any value' },
  { file: 'lib/evidence/controls/retention-90-days.ts', line: 'deleted data is kept 90 days', reason: 'the control file\'s header, naming the promise' },
  { file: 'lib/evidence/controls/retention-90-days.ts', line: "title: 'Deleted data is kept 90 days", reason: 'the control\'s title in every report: the written promise' },
  { file: 'lib/evidence/controls/index.ts', line: "from './retention-90-days'", reason: 'the control\'s file name is its id' },
  { file: 'lib/compliance/disabled-controls.ts', line: '(`retention-90-days`)', reason: 'names that control id' },
];

function linesSpellingNinetyDays(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (rel.endsWith('.ts')) {
        fs.readFileSync(path.join(REPO_ROOT, rel), 'utf8').split('\n').forEach((text, i) => {
          if (!/\b90\b/.test(text) || !/day/i.test(text)) return;
          if (ALLOWED.some((a) => a.file === rel && text.includes(a.line))) return;
          found.push(`${rel}:${i + 1}: ${text.trim()}`);
        });
      }
    }
  };
  walk('lib');
  walk('bin');
  return found;
}

describe('RETENTION_DAYS is the one source of the retention promise', () => {
  const resources = template().toJSON().Resources as Record<string, { Type: string; Properties?: any }>;
  const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type).map((r) => r.Properties);

  test('AWS Backup rules, FSx automatic backups and the Vault snapshot lifecycle all keep RETENTION_DAYS', () => {
    const rules = ofType('AWS::Backup::BackupPlan').flatMap((p) => p.BackupPlan.BackupPlanRule);
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) expect(r.Lifecycle.DeleteAfterDays).toBe(RETENTION_DAYS);
    expect(ofType('AWS::FSx::FileSystem').map((p) => p.OntapConfiguration.AutomaticBackupRetentionDays)).toEqual([RETENTION_DAYS]);
    const expiring = ofType('AWS::S3::Bucket').flatMap((b) => b.LifecycleConfiguration?.Rules ?? []).filter((r: any) => r.ExpirationInDays !== undefined);
    expect(expiring.length).toBeGreaterThan(0);
    for (const r of expiring) expect(r.ExpirationInDays).toBe(RETENTION_DAYS);
  });

  test('the evidence control states and checks the same number', () => {
    const control = CONTROLS.find((c) => c.id === 'retention-90-days')!;
    expect(control.title).toContain(`kept ${RETENTION_DAYS} days`);
  });

  test('no other line of lib/ or bin/ spells 90 days, except the listed AWS limits and ids (file:line listed)', () => {
    expect(linesSpellingNinetyDays()).toEqual([]);
    for (const a of ALLOWED) expect(fs.readFileSync(path.join(REPO_ROOT, a.file), 'utf8')).toContain(a.line);
  });
});
