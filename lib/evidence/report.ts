import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { DISABLED_CONTROLS, DisabledControl } from '../compliance/disabled-controls';
import { RETENTION_DAYS } from '../data/retention-days';
import { SynthesizedCell } from './cloud-assembly';
import { ControlResult, evaluate } from './controls';
import { Acknowledgment, TemplateModel } from './template-model';
import { vaultReleaseWarnings } from './vault-release-warning';

export interface CellReport {
  readonly tenant: string;
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly cellkitVersion: string;
  readonly template: { readonly file: string; readonly sha256: string };
  readonly status: 'PASS' | 'FAIL';
  readonly controls: readonly ControlResult[];
  /** Not failures: e.g. the pinned Vault release is past its support window (checked only when a date is given). */
  readonly warnings: readonly string[];
  readonly acknowledgments: readonly Acknowledgment[];
  /** Control Tower proactive controls the synth gate leaves off, for every cell (lib/compliance/disabled-controls.ts). */
  readonly controlTowerDisabled: readonly DisabledControl[];
  readonly diagram: string;
}

/** Evaluates every control against one synthesized cell. No timestamps: reports diff cleanly. `now` enables the release-support warning. */
export function cellReport(cell: SynthesizedCell, now?: Date): CellReport {
  const controls = evaluate(cell);
  const text = fs.readFileSync(cell.templateFile, 'utf8');
  const model = new TemplateModel(cell.template);
  return {
    tenant: cell.cell.tenant,
    stackName: cell.stackName,
    account: cell.account,
    region: cell.region,
    cellkitVersion: cell.cell.version,
    template: { file: path.basename(cell.templateFile), sha256: crypto.createHash('sha256').update(text).digest('hex') },
    status: controls.every((c) => c.status === 'PASS') ? 'PASS' : 'FAIL',
    controls,
    warnings: now ? vaultReleaseWarnings(cell.template, now) : [],
    acknowledgments: model.acknowledgments,
    controlTowerDisabled: DISABLED_CONTROLS,
    diagram: mermaid(cell, model),
  };
}

const MARKDOWN_TITLE = '# Security evidence: tenant ';

/** True for a report this command writes (`<tenant>.md` or `.json`); other files in the folder are left alone. */
export function isReportFile(file: string): boolean {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  if (file.endsWith('.md')) return text.startsWith(MARKDOWN_TITLE);
  if (!file.endsWith('.json')) return false;
  try {
    const r = JSON.parse(text) as Partial<CellReport>;
    return typeof r.tenant === 'string' && typeof r.stackName === 'string' && Array.isArray(r.controls);
  } catch {
    return false;
  }
}

const cellEscape = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(r: CellReport): string {
  const passed = r.controls.filter((c) => c.status === 'PASS').length;
  const lines = [
    `${MARKDOWN_TITLE}\`${r.tenant}\``,
    '',
    `Read from the synthesized template \`${r.template.file}\` (sha256 \`${r.template.sha256}\`), stack \`${r.stackName}\`,`,
    `to be deployed to account \`${r.account}\`, region \`${r.region}\`; cellkit ${r.cellkitVersion}.`,
    '',
    `**Result: ${r.status}** (${passed} of ${r.controls.length} controls pass)`,
    '',
    ...(r.warnings.length ? ['**Warnings**', '', ...r.warnings.map((w) => `- ${w}`), ''] : []),
    '| control | status |',
    '| --- | --- |',
    ...r.controls.map((c) => `| [${cellEscape(c.title)}](#${c.id}) | ${c.status} |`),
    '',
  ];
  for (const c of r.controls) {
    lines.push(`<a id="${c.id}"></a>`, `## ${c.status}: ${c.title}`, '');
    if (c.problems.length) lines.push(...c.problems.map((p) => `- **FAIL:** ${p}`), '');
    lines.push('| resource (logical ID) | property | value |', '| --- | --- | --- |');
    lines.push(...c.evidence.map((e) => `| \`${e.resource}\` | ${cellEscape(e.property)} | \`${cellEscape(e.value)}\` |`), '');
  }
  lines.push('## cdk-nag acknowledgments', '');
  if (r.acknowledgments.length === 0) lines.push('None.', '');
  else lines.push('| resource | finding | reason |', '| --- | --- | --- |', ...r.acknowledgments.map((a) => `| \`${a.resource}\` | \`${a.rule}\` | ${cellEscape(a.reason)} |`), '');
  lines.push('## Control Tower controls off in the synth gate', '');
  lines.push('Every other Control Tower proactive control bundled in `@cdklabs/cdk-validator-cfnguard` passed at synth. These are off for every cell (the rules cannot be suppressed per resource); an account that enables one refuses the resource it names at deploy.', '');
  lines.push('| control | reason | still enforced by |', '| --- | --- | --- |', ...r.controlTowerDisabled.map((d) => `| \`${d.control}\` | ${cellEscape(d.reason)} | ${cellEscape(d.coveredBy)} |`), '');
  lines.push('## The cell', '', '```mermaid', r.diagram, '```', '');
  return lines.join('\n');
}

