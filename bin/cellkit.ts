#!/usr/bin/env node
// The cellkit CLI: tenant operations. Run as `npx cellkit <command>`, `npm run cellkit -- <command>` or an
// installed `cellkit` (all through the bin/cellkit.js shim).
// Exit codes, every command: 0 ok, 1 found a problem, 2 could not tell (AWS error, unreadable cdk.out,
// registry lock held), 3 bad input (options, registry files); nothing is changed on 2 or 3.
import * as fs from 'fs';
import * as path from 'path';
import { Command, Option } from 'commander';
import { registerAmis } from '../lib/cli/amis';
import { registerCost } from '../lib/cli/cost';
import { registerDeliveryCommands } from '../lib/cli/delivery';
import { once } from '../lib/cli/options';
import { registerReadiness } from '../lib/cli/readiness';
import { registerVaultRoll } from '../lib/cli/vault-roll';
import { registerVaultStatus } from '../lib/cli/vault-status';
import { AssemblyReadError } from '../lib/evidence/cloud-assembly';
import { runEvidence } from '../lib/evidence/evidence';
import { AddStep, addTenant } from '../lib/registry/add-tenant';
import { CellkitConfigError } from '../lib/registry/errors';
import { RegistryLockedError } from '../lib/registry/registry-lock';
import { TenantRegistry, registryPaths } from '../lib/registry/registry';
import { EGRESS_MODES, PLANS, SIZINGS } from '../lib/registry/tenant-spec';
import { registerVaultArtifacts } from '../lib/cli/vault-artifacts';
import { version } from '../package.json';

/** The guard's convention (lib/guard/preflight.ts GUARD_EXIT), for every command. */
const EXIT = { ok: 0, found: 1, couldNotTell: 2, badInput: 3 } as const;

/** Runs a command; user errors print one line (no stack trace) and set the documented exit code. */
function action<A extends unknown[]>(name: string, run: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await run(...args);
    } catch (e) {
      const code = e instanceof CellkitConfigError
        ? EXIT.badInput
        : e instanceof RegistryLockedError || e instanceof AssemblyReadError ? EXIT.couldNotTell : undefined;
      if (code === undefined) throw e;
      process.stderr.write(`cellkit ${name}: ${(e as Error).message}\n`);
      process.exitCode = code;
    }
  };
}

/**
 * Loads a module when a command needs it (CommonJS `require`: bin/run-ts.js transpiles to CommonJS and
 * `import()` would bypass it). The guard's modules load the AWS SDK and aws-cdk-lib: the other commands,
 * e.g. concurrent `tenant add` runs, start faster without them.
 */
function lazy<T>(id: string): T {
  return require(id) as T; // eslint-disable-line @typescript-eslint/no-require-imports
}

const program = new Command('cellkit')
  .version(version)
  .description('Provision one isolated, encrypted, region-pinned company cell per tenant.')
  // Usage errors (unknown or repeated option, missing value, bad choice) exit 3; --help and --version 0.
  .exitOverride((err) => process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.badInput))
  .addOption(once(new Option('--registry <dir>', 'folder holding regions.json, tenants/ and tenants.lock.json').default(path.resolve(__dirname, '..'))));

const tenant = program.command('tenant').description('tenant registry operations');

