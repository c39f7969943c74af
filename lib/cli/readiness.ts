// `cellkit readiness --tenant <id>`: is this account ready for the tenant's first `cdk deploy`?
import * as path from 'path';
import { Command } from 'commander';
import { findTenant } from '../guard/preflight';
import { READINESS_CHECKS } from '../readiness/checks';
import { readinessClients } from '../readiness/clients';
import { READINESS_EXIT, runReadiness } from '../readiness/readiness';
import { CellkitConfigError } from '../registry/errors';
import { TenantRegistry, registryPaths } from '../registry/registry';

/** Adds the `readiness` command to the cellkit CLI. */
export function registerReadiness(program: Command): void {
  program
    .command('readiness')
    .description(`check an account before a deploy (${READINESS_CHECKS.map((c) => c.name).join(', ')}); exit 0 ready, 1 not ready, 2 could not tell, 3 bad input`)
    .requiredOption('--tenant <id>', 'tenant id')
    .option('--cdk-out <dir>', 'the cloud assembly holding Cell-<id> (run `npx cdk synth` first)', 'cdk.out')
    .option('--timeout <seconds>', 'time budget per check', '60')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : READINESS_EXIT.usage))
    .action(async (opts: { tenant: string; cdkOut: string; timeout: string }) => {
      try {
        const timeout = Number(opts.timeout);
        if (!Number.isInteger(timeout) || timeout < 1 || timeout > 600) throw new CellkitConfigError([`--timeout: must be a whole number of seconds from 1 to 600; got ${JSON.stringify(opts.timeout)}`]);
        const registry = TenantRegistry.load(registryPaths(program.opts().registry));
        const tenant = findTenant(registry, opts.tenant);
        const { exitCode } = await runReadiness(
          { tenant, regions: registry.regions, clients: readinessClients(), cdkOut: path.resolve(opts.cdkOut), timeoutMs: timeout * 1000 },
          READINESS_CHECKS,
          (line) => process.stdout.write(`${line}\n`),
        );
        process.exitCode = exitCode;
      } catch (e) {
        if (!(e instanceof CellkitConfigError)) throw e;
        process.stderr.write(`cellkit readiness: ${e.message}\n`);
        process.exitCode = READINESS_EXIT.usage;
      }
    });
}
