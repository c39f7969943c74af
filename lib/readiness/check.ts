// The shape of a readiness check: a name and one async function that answers pass, fail or unknown.
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import type { GuardClients } from '../guard/region-check';
import type { Tenant } from '../registry/registry';
import type { RegionCatalog } from '../registry/regions';

/**
 * - `pass`: this part of the account is ready.
 * - `fail`: it is not, and a deploy would fail; `fix` says what to run.
 * - `unknown`: the check could not tell (AWS error, throttling, timeout, missing input); fail closed.
 */
export type CheckStatus = 'pass' | 'fail' | 'unknown';

export interface CheckOutcome {
  readonly status: CheckStatus;
  /** One sentence naming what was found, with account and region. */
  readonly message: string;
  /** The command or step that fixes a `fail` (or lets an `unknown` be answered). */
  readonly fix?: string;
}

/** One client per region and service; tests pass mocked clients. */
export interface ReadinessClients {
  sts(region: string): STSClient;
  cloudFormation(region: string): CloudFormationClient;
  ssm(region: string): SSMClient;
  s3(region: string): S3Client;
  readonly guard: GuardClients;
}

/** Everything a check may read. A check that needs another AWS service adds its client to ReadinessClients. */
export interface ReadinessContext {
  readonly tenant: Tenant;
  readonly regions: RegionCatalog;
  readonly clients: ReadinessClients;
  /** The cloud assembly (`cdk.out`) holding the tenant's synthesized stack. */
  readonly cdkOut: string;
  /** Budget for each check, all its AWS calls and retries included. */
  readonly timeoutMs: number;
  /** Today, for checks of documented dates (tests pass a fixed one). @default the current date */
  readonly now?: Date;
}

export interface ReadinessCheck {
  /** Stable id shown in the output and the docs, e.g. `cdk-bootstrap`. */
  readonly name: string;
  /** What the check proves, one line (the docs list every check; a test keeps them in step). */
  readonly description: string;
  /** When a gate does not pass, the checks after it are skipped: their answers would mean nothing. */
  readonly gate?: boolean;
  run(ctx: ReadinessContext): Promise<CheckOutcome>;
}

export const pass = (message: string): CheckOutcome => ({ status: 'pass', message });
export const fail = (message: string, fix: string): CheckOutcome => ({ status: 'fail', message, fix });
export const unknown = (message: string, fix?: string): CheckOutcome => ({ status: 'unknown', message, fix });

/** The command that bootstraps (or upgrades the bootstrap of) the tenant's account in its pinned region. */
export const bootstrapCommand = (ctx: ReadinessContext) => `npx cdk bootstrap aws://${ctx.tenant.spec.account}/${ctx.tenant.pin.region}`;
