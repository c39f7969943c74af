// `cellkit vault status --tenant <id>`: read-only health of a cell's Vault (docs/vault-tls.md, "Status").
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Command } from 'commander';
import { findTenant } from '../guard/preflight';
import { CELL_SIZING } from '../cell/sizing';
import { CellkitConfigError } from '../registry/errors';
import { Tenant, TenantRegistry, registryPaths } from '../registry/registry';
import { STATUS_EXIT, VaultStatusClients, renderStatus, vaultStatus } from '../vault/status/vault-status';

export interface VaultStatusCommandDeps {
  /** AWS clients for the tenant's region (tests pass mocks). */
  readonly clients: (region: string) => VaultStatusClients;
  readonly write: (text: string) => void;
  readonly writeError: (text: string) => void;
  readonly now: () => Date;
  readonly pollIntervalMs?: number;
}

/** Servers in a tenant's Vault cluster, as lib/cell/sizing.ts sizes it. */
export function expectedVaultNodes(t: Tenant): number {
  return CELL_SIZING[t.spec.sizing].vault.nodes;
}

export function sdkStatusClients(region: string): VaultStatusClients {
  const config = { region, maxAttempts: 3, requestHandler: { requestTimeout: 10_000, connectionTimeout: 3_000 } };
  const sts = new STSClient(config);
  return {
    ec2: new EC2Client(config),
    ssm: new SSMClient(config),
    callerAccount: async () => (await sts.send(new GetCallerIdentityCommand({}))).Account ?? '(unknown)',
  };
}

const defaultDeps: VaultStatusCommandDeps = {
  clients: sdkStatusClients,
  write: (text) => process.stdout.write(text),
  writeError: (text) => process.stderr.write(text),
  now: () => new Date(),
};

/** Adds `vault status` to the CLI (creating the `vault` command group unless another module already did). */
export function registerVaultStatus(program: Command, deps: VaultStatusCommandDeps = defaultDeps): void {
  const vault = program.commands.find((c) => c.name() === 'vault') ?? program.command('vault').description('Vault operations');
  vault
    .command('status')
    .description("read-only: ask every Vault node of the tenant (via SSM) whether it is initialised, unsealed and follows one leader, and when its certificate expires; exit 0 healthy, 1 unhealthy, 2 could not tell, 3 bad input")
    .requiredOption('--tenant <id>', 'tenant id')
    .option('--json', 'print the report as JSON')
    .option('--timeout <seconds>', 'how long to wait for the nodes to answer', '120')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : STATUS_EXIT.usage))
    .action(async (opts: { tenant: string; json?: boolean; timeout: string }) => {
      process.exitCode = await runVaultStatus(program.opts().registry, opts, deps);
    });
}

/** The command's work; returns the exit code. */
export async function runVaultStatus(
  registryDir: string, opts: { tenant: string; json?: boolean; timeout: string }, deps: VaultStatusCommandDeps,
): Promise<number> {
  let t: Tenant;
  const timeout = Number(opts.timeout);
  try {
    if (!/^\d+$/.test(opts.timeout) || timeout < 10 || timeout > 900) throw new CellkitConfigError([`--timeout must be whole seconds from 10 to 900; got "${opts.timeout}"`]);
    t = findTenant(TenantRegistry.load(registryPaths(registryDir)), opts.tenant);
  } catch (e) {
    if (!(e instanceof CellkitConfigError)) throw e;
    deps.writeError(`cellkit vault status: ${e.message}\n`);
    return STATUS_EXIT.usage;
  }
  const report = await vaultStatus({
    tenantId: t.id,
    account: t.spec.account,
    region: t.pin.region,
    expectedNodes: expectedVaultNodes(t),
    tlsServerName: `vault.${t.id}.cellkit.internal`,
    clients: deps.clients(t.pin.region),
    now: deps.now(),
    timeoutMs: timeout * 1000,
    pollIntervalMs: deps.pollIntervalMs,
  });
  deps.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderStatus(report).join('\n')}\n`);
  return report.exitCode;
}
