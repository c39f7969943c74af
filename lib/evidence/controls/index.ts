// The written promises, each checked against one synthesized cell template: one control per file, named by
// its id (as cdk-nag keeps one rule per file). This list is the report order; a new control is a new file
// plus one line here.
import { SynthesizedCell } from '../cloud-assembly';
import { CellContext, Check, Control, ControlResult } from '../control';
import { databaseCredentials } from './database-credentials';
import { encryptionAtRest } from './encryption-at-rest';
import { fileShare } from './file-share';
import { ownDatabase } from './own-database';
import { regionGuard } from './region-guard';
import { regionPinned } from './region-pinned';
import { retention90Days } from './retention-90-days';
import { vaultSeal } from './vault-seal';

export type { Control, ControlResult, Evidence, Status } from '../control';
export { CellContext } from '../control';
export { STATEFUL_TYPES } from './retention-90-days';

export const CONTROLS: readonly Control[] = [
  regionPinned,
  ownDatabase,
  databaseCredentials,
  vaultSeal,
  encryptionAtRest,
  fileShare,
  retention90Days,
  regionGuard,
];

export function evaluate(cell: SynthesizedCell): ControlResult[] {
  const ctx = new CellContext(cell);
  return CONTROLS.map((control) => {
    const check = new Check();
    try {
      control.evaluate(ctx, check);
    } catch (e) {
      check.require(false, `the control could not read the template: ${(e as Error).message}`);
    }
    return { id: control.id, title: control.title, status: check.problems.length ? 'FAIL' : 'PASS', evidence: check.evidence, problems: check.problems };
  });
}
