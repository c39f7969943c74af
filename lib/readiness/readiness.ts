// `cellkit readiness`: runs every check against the tenant's account and says exactly what is missing.
import { describeError, withDeadline } from '../guard/region-check';
import { CheckOutcome, ReadinessCheck, ReadinessContext } from './check';

/** Exit codes, the same convention as the guard commands. */
export const READINESS_EXIT = {
  /** Every check passed: a deploy can succeed. */
  ready: 0,
  /** At least one check failed: each is listed with its fix. */
  notReady: 1,
  /** No check failed, but at least one could not tell (AWS error, throttling, timeout): fail closed. */
  unknown: 2,
  /** Bad input: unknown tenant, invalid registry, wrong options. Nothing was checked. */
  usage: 3,
} as const;

export interface CheckReport extends Omit<CheckOutcome, 'status'> {
  readonly name: string;
  readonly status: CheckOutcome['status'] | 'skipped';
}

export interface ReadinessReport {
  readonly exitCode: number;
  readonly checks: readonly CheckReport[];
}

/**
 * Runs the checks in order, each within the context's time budget. A check that throws or runs out of
 * time answers `unknown`; after a gate that did not pass, the rest are `skipped`.
 */
export async function runReadiness(ctx: ReadinessContext, checks: readonly ReadinessCheck[], write: (line: string) => void): Promise<ReadinessReport> {
  const names = checks.map((c) => c.name);
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  if (repeated.length) throw new Error(`readiness checks must have distinct names; repeated: ${repeated.join(', ')}`);
  const { tenant } = ctx;
  write(`tenant "${tenant.id}", account ${tenant.spec.account}, pinned to ${ctx.regions.describe(tenant.pin.region)}: ${checks.length} checks`);
  const reports: CheckReport[] = [];
  let blockedBy: string | undefined;
  const width = Math.max(...names.map((n) => n.length));
  for (const check of checks) {
    let report: CheckReport;
    if (blockedBy) {
      report = { name: check.name, status: 'skipped', message: `not run: ${blockedBy} did not pass` };
    } else {
      let outcome: CheckOutcome;
      try {
        // A margin past the budget, so a check's own timeouts (which name the API) answer first.
        outcome = await withDeadline(ctx.timeoutMs + Math.min(5_000, ctx.timeoutMs), () => check.run(ctx));
      } catch (e) {
        outcome = { status: 'unknown', message: `could not tell: ${describeError(e)}` };
      }
      report = { name: check.name, ...outcome };
      if (check.gate && outcome.status !== 'pass') blockedBy = check.name;
    }
    reports.push(report);
    write(`${report.status.toUpperCase().padEnd(7)} ${check.name.padEnd(width)}  ${report.message}`);
    if (report.fix) write(`${' '.repeat(9 + width)}fix: ${report.fix}`);
  }
  const failed = reports.filter((r) => r.status === 'fail').map((r) => r.name);
  const open = reports.filter((r) => r.status === 'unknown' || r.status === 'skipped').map((r) => r.name);
  if (failed.length) {
    write(`NOT READY: ${failed.join(', ')} failed${open.length ? `; ${open.join(', ')} not answered` : ''}. Fix each and run again.`);
    return { exitCode: READINESS_EXIT.notReady, checks: reports };
  }
  if (open.length) {
    write(`COULD NOT TELL: ${open.join(', ')} not answered; do not deploy until every check passes.`);
    return { exitCode: READINESS_EXIT.unknown, checks: reports };
  }
  write(`READY: tenant "${tenant.id}" can be deployed: npx cdk deploy -c tenant=${tenant.id} Cell-${tenant.id}`);
  return { exitCode: READINESS_EXIT.ready, checks: reports };
}