/** A Mermaid diagram of the cell, drawn from what the template holds. */
function mermaid(cell: SynthesizedCell, m: TemplateModel): string {
  const has = (type: string) => m.ofType(type).length;
  const subnets = (name: string) => m.ofType('AWS::EC2::Subnet').filter(([id]) => id.includes(`${name}Subnet`)).length;
  const out = ['flowchart TB', `  guard["Region guard: no ${cell.cell.tenant} cell in any other region"]`];
  out.push(`  subgraph cell["${cell.stackName}: account ${cell.account}, ${cell.region}"]`);
  out.push(`    subgraph vpc["VPC over ${new Set(m.ofType('AWS::EC2::Subnet').map(([, s]) => JSON.stringify(s.Properties?.AvailabilityZone))).size} AZs, egress ${cell.cell.egress}"]`);
  if (subnets('Public')) out.push(`      public["Public subnets x${subnets('Public')}: NAT gateways only"]`);
  out.push(`      app["App subnets x${subnets('App')}"]`, `      data["Data subnets x${subnets('Data')}"]`);
  if (has('AWS::AutoScaling::AutoScalingGroup')) out.push('      vault["Vault cluster (Raft) behind an internal NLB :8200"]');
  if (has('AWS::RDS::DBInstance')) out.push('      db[("PostgreSQL: the company database")]');
  if (has('AWS::FSx::FileSystem')) out.push('      fsx[("FSx for NetApp ONTAP: source code")]');
  out.push('    end');
  out.push(`    datakey{{"KMS data key, rotated yearly"}}`, `    sealkey{{"KMS seal key, rotated yearly"}}`);
  if (has('AWS::Backup::BackupVault')) out.push(`    backup[("AWS Backup vault: ${RETENTION_DAYS} days")]`);
  if (has('AWS::S3::Bucket')) out.push(`    snapshots[("Vault snapshot bucket: ${RETENTION_DAYS} days")]`);
  out.push('  end', '  guard -->|"checked first"| cell');
  if (has('AWS::AutoScaling::AutoScalingGroup')) out.push('  app --- vault', '  sealkey -.->|seals| vault');
  if (has('AWS::RDS::DBInstance')) out.push('  data --- db', '  datakey -.->|encrypts| db');
  if (has('AWS::FSx::FileSystem')) out.push('  data --- fsx', '  datakey -.->|encrypts| fsx');
  if (has('AWS::AutoScaling::AutoScalingGroup') && has('AWS::RDS::DBInstance')) out.push('  vault -->|"issues DB credentials"| db');
  if (has('AWS::Backup::BackupVault')) out.push('  datakey -.->|encrypts| backup');
  if (has('AWS::S3::Bucket') && has('AWS::AutoScaling::AutoScalingGroup')) out.push('  vault -->|"raft snapshots"| snapshots');
  return out.join('\n');
}
