// `cellkit vault roll --tenant <id>`: replace the tenant's Vault nodes one at a time, keeping Raft
// quorum (docs/vault-upgrades.md). Exit codes follow the guard commands: 0 rolled (or nothing to
// roll), 1 stopped or refused (the cluster is as the report says), 2 could not tell (AWS error),
// 3 bad input.
import * as os from 'os';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { Command } from 'commander';
import { findTenant } from '../guard/preflight';
import { CellkitConfigError } from '../registry/errors';
import { TenantRegistry, registryPaths } from '../registry/registry';
import { AsgFleet, S3SnapshotStore, SsmClusterApi, SsmNodeRunner, SsmParameterLock, rollLockName } from '../vault/roll/aws';
import { RollResult, RollStatus, rollCluster } from '../vault/roll/roll';

export const ROLL_EXIT: Readonly<Record<RollStatus | 'usage', number>> = { rolled: 0, 'nothing-to-do': 0, stopped: 1, refused: 1, error: 2, usage: 3 };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface VaultRollCliOptions {
  readonly tenant: string;
  readonly all?: boolean;
  readonly joinTimeout: string;
}

/** Adds `vault roll` to the program; `registryDir` returns the --registry option. */
export function registerVaultRoll(program: Command, registryDir: () => string): void {
  const vault = program.command('vault').description('operate a tenant\'s Vault cluster');
  vault
    .command('roll')
    .description('replace Vault nodes one at a time (new AMI, Vault version or user data), keeping Raft quorum; exit 0 rolled, 1 stopped, 2 could not tell, 3 bad input')
    .requiredOption('--tenant <id>', 'tenant id')
    .option('--all', 'replace every node, not only those on an older launch template version')
    .option('--join-timeout <minutes>', 'how long a new node may take to become a healthy voter', '20')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : ROLL_EXIT.usage))
    .action(async (opts: VaultRollCliOptions) => {
      const minutes = Number(opts.joinTimeout);
      let t;
      try {
        if (!Number.isInteger(minutes) || minutes < 1 || minutes > 120) throw new CellkitConfigError([`--join-timeout must be a whole number of minutes from 1 to 120; got "${opts.joinTimeout}"`]);
        t = findTenant(TenantRegistry.load(registryPaths(registryDir())), opts.tenant);
      } catch (e) {
        if (!(e instanceof CellkitConfigError)) throw e;
        process.stderr.write(`cellkit vault roll: ${e.message}\n`);
        process.exitCode = ROLL_EXIT.usage;
        return;
      }
      const region = t.pin.region;
      const config = { region, maxAttempts: 3 };
      const ssm = new SSMClient(config);
      const write = (line: string) => process.stdout.write(`${line}\n`);
      let result: RollResult;
      try {
        const fleet = await AsgFleet.find(new AutoScalingClient(config), new EC2Client(config), t.id);
        write(`tenant ${t.id} (${region}): Vault group ${fleet.groupName}`);
        result = await rollCluster(
          {
            fleet,
            cluster: new SsmClusterApi(new SsmNodeRunner(ssm, { sleep }), { region, tlsServerName: `vault.${t.id}.cellkit.internal` }),
            snapshots: new S3SnapshotStore(new S3Client(config)),
            lock: new SsmParameterLock(ssm, rollLockName(t.id)),
            sleep,
            now: () => Date.now(),
            log: write,
            holder: `${os.userInfo().username}@${os.hostname()} since ${new Date().toISOString()}`,
          },
          { all: opts.all, joinTimeoutMs: minutes * 60_000 },
        );
      } catch (e) {
        result = { status: 'error', replaced: [], reason: `could not tell: ${(e as Error).message}` };
      }
      if (result.reason) process.stderr.write(`cellkit vault roll: ${result.status}: ${result.reason}\n`);
      process.exitCode = ROLL_EXIT[result.status];
    });
}
