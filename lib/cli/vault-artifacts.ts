// `cellkit vault artifacts`: prepares the Vault artifact bucket of one account and region for
// egress-"none" cells (idempotent), or with --check only reports whether it is ready.
// Exit codes follow the guard's: 0 ready, 1 found a problem, 2 could not tell (AWS error), 3 bad input.
import * as fs from 'fs';
import { S3Client } from '@aws-sdk/client-s3';
import { Command } from 'commander';
import { CellkitConfigError } from '../registry/errors';
import { TenantRegistry, registryPaths } from '../registry/registry';
import { ZipMismatchError, prepareVaultArtifacts, vaultArtifactCheck } from '../vault/artifacts/vault-artifacts';
import { VAULT_RELEASE, vaultZipName } from '../vault/vault-release';

export const ARTIFACTS_EXIT = { ok: 0, problem: 1, unknown: 2, usage: 3 } as const;

export interface VaultArtifactsOptions {
  readonly tenant?: string;
  readonly account?: string;
  readonly region?: string;
  readonly zip?: string;
  readonly check?: boolean;
}

export interface VaultArtifactsDeps {
  readonly registryDir: string;
  readonly s3: (region: string) => S3Client;
  readonly write: (line: string) => void;
  readonly error: (line: string) => void;
}

/** Runs the command; returns its exit code. */
export async function runVaultArtifacts(opts: VaultArtifactsOptions, deps: VaultArtifactsDeps): Promise<number> {
  const bad = (message: string) => {
    deps.error(`cellkit vault artifacts: ${message}`);
    return ARTIFACTS_EXIT.usage;
  };
  let account = opts.account;
  let region = opts.region;
  let registry: TenantRegistry;
  try {
    registry = TenantRegistry.load(registryPaths(deps.registryDir));
  } catch (e) {
    if (e instanceof CellkitConfigError) return bad(e.message);
    throw e;
  }
  if (opts.tenant) {
    if (account || region) return bad('give either --tenant or --account and --region, not both');
    const t = registry.tenants.find((x) => x.id === opts.tenant);
    if (!t) return bad(`--tenant: no tenant "${opts.tenant}" in tenants/ (have: ${registry.tenants.map((x) => x.id).join(', ') || 'none'})`);
    if (t.spec.egress !== 'none') deps.write(`note: tenant "${t.id}" has egress "${t.spec.egress}"; its nodes download Vault from releases.hashicorp.com and need no artifact bucket`);
    account = t.spec.account;
    region = t.pin.region;
  }
  if (!account || !/^\d{12}$/.test(account)) return bad(`--account must be a 12-digit AWS account id; got ${JSON.stringify(account ?? '')}`);
  if (!region || !registry.regions.codes.includes(region)) return bad(`--region must be one of the allowed regions in regions.json (${registry.regions.codes.join(', ')}); got ${JSON.stringify(region ?? '')}`);
  const s3 = deps.s3(region);

  if (opts.check) {
    const check = await vaultArtifactCheck({ s3, account, region, release: VAULT_RELEASE });
    (check.status === 'ready' ? deps.write : deps.error)(`${check.status}: ${check.message}`);
    return check.status === 'ready' ? ARTIFACTS_EXIT.ok : check.status === 'error' ? ARTIFACTS_EXIT.unknown : ARTIFACTS_EXIT.problem;
  }
  if (!opts.zip) return bad(`--zip is required: the path of ${vaultZipName(VAULT_RELEASE.version)} downloaded from https://releases.hashicorp.com/vault/${VAULT_RELEASE.version}/ (its SHA-256 is checked against the pin before anything is sent)`);
  let zip: Uint8Array;
  try {
    zip = new Uint8Array(fs.readFileSync(opts.zip));
  } catch (e) {
    return bad(`--zip: cannot read ${opts.zip}: ${(e as Error).message}`);
  }
  try {
    await prepareVaultArtifacts({ s3, account, region, release: VAULT_RELEASE, zip, write: deps.write });
    return ARTIFACTS_EXIT.ok;
  } catch (e) {
    if (e instanceof ZipMismatchError) return bad(`--zip ${opts.zip}: ${e.message}`);
    deps.error(`cellkit vault artifacts: AWS error, the bucket may be partly prepared (run again): ${(e as Error).name}: ${(e as Error).message}`);
    return ARTIFACTS_EXIT.unknown;
  }
}

export function registerVaultArtifacts(program: Command): void {
  const vault = program.commands.find((c) => c.name() === 'vault') ?? program.command('vault').description('HashiCorp Vault operations');
  vault
    .command('artifacts')
    .description('egress "none" cells: create or check the artifact bucket of an account and region and upload the pinned Vault zip (idempotent); exit 0 ready, 1 problem, 2 AWS error, 3 bad input')
    .option('--tenant <id>', "use the tenant's account and pinned region")
    .option('--account <account>', '12-digit AWS account id')
    .option('--region <region>', 'an allowed region from regions.json')
    .option('--zip <file>', `path of ${vaultZipName(VAULT_RELEASE.version)} (verified against the pinned SHA-256)`)
    .option('--check', 'only report whether the pinned zip is in place (the deploy-readiness check)')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : ARTIFACTS_EXIT.usage))
    .action(async (opts: VaultArtifactsOptions) => {
      process.exitCode = await runVaultArtifacts(opts, {
        registryDir: program.opts().registry,
        s3: (region) => new S3Client({ region, maxAttempts: 3, requestHandler: { requestTimeout: 30_000, connectionTimeout: 3_000 } }),
        write: (line) => process.stdout.write(`${line}\n`),
        error: (line) => process.stderr.write(`${line}\n`),
      });
    });
}
