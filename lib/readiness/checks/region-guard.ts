import { TENANT_TAG } from '../../cell/cell-stack';
import { GUARD_APIS_PROSE } from '../../guard/region-guard';
import { checkTenantRegions, describeResult } from '../../guard/region-check';
import { ReadinessCheck, fail, pass, unknown } from '../check';

/**
 * AWS's denial message names the policy type that denied a call ("Troubleshoot access denied error
 * messages", IAM User Guide): "... with an explicit deny in a service control policy".
 */
const SCP_DENIAL = /service control polic/i;

/** The region guard's own check, run before CloudFormation starts: the tenant lives nowhere but its pinned region. */
export const regionGuard: ReadinessCheck = {
  name: 'region-guard',
  description: "the tenant has no cell in another allowed region (the deploy-time region guard's check, run now)",
  async run(ctx) {
    const { tenant } = ctx;
    const result = await checkTenantRegions({
      tenantId: tenant.id,
      pinnedRegion: tenant.pin.region,
      allowedRegions: ctx.regions.codes,
      tenantTagKey: TENANT_TAG,
      clients: ctx.clients.guard,
      timeoutMs: ctx.timeoutMs,
    });
    const verdict = describeResult(result);
    switch (result.status) {
      case 'clear':
        return pass(verdict);
      case 'found':
        return fail(verdict, `do not deploy: the guard would refuse it. Check the pin in tenants.lock.json and the cell in ${result.found.map((o) => o.region).join(', ')} (see docs/deploy-readiness.md)`);
      case 'unchecked':
        if (result.unchecked.every((u) => SCP_DENIAL.test(u.error))) {
          return unknown(
            `${verdict}. A service control policy (cellkit guard scp) denies your credentials outside ${tenant.pin.region}; only the deploy-time guard's role is exempt from it`,
            'run again with a principal the SCP exempts (cellkit guard scp --exempt-principal), or rely on the deploy-time guard, which makes the same check during `cdk deploy`',
          );
        }
        return unknown(verdict, `fix the permissions or wait out the throttling, then run again (the caller needs ${GUARD_APIS_PROSE} in every allowed region)`);
    }
  },
};
