// `cellkit delivery ...`: plan the fleet's pipelines and waves, print each tenant account's trust command,
// and record a deployed template next to its evidence (run by the pipeline's Record step).
import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { CDK_QUALIFIER, DELIVERY_FILE, loadDeliveryConfig } from '../delivery/delivery-config';
import { deploymentRecord } from '../delivery/record';
import { planDelivery } from '../delivery/waves';
import { CellkitConfigError } from '../registry/errors';
import { TenantRegistry, registryPaths } from '../registry/registry';

/** Exit codes: 0 ok, 1 the record does not match its evidence, 3 bad input. */
export const DELIVERY_EXIT = { ok: 0, mismatch: 1, usage: 3 } as const;

function load(root: string) {
  const registry = TenantRegistry.load(registryPaths(root));
  const config = loadDeliveryConfig(path.join(root, DELIVERY_FILE), registry.regions, registry.tenants.map((t) => t.id));
  return { registry, config, plan: planDelivery(registry.tenants, config, registry.regions.codes) };
}

function guarded<A extends unknown[]>(run: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      run(...args);
    } catch (e) {
      if (!(e instanceof CellkitConfigError)) throw e;
      process.stderr.write(`cellkit delivery: ${e.message}\n`);
      process.exitCode = DELIVERY_EXIT.usage;
    }
  };
}

export function registerDeliveryCommands(program: Command): void {
  const root = () => String(program.opts().registry);
  const delivery = program.command('delivery').description('fleet delivery through CDK Pipelines (delivery.json; docs/delivery.md)');

  delivery
    .command('plan')
    .description('print the delivery pipelines and their waves, in rollout order')
    .action(
      guarded(() => {
        const { plan } = load(root());
        for (const p of plan) {
          process.stdout.write(`${p.name} (${p.region})\n`);
          for (const w of p.waves) process.stdout.write(`  ${w.name}${w.approval ? ' [manual approval]' : ''}: ${w.tenants.map((t) => t.id).join(', ')}\n`);
        }
      }),
    );

  delivery
    .command('trust')
    .description("print the command that lets the delivery account deploy a tenant's cell (run it with that account's credentials)")
    .requiredOption('--tenant <id>', 'tenant id')
    .option('--execution-policy <arn>', "managed policy for CloudFormation's execution role in the tenant account", 'arn:aws:iam::aws:policy/AdministratorAccess')
    .action(
      guarded((opts: { tenant: string; executionPolicy: string }) => {
        const { registry, config } = load(root());
        const t = registry.tenants.find((x) => x.id === opts.tenant);
        if (!t) throw new CellkitConfigError([`option "--tenant": no tenant "${opts.tenant}" in tenants/; known tenants: ${registry.tenants.map((x) => x.id).join(', ')}`]);
        process.stdout.write(
          [
            `# Tenant "${t.id}": account ${t.spec.account}, pinned region ${t.pin.region} only (no other region needs bootstrapping).`,
            `# Trusts the delivery account ${config.account} to deploy (--trust) and to read for the preflight and record steps (--trust-for-lookup).`,
            `npx cdk bootstrap aws://${t.spec.account}/${t.pin.region} --qualifier ${CDK_QUALIFIER} --trust ${config.account} --trust-for-lookup ${config.account} --cloudformation-execution-policies ${opts.executionPolicy}`,
            '',
          ].join('\n'),
        );
      }),
    );

  delivery
    .command('record')
    .description("write a tenant's deployment record: the deployed template's hash next to its evidence report's (the pipeline's Record step)")
    .requiredOption('--tenant <id>', 'tenant id')
    .requiredOption('--account <id>', 'the tenant account')
    .requiredOption('--region <region>', 'the pinned region')
    .requiredOption('--synthesized <file>', 'the gated template in the pipeline assembly')
    .requiredOption('--deployed <file>', 'output of `aws cloudformation get-template --query TemplateBody --output json`')
    .requiredOption('--evidence <file>', 'evidence/<tenant>.json of the same synth')
    .requiredOption('--execution <id>', 'the pipeline execution id')
    .requiredOption('--out <file>', 'where the record is written')
    .action((opts: Record<string, string>) => {
      const read = (option: string) => {
        try {
          return fs.readFileSync(opts[option], 'utf8');
        } catch (e) {
          process.stderr.write(`cellkit delivery record: option "--${option}": cannot read ${opts[option]}: ${(e as Error).message}\n`);
          process.exit(DELIVERY_EXIT.usage);
        }
      };
      let record;
      try {
        record = deploymentRecord({ tenant: opts.tenant, account: opts.account, region: opts.region, pipelineExecutionId: opts.execution, synthesized: read('synthesized'), deployed: read('deployed'), evidence: read('evidence') });
      } catch (e) {
        process.stderr.write(`cellkit delivery record: ${(e as Error).message}\n`);
        process.exit(DELIVERY_EXIT.usage);
      }
      fs.mkdirSync(path.dirname(opts.out), { recursive: true });
      fs.writeFileSync(opts.out, `${JSON.stringify(record, null, 2)}\n`);
      const ok = record.matchesEvidence && record.evidenceStatus === 'PASS';
      process.stdout.write(`tenant "${record.tenant}": deployed template ${record.deployedTemplateSha256.slice(0, 12)} ${record.matchesEvidence ? 'matches' : 'DOES NOT match'} the synthesized template; evidence ${record.evidenceStatus} -> ${opts.out}\n`);
      process.exitCode = ok ? DELIVERY_EXIT.ok : DELIVERY_EXIT.mismatch;
    });
}
