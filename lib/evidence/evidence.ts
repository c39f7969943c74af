import * as fs from 'fs';
import * as path from 'path';
import { AssemblyReadError, UnreadableCell, readCloudAssembly } from './cloud-assembly';
import { CellReport, cellReport, isReportFile, renderMarkdown } from './report';

export interface EvidenceOptions {
  /** The cloud assembly to read. */
  readonly cdkOut: string;
  /** Where `<tenant>.md` and `<tenant>.json` are written. */
  readonly outDir: string;
  /** @default every cell in the assembly */
  readonly tenant?: string;
  /** Today, for the Vault release support warning. @default no release-support check */
  readonly now?: Date;
}

export interface EvidenceRun {
  readonly reports: readonly CellReport[];
  /** Cell stacks that could not be evaluated: each fails the run. */
  readonly unreadable: readonly UnreadableCell[];
  /** Report files removed because their tenant was not evaluated in this run (`outDir`-relative). */
  readonly removed: readonly string[];
  readonly ok: boolean;
}

/**
 * Writes one Markdown and one JSON report per evaluated tenant, and removes the reports of any tenant
 * not evaluated in this run, so `outDir` never shows an old PASS. `ok` is false when any control fails
 * or any selected cell stack cannot be evaluated.
 * @throws AssemblyReadError when the assembly cannot be read or holds no selected cell
 */
export function runEvidence(options: EvidenceOptions): EvidenceRun {
  const assembly = readCloudAssembly(options.cdkOut);
  const selected = (tenant?: string) => options.tenant === undefined || tenant === options.tenant;
  const cells = assembly.cells.filter((c) => selected(c.cell.tenant));
  const unreadable = assembly.unreadable.filter((u) => selected(u.tenant));
  if (cells.length === 0 && unreadable.length === 0) {
    throw new AssemblyReadError(options.tenant ? `no synthesized cell for tenant "${options.tenant}" in ${options.cdkOut}: run \`npx cdk synth -c tenant=${options.tenant}\`` : `no synthesized cells in ${options.cdkOut}`);
  }
  fs.mkdirSync(options.outDir, { recursive: true });
  const reports = cells.map((c) => cellReport(c, options.now));
  const written = new Set<string>();
  for (const r of reports) {
    for (const [file, text] of [[`${r.tenant}.md`, renderMarkdown(r)], [`${r.tenant}.json`, `${JSON.stringify(r, null, 2)}\n`]]) {
      fs.writeFileSync(path.join(options.outDir, file), text);
      written.add(file);
    }
  }
  const removed = fs
    .readdirSync(options.outDir)
    .filter((f) => !written.has(f) && isReportFile(path.join(options.outDir, f)))
    .sort();
  for (const f of removed) fs.rmSync(path.join(options.outDir, f));
  return { reports, unreadable, removed, ok: unreadable.length === 0 && reports.every((r) => r.status === 'PASS') };
}
