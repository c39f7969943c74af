#!/usr/bin/env node
// The cellkit CLI: tenant operations. Run with `npm run cellkit -- <command>`.
import * as path from 'path';
import { Command, Option } from 'commander';
import { addTenant } from '../lib/registry/add-tenant';
import { CellkitConfigError } from '../lib/registry/errors';
import { registryPaths } from '../lib/registry/registry';
import { EGRESS_MODES, PLANS, SIZINGS } from '../lib/registry/tenant-spec';
import { version } from '../package.json';

const program = new Command('cellkit')
  .version(version)
  .description('Provision one isolated, encrypted, region-pinned company cell per tenant.')
  .option('--registry <dir>', 'folder holding regions.json, tenants/ and tenants.lock.json', path.resolve(__dirname, '..'));

const tenant = program.command('tenant').description('tenant registry operations');

tenant
  .command('add')
  .description('create a tenant: writes tenants/<id>.json and pins its region in tenants.lock.json')
  .requiredOption('--id <id>', 'tenant id: 3-32 lowercase letters, digits, hyphens')
  .requiredOption('--name <displayName>', 'company display name')
  .addOption(new Option('--plan <plan>', 'plan').choices([...PLANS]).makeOptionMandatory())
  .option('--region <region>', 'enterprise plan: one of the regions in regions.json')
  .option('--geography <geography>', 'other plans: EU or US')
  .requiredOption('--account <account>', '12-digit AWS account id')
  .addOption(new Option('--sizing <sizing>', 'sizing profile').choices([...SIZINGS]).default('dev'))
  .addOption(new Option('--egress <egress>', 'internet egress').choices([...EGRESS_MODES]).default('nat'))
  .action((opts: Record<string, string | undefined>) => {
    const added = addTenant(
      registryPaths(program.opts().registry),
      {
        id: opts.id!,
        displayName: opts.name!,
        plan: opts.plan!,
        region: opts.region,
        geography: opts.geography,
        account: opts.account!,
        sizing: opts.sizing!,
        egress: opts.egress!,
      },
      { now: new Date() },
    );
    process.stdout.write(`tenant "${added.spec.id}" created: ${path.relative(process.cwd(), added.specFile)}, pinned to ${added.pin.region} at ${added.pin.pinnedAt}\n`);
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CellkitConfigError) {
    process.stderr.write(`cellkit: ${e.message}\n`);
    process.exit(1);
  }
  throw e;
});
