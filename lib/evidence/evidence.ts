import * as fs from 'fs';
import * as path from 'path';
import { readCells } from './cloud-assembly';
import { CellReport, cellReport, renderMarkdown } from './report';

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
  readonly ok: boolean;
}

/** Writes one Markdown and one JSON report per tenant; `ok` is false when any control fails. */
export function runEvidence(options: EvidenceOptions): EvidenceRun {
  const cells = readCells(options.cdkOut).filter((c) => options.tenant === undefined || c.cell.tenant === options.tenant);
  if (cells.length === 0) {
    throw new Error(options.tenant ? `no synthesized cell for tenant "${options.tenant}" in ${options.cdkOut}: run \`npx cdk synth -c tenant=${options.tenant}\`` : `no synthesized cells in ${options.cdkOut}`);
  }
  fs.mkdirSync(options.outDir, { recursive: true });
  const reports = cells.map((c) => cellReport(c, options.now));
  for (const r of reports) {
    fs.writeFileSync(path.join(options.outDir, `${r.tenant}.md`), renderMarkdown(r));
    fs.writeFileSync(path.join(options.outDir, `${r.tenant}.json`), `${JSON.stringify(r, null, 2)}\n`);
  }
  return { reports, ok: reports.every((r) => r.status === 'PASS') };
}