// Test hooks, read only here (test/registry/tenant-add-processes.test.ts): CELLKIT_TEST_START_WHEN=<file>
// prints "ready" and waits for that file to exist, so two runs start their work at the same moment;
// CELLKIT_TEST_PAUSE_AT=<step> prints "paused at <step>" at that step of `tenant add` and waits to be killed.
async function startBarrier(file: string | undefined): Promise<void> {
  if (!file) return;
  process.stdout.write('ready\n');
  while (!fs.existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 2));
}
function pauseAt(step: string | undefined): ((s: AddStep) => void) | undefined {
  if (!step) return undefined;
  return (s) => {
    if (s !== step) return;
    fs.writeSync(1, `paused at ${s}\n`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
  };
}

tenant
  .command('add')
  .description('create a tenant: writes tenants/<id>.json and pins its region in tenants.lock.json (re-run the same command to complete an interrupted one)')
  .addOption(once(new Option('--id <id>', 'tenant id: 3-32 lowercase letters, digits, hyphens').makeOptionMandatory()))
  .addOption(once(new Option('--name <displayName>', 'company display name').makeOptionMandatory()))
  .addOption(once(new Option('--plan <plan>', 'plan').choices([...PLANS]).makeOptionMandatory()))
  .addOption(once(new Option('--region <region>', 'enterprise plan: one of the regions in regions.json')))
  .addOption(once(new Option('--geography <geography>', 'other plans: EU or US')))
  .addOption(once(new Option('--account <account>', '12-digit AWS account id').makeOptionMandatory()))
  .addOption(once(new Option('--sizing <sizing>', 'sizing profile').choices([...SIZINGS]).default('dev')))
  .addOption(once(new Option('--egress <egress>', 'internet egress').choices([...EGRESS_MODES]).default('nat')))
  .action(
    action('tenant add', async (opts: Record<string, string | undefined>) => {
      await startBarrier(process.env.CELLKIT_TEST_START_WHEN);
      const added = await addTenant(
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
        {
          now: new Date(),
          onStep: pauseAt(process.env.CELLKIT_TEST_PAUSE_AT),
          onStaleLock: (lock, age) => process.stderr.write(`cellkit tenant add: taking over the registry lock ${lock}, left ${Math.round(age / 1000)} s ago by an interrupted run\n`),
        },
      );
      const verb = added.completed ? 'completed (an earlier run was interrupted)' : 'created';
      process.stdout.write(`tenant "${added.spec.id}" ${verb}: ${path.relative(process.cwd(), added.specFile)}, pinned to ${added.pin.region} at ${added.pin.pinnedAt}\n`);
    }),
  );

const guard = program.command('guard').description('region guard: prove a tenant lives in its pinned region only');

guard
  .command('check')
  .description('look for the tenant in every other allowed region with your credentials; exit 0 clear, 1 found elsewhere, 2 could not check, 3 bad input')
  .addOption(once(new Option('--tenant <id>', 'tenant id').makeOptionMandatory()))
  .action(
    action('guard', async (opts: { tenant: string }) => {
      const { GetCallerIdentityCommand, STSClient } = lazy<typeof import('@aws-sdk/client-sts')>('@aws-sdk/client-sts');
      const { sdkClients } = lazy<typeof import('../lib/guard/region-check')>('../lib/guard/region-check');
      const { findTenant, preflight } = lazy<typeof import('../lib/guard/preflight')>('../lib/guard/preflight');
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
  .addOption(once(new Option('--tenant <id>', 'tenant id').makeOptionMandatory()))
  .addOption(once(new Option('--out <file>', 'write the policy to this file instead of stdout')))
  .option('--exempt-principal <arn...>', 'IAM role or user ARNs the policy does not apply to (e.g. a break-glass role)')
  .action(
    action('guard', (opts: { tenant: string; out?: string; exemptPrincipal?: string[] }) => {
      const { findTenant } = lazy<typeof import('../lib/guard/preflight')>('../lib/guard/preflight');
      const { regionPinScp, renderScp } = lazy<typeof import('../lib/guard/scp')>('../lib/guard/scp');
      const registry = TenantRegistry.load(registryPaths(program.opts().registry));
      const t = findTenant(registry, opts.tenant);
      const text = renderScp(regionPinScp(t, registry.tenants, { exemptPrincipalArns: opts.exemptPrincipal }));
      if (!opts.out) return void process.stdout.write(text);
      writeOutFile(opts.out, text);
      process.stderr.write(`service control policy for tenant "${t.id}" (account ${t.spec.account}, ${t.pin.region} only) written to ${opts.out}; attach it to that account in AWS Organizations\n`);
    }),
  );

/** Writes a file named by the user; a path that cannot be written is bad input, named. */
function writeOutFile(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? `its folder ${path.dirname(path.resolve(file))} does not exist` : err.code === 'EISDIR' ? 'it is a folder' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new CellkitConfigError([`option "--out": cannot write ${file}: ${why}`]);
  }
}

program
  .command('evidence')
  .description('prove each written security promise from the synthesized templates (run `npx cdk synth` first); exit 0 all pass, 1 a control fails or a cell cannot be evaluated, 2 cdk.out cannot be read')
  .addOption(once(new Option('--tenant <id>', 'one tenant (default: every cell in the cloud assembly)')))
  .addOption(once(new Option('--cdk-out <dir>', 'the cloud assembly to read').default('cdk.out')))
  .addOption(once(new Option('--out <dir>', 'where <tenant>.md and <tenant>.json are written; reports of tenants not evaluated are removed').default('evidence')))
  .action(
    action('evidence', (opts: { tenant?: string; cdkOut: string; out: string }) => {
      const run = runEvidence({ cdkOut: opts.cdkOut, outDir: opts.out, tenant: opts.tenant, now: new Date() });
      for (const r of run.reports) {
        const passed = r.controls.filter((c) => c.status === 'PASS').length;
        process.stdout.write(`${r.tenant}: ${r.status} (${passed} of ${r.controls.length} controls) -> ${path.join(opts.out, `${r.tenant}.md`)}\n`);
        for (const c of r.controls.filter((x) => x.status === 'FAIL')) process.stdout.write(`  FAIL ${c.id}: ${c.problems.join('; ')}\n`);
        for (const w of r.warnings) process.stdout.write(`  WARNING ${w}\n`);
      }
      for (const u of run.unreadable) process.stdout.write(`${u.stackName}: NOT EVALUATED: ${u.problem}\n`);
      for (const f of run.removed) process.stdout.write(`removed ${path.join(opts.out, f)}: its tenant was not evaluated in this run\n`);
      process.exitCode = run.ok ? EXIT.ok : EXIT.found;
    }),
  );

registerAmis(program);
registerCost(program);
registerDeliveryCommands(program);
registerReadiness(program);
registerVaultRoll(program, () => program.opts().registry);
registerVaultStatus(program);
registerVaultArtifacts(program);

void program.parseAsync(process.argv);
