#!/usr/bin/env node
// The cellkit CLI: tenant operations. Run with `npm run cellkit -- <command>`.
import * as fs from 'fs';
import * as path from 'path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Command, Option } from 'commander';
import { GUARD_EXIT, findTenant, preflight } from '../lib/guard/preflight';
import { sdkClients } from '../lib/guard/region-check';
import { regionPinScp, renderScp } from '../lib/guard/scp';
import { registerCost } from '../lib/cli/cost';
import { EvidenceRun, runEvidence } from '../lib/evidence/evidence';
import { addTenant } from '../lib/registry/add-tenant';
import { CellkitConfigError } from '../lib/registry/errors';
import { TenantRegistry, registryPaths } from '../lib/registry/registry';
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

const guard = program.command('guard').description('region guard: prove a tenant lives in its pinned region only');

/** Guard commands exit 3 on bad input, so 1 and 2 keep their meaning (found elsewhere, could not check). */
function guardAction<A extends unknown[]>(run: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await run(...args);
    } catch (e) {
      if (!(e instanceof CellkitConfigError)) throw e;
      process.stderr.write(`cellkit guard: ${e.message}\n`);
      process.exitCode = GUARD_EXIT.usage;
    }
  };
}
const usageExit = (err: { exitCode: number }) => process.exit(err.exitCode === 0 ? 0 : GUARD_EXIT.usage);

guard
  .command('check')
  .description('look for the tenant in every other allowed region with your credentials; exit 0 clear, 1 found elsewhere, 2 could not check, 3 bad input')
  .requiredOption('--tenant <id>', 'tenant id')
  .exitOverride(usageExit)
  .action(
    guardAction(async (opts: { tenant: string }) => {
      const registry = TenantRegistry.load(registryPaths(program.opts().registry));
      const t = findTenant(registry, opts.tenant);
      const sts = new STSClient({ region: t.pin.region, maxAttempts: 3, requestHandler: { requestTimeout: 10_000, connectionTimeout: 3_000 } });
      process.exitCode = await preflight({
        tenant: t,
        regions: registry.regions,
        clients: sdkClients(),
        callerAccount: async () => (await sts.send(new GetCallerIdentityCommand({}))).Account ?? '(unknown)',
        write: (line) => process.stdout.write(`${line}\n`),
      });
    }),
  );

guard
  .command('scp')
  .description("write an AWS Organizations service control policy denying actions outside the tenant's pinned region (dedicated accounts only)")
  .requiredOption('--tenant <id>', 'tenant id')
  .option('--out <file>', 'write the policy to this file instead of stdout')
  .option('--exempt-principal <arn...>', 'IAM role or user ARNs the policy does not apply to (e.g. a break-glass role)')
  .exitOverride(usageExit)
  .action(
    guardAction((opts: { tenant: string; out?: string; exemptPrincipal?: string[] }) => {
      const registry = TenantRegistry.load(registryPaths(program.opts().registry));
      const t = findTenant(registry, opts.tenant);
      const text = renderScp(regionPinScp(t, registry.tenants, { exemptPrincipalArns: opts.exemptPrincipal }));
      if (!opts.out) return void process.stdout.write(text);
      fs.writeFileSync(opts.out, text);
      process.stderr.write(`service control policy for tenant "${t.id}" (account ${t.spec.account}, ${t.pin.region} only) written to ${opts.out}; attach it to that account in AWS Organizations\n`);
    }),
  );

program
  .command('evidence')
  .description('prove each written security promise from the synthesized templates (run `npx cdk synth` first); exits 1 if any control fails')
  .option('--tenant <id>', 'one tenant (default: every cell in the cloud assembly)')
  .option('--cdk-out <dir>', 'the cloud assembly to read', 'cdk.out')
  .option('--out <dir>', 'where <tenant>.md and <tenant>.json are written', 'evidence')
  .action((opts: { tenant?: string; cdkOut: string; out: string }) => {
    let run: EvidenceRun;
    try {
      run = runEvidence({ cdkOut: opts.cdkOut, outDir: opts.out, tenant: opts.tenant });
    } catch (e) {
      process.stderr.write(`cellkit evidence: ${(e as Error).message}\n`);
      process.exit(2);
    }
    for (const r of run.reports) {
      const passed = r.controls.filter((c) => c.status === 'PASS').length;
      process.stdout.write(`${r.tenant}: ${r.status} (${passed} of ${r.controls.length} controls) -> ${path.join(opts.out, `${r.tenant}.md`)}\n`);
      for (const c of r.controls.filter((x) => x.status === 'FAIL')) process.stdout.write(`  FAIL ${c.id}: ${c.problems.join('; ')}\n`);
    }
    process.exitCode = run.ok ? 0 : 1;
  });

registerCost(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CellkitConfigError) {
    process.stderr.write(`cellkit: ${e.message}\n`);
    process.exit(1);
  }
  throw e;
});
