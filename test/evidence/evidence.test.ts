import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { CellStack, cellStackName } from '../../lib/cell/cell-stack';
import { nagPacks } from '../../lib/compliance/nag-packs';
import { CfnTemplate } from '../../lib/evidence/template-model';
import { runEvidence } from '../../lib/evidence/evidence';
import { REPO_ROOT, regions, teamTenant, tenant } from '../fixtures';

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/** Synthesizes both example shapes exactly as bin/app.ts does (nag gate included). */
function synthAssembly(): string {
  const outdir = tmp('cellkit-evidence-out-');
  const app = new App({ outdir });
  for (const t of [tenant(), teamTenant()]) new CellStack(app, cellStackName(t.id), { tenant: t, cellkitVersion: '1.0.0', allowedRegions: regions.codes });
  Validations.of(app).addPlugins(...nagPacks(app));
  app.synth();
  return outdir;
}

describe('cellkit evidence', () => {
  let assembly: string;
  beforeAll(() => {
    assembly = synthAssembly();
  });

  /** Copies the assembly, edits the acme template, and returns the acme report's control statuses. */
  function mutated(edit: (t: CfnTemplate & { Resources: Record<string, any> }) => void, editManifest?: (m: any) => void) {
    const copy = tmp('cellkit-evidence-mut-');
    fs.cpSync(assembly, copy, { recursive: true });
    const file = path.join(copy, 'Cell-acme.template.json');
    const template = JSON.parse(fs.readFileSync(file, 'utf8'));
    edit(template);
    fs.writeFileSync(file, JSON.stringify(template));
    if (editManifest) {
      const mf = path.join(copy, 'manifest.json');
      const manifest = JSON.parse(fs.readFileSync(mf, 'utf8'));
      editManifest(manifest);
      fs.writeFileSync(mf, JSON.stringify(manifest));
    }
    const run = runEvidence({ cdkOut: copy, outDir: tmp('cellkit-evidence-report-'), tenant: 'acme' });
    const statuses = Object.fromEntries(run.reports[0].controls.map((c) => [c.id, c.status]));
    const problems = run.reports[0].controls.flatMap((c) => c.problems);
    return { ok: run.ok, statuses, problems, copy };
  }

  const ofType = (t: { Resources: Record<string, any> }, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);

  test('the example shapes pass every control, with reports in Markdown and JSON', () => {
    const out = tmp('cellkit-evidence-report-');
    const run = runEvidence({ cdkOut: assembly, outDir: out });
    const failures = run.reports.flatMap((r) => r.controls.filter((c) => c.status === 'FAIL').map((c) => `${r.tenant}/${c.id}: ${c.problems.join('; ')}`));
    expect(failures).toEqual([]);
    expect(run.ok).toBe(true);
    expect(run.reports.map((r) => r.tenant)).toEqual(['acme', 'globex']);
    expect(fs.readdirSync(out).sort()).toEqual(['acme.json', 'acme.md', 'globex.json', 'globex.md']);
    const md = fs.readFileSync(path.join(out, 'acme.md'), 'utf8');
    expect(md).toContain('**Result: PASS** (8 of 8 controls pass)');
    expect(md).toContain('```mermaid\nflowchart TB');
    expect(md).toMatch(/\| `NetworkVpcPublicSubnet1DefaultRoute[0-9A-F]*` \| `HIPAA\.Security-VPCNoUnrestrictedRouteToIGW` \| .{40,} \|/);
    // The Control Tower controls the gate leaves off, each with its reason and coverage (lib/compliance/disabled-controls.ts).
    expect(md).toContain('## Control Tower controls off in the synth gate');
    for (const id of ['CT.LAMBDA.PR.3', 'CT.RDS.PR.1', 'CT.S3.PR.2', 'CT.ELASTICLOADBALANCING.PR.6']) expect(md).toMatch(new RegExp(`\\| \`${id.replace(/\./g, '\\.')}\` \\| .{80,} \\| .*cdk-nag.* \\|`));
    const json = JSON.parse(fs.readFileSync(path.join(out, 'acme.json'), 'utf8'));
    expect(json.controls.map((c: { id: string }) => c.id)).toEqual([
      'region-pinned',
      'own-database',
      'database-credentials',
      'vault-seal',
      'encryption-at-rest',
      'file-share',
      'retention-90-days',
      'region-guard',
    ]);
  });

  test('the report is deterministic: the same template gives byte-identical reports', () => {
    const a = tmp('cellkit-evidence-a-');
    const b = tmp('cellkit-evidence-b-');
    runEvidence({ cdkOut: assembly, outDir: a, tenant: 'globex' });
    runEvidence({ cdkOut: assembly, outDir: b, tenant: 'globex' });
    expect(fs.readFileSync(path.join(b, 'globex.md'), 'utf8')).toBe(fs.readFileSync(path.join(a, 'globex.md'), 'utf8'));
  });

  test('seal key rotation off -> vault-seal FAILS', () => {
    const r = mutated((t) => {
      for (const [, k] of ofType(t, 'AWS::KMS::Key')) k.Properties.EnableKeyRotation = false;
    });
    expect(r.statuses['vault-seal']).toBe('FAIL');
    expect(r.problems).toContain('seal key rotation is off');
    expect(r.ok).toBe(false);
  });

  test('rotation period 730 -> vault-seal FAILS', () => {
    const r = mutated((t) => {
      for (const [, k] of ofType(t, 'AWS::KMS::Key')) k.Properties.RotationPeriodInDays = 730;
    });
    expect(r.statuses['vault-seal']).toBe('FAIL');
    expect(r.problems.join('\n')).toMatch(/seal key rotation period is 730 days, not 365/);
  });

  test('unencrypted database storage -> own-database and encryption-at-rest FAIL', () => {
    const r = mutated((t) => {
      const [, db] = ofType(t, 'AWS::RDS::DBInstance')[0];
      db.Properties.StorageEncrypted = false;
      delete db.Properties.KmsKeyId;
    });
    expect(r.statuses['own-database']).toBe('FAIL');
    expect(r.statuses['encryption-at-rest']).toBe('FAIL');
  });

  test('a log group without the cell key -> encryption-at-rest FAILS', () => {
    const r = mutated((t) => {
      for (const [, g] of ofType(t, 'AWS::Logs::LogGroup')) delete g.Properties.KmsKeyId;
    });
    expect(r.statuses['encryption-at-rest']).toBe('FAIL');
  });

  test('a missing backup rule -> retention-90-days FAILS', () => {
    const r = mutated((t) => {
      for (const [, p] of ofType(t, 'AWS::Backup::BackupPlan')) p.Properties.BackupPlan.BackupPlanRule = [];
    });
    expect(r.statuses['retention-90-days']).toBe('FAIL');
    expect(r.problems).toContain('no AWS Backup plan rule');
  });

  test('backups kept 30 days -> retention-90-days FAILS', () => {
    const r = mutated((t) => {
      for (const [, p] of ofType(t, 'AWS::Backup::BackupPlan')) for (const rule of p.Properties.BackupPlan.BackupPlanRule) rule.Lifecycle.DeleteAfterDays = 30;
    });
    expect(r.statuses['retention-90-days']).toBe('FAIL');
  });

  test('no deletion-protection custom resource for the database -> retention-90-days FAILS (deletion protection is off)', () => {
    const r = mutated((t) => {
      for (const [id] of ofType(t, 'Custom::CellkitDeletionProtection')) delete t.Resources[id];
    });
    expect(r.statuses['retention-90-days']).toBe('FAIL');
    expect(r.problems.join('\n')).toMatch(/DatabaseInstance\w+: deletion protection is off/);
  });

  test('a deletion-protection custom resource that a stack delete would run (Delete policy) -> retention-90-days FAILS', () => {
    const r = mutated((t) => {
      for (const [, cr] of ofType(t, 'Custom::CellkitDeletionProtection')) cr.DeletionPolicy = 'Delete';
    });
    expect(r.statuses['retention-90-days']).toBe('FAIL');
  });

  test('a DESTROY policy on the file system -> retention-90-days FAILS', () => {
    const r = mutated((t) => {
      const [, fsx] = ofType(t, 'AWS::FSx::FileSystem')[0];
      fsx.DeletionPolicy = 'Delete';
    });
    expect(r.statuses['retention-90-days']).toBe('FAIL');
    expect(r.problems.join('\n')).toMatch(/\(AWS::FSx::FileSystem\) would be destroyed: DeletionPolicy Delete/);
  });

  test('a public subnet for the database -> own-database FAILS', () => {
    const r = mutated((t) => {
      const [, db] = ofType(t, 'AWS::RDS::DBInstance')[0];
      const groupId = db.Properties.DBSubnetGroupName.Ref;
      const subnet = t.Resources[groupId].Properties.SubnetIds[0].Ref;
      const [, assoc] = ofType(t, 'AWS::EC2::SubnetRouteTableAssociation').find(([, a]) => a.Properties.SubnetId.Ref === subnet)!;
      const [igw] = ofType(t, 'AWS::EC2::InternetGateway')[0];
      t.Resources.PublicRouteForDatabase = { Type: 'AWS::EC2::Route', Properties: { RouteTableId: assoc.Properties.RouteTableId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: { Ref: igw } } };
    });
    expect(r.statuses['own-database']).toBe('FAIL');
    expect(r.problems.join('\n')).toMatch(/the database subnet group includes public subnets/);
  });

  test('the file share open to the internet -> file-share FAILS', () => {
    const r = mutated((t) => {
      const [, fsx] = ofType(t, 'AWS::FSx::FileSystem')[0];
      const sg = fsx.Properties.SecurityGroupIds[0]['Fn::GetAtt'][0];
      t.Resources.OpenShare = { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { GroupId: { 'Fn::GetAtt': [sg, 'GroupId'] }, IpProtocol: 'tcp', FromPort: 445, ToPort: 445, CidrIp: '0.0.0.0/0' } };
    });
    expect(r.statuses['file-share']).toBe('FAIL');
  });

  test('a plain-text database password -> database-credentials FAILS', () => {
    const r = mutated((t) => {
      const [, db] = ofType(t, 'AWS::RDS::DBInstance')[0];
      db.Properties.MasterUserPassword = 'hunter2hunter2';
    });
    expect(r.statuses['database-credentials']).toBe('FAIL');
  });

  test('no Vault bootstrap taking the master secret over -> database-credentials FAILS', () => {
    const r = mutated((t) => {
      for (const [id] of ofType(t, 'Custom::CellkitVaultBootstrap')) delete t.Resources[id];
    });
    expect(r.statuses['database-credentials']).toBe('FAIL');
    expect(r.problems).toContain('no Vault bootstrap hands the credentials to Vault (database secrets engine + rotate-root)');
  });

  test('the guard removed -> region-guard FAILS', () => {
    const r = mutated((t) => {
      for (const [id] of Object.entries(t.Resources).filter(([, x]) => /RegionGuard$/.test(x.Type))) delete t.Resources[id];
      for (const res of Object.values(t.Resources)) delete res.DependsOn;
    });
    expect(r.statuses['region-guard']).toBe('FAIL');
    expect(r.problems).toContain('expected one region guard custom resource, found 0');
  });

  test('a resource that does not wait for the guard -> region-guard FAILS', () => {
    const r = mutated((t) => {
      const [, db] = ofType(t, 'AWS::RDS::DBInstance')[0];
      delete db.DependsOn;
    });
    expect(r.statuses['region-guard']).toBe('FAIL');
  });

  test('a deploy region other than the pin -> region-pinned FAILS', () => {
    const r = mutated(
      () => undefined,
      (m) => {
        m.artifacts['Cell-acme'].environment = 'aws://123456789012/eu-west-1';
      },
    );
    expect(r.statuses['region-pinned']).toBe('FAIL');
    expect(r.problems).toContain('deploy region eu-west-1 differs from the pin ap-southeast-2');
  });

  test('the CLI exits 0 when every control passes and 1 when one fails', () => {
    const cli = (cdkOut: string) =>
      spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/cellkit.js'), 'evidence', '--cdk-out', cdkOut, '--out', tmp('cellkit-evidence-cli-')], { encoding: 'utf8' });
    const good = cli(assembly);
    expect(good.stdout).toMatch(/acme: PASS \(8 of 8 controls\)/);
    expect(good.status).toBe(0);
    const bad = cli(mutated((t) => { for (const [, k] of ofType(t, 'AWS::KMS::Key')) k.Properties.RotationPeriodInDays = 730; }).copy);
    expect(bad.stdout).toMatch(/acme: FAIL \(7 of 8 controls\)/);
    expect(bad.stdout).toMatch(/FAIL vault-seal: seal key rotation period is 730 days, not 365/);
    expect(bad.status).toBe(1);
  });

  // Issue 12, point 3: evidence fails closed.
  const CLI = path.join(REPO_ROOT, 'bin/cellkit.js');
  const cliRun = (cdkOut: string, out: string, ...extra: string[]) => spawnSync(process.execPath, [CLI, 'evidence', '--cdk-out', cdkOut, '--out', out, ...extra], { encoding: 'utf8' });

  /** A copy of the assembly with the acme template edited as text or as JSON. */
  function copyWith(edit: { json?: (t: any) => void; text?: (t: string) => string; manifestText?: (t: string) => string }): string {
    const copy = tmp('cellkit-evidence-closed-');
    fs.cpSync(assembly, copy, { recursive: true });
    const file = path.join(copy, 'Cell-acme.template.json');
    if (edit.json) {
      const t = JSON.parse(fs.readFileSync(file, 'utf8'));
      edit.json(t);
      fs.writeFileSync(file, JSON.stringify(t));
    }
    if (edit.text) fs.writeFileSync(file, edit.text(fs.readFileSync(file, 'utf8')));
    if (edit.manifestText) fs.writeFileSync(path.join(copy, 'manifest.json'), edit.manifestText(fs.readFileSync(path.join(copy, 'manifest.json'), 'utf8')));
    return copy;
  }

  test.each([
    ['no Metadata.cellkit', (t: any) => delete t.Metadata.cellkit],
    ['Metadata.cellkit = []', (t: any) => (t.Metadata.cellkit = [])],
  ])('a cell stack with %s fails the run, named, and its old PASS report is removed', (_what, edit) => {
    const out = tmp('cellkit-evidence-closed-out-');
    expect(cliRun(assembly, out).status).toBe(0);
    expect(fs.readFileSync(path.join(out, 'acme.md'), 'utf8')).toContain('**Result: PASS**');
    const broken = copyWith({ json: edit });
    const r = cliRun(broken, out);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^Cell-acme: NOT EVALUATED: stack Cell-acme \(.*Cell-acme\.template\.json\) has no valid Metadata\.cellkit, so it cannot be evaluated as a cell/m);
    expect(r.stdout).toMatch(/^globex: PASS/m);
    expect(fs.readdirSync(out).sort()).toEqual(['globex.json', 'globex.md']);
    expect(r.stdout).toMatch(/removed .*acme\.json: its tenant was not evaluated in this run/);
  });

  test('reports of tenants not evaluated in this run are removed; other files in the folder are kept', () => {
    const out = tmp('cellkit-evidence-stale-');
    expect(cliRun(assembly, out).status).toBe(0);
    fs.renameSync(path.join(out, 'acme.md'), path.join(out, 'offboarded.md'));
    fs.writeFileSync(path.join(out, 'offboarded.json'), JSON.stringify({ tenant: 'offboarded', stackName: 'Cell-offboarded', controls: [] }));
    fs.writeFileSync(path.join(out, 'README.md'), '# notes\n');
    const r = cliRun(assembly, out, '--tenant', 'globex');
    expect(r.status).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['README.md', 'globex.json', 'globex.md']);
    expect(r.stdout).toMatch(/removed .*offboarded\.md: its tenant was not evaluated in this run/);
  });

  test.each([
    ['a truncated template', { text: (t: string) => t.slice(0, 200) }, /stack Cell-acme: Cell-acme\.template\.json is not valid JSON at line \d+, column \d+: .*\(.*Cell-acme\.template\.json\)/],
    ['an invalid manifest', { manifestText: (t: string) => t.replace('{', '{,') }, /cloud assembly manifest: manifest\.json is not valid JSON at line 1, column 2: .*\(.*manifest\.json\)/],
  ])('%s is reported with its path, line and column (exit 2)', (_what, edit, message) => {
    const r = cliRun(copyWith(edit), tmp('cellkit-evidence-bad-'));
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.status).toBe(2);
  });

  test('a stateful resource type the encryption control does not know -> encryption-at-rest FAILS', () => {
    const r = mutated((t) => {
      t.Resources.OrdersTable = { Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] } };
    });
    expect(r.statuses['encryption-at-rest']).toBe('FAIL');
    expect(r.problems).toContain('OrdersTable: resource type AWS::DynamoDB::Table is not known to this control, so whether it stores data unencrypted is unchecked; classify it in lib/evidence/resource-types.ts');
  });

  test('an FSx volume whose file system does not use a cell key -> encryption-at-rest FAILS', () => {
    const r = mutated((t) => {
      for (const [, f] of ofType(t, 'AWS::FSx::FileSystem')) delete f.Properties.KmsKeyId;
    });
    expect(r.statuses['encryption-at-rest']).toBe('FAIL');
    expect(r.problems.join('\n')).toMatch(/: file system KmsKeyId \(via its storage virtual machine\) does not use one of the cell's KMS keys/);
  });
});
