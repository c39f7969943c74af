// The region guard's check, shared by the deploy-time Lambda and the `cellkit guard check` CLI.
// No CDK imports: this file is bundled into the Lambda.
import { FSxClient, paginateDescribeFileSystems } from '@aws-sdk/client-fsx';
import { KMSClient, paginateListAliases } from '@aws-sdk/client-kms';
import { RDSClient, paginateDescribeDBInstances } from '@aws-sdk/client-rds';
import { cellKeyAlias } from '../keys/key-alias';
import { GUARD_APIS } from './guard-role';

export { GUARD_APIS };
export type GuardApi = (typeof GUARD_APIS)[number];

/**
 * Key purposes whose aliases prove a cell exists. The guard's own key alias is not evidence:
 * it is created before the guard answers, so a refused deployment may leave it behind.
 */
export const EVIDENCE_KEY_PURPOSES = ['data', 'seal'] as const;

export interface Evidence {
  readonly api: GuardApi;
  /** What was found, e.g. "KMS alias alias/cellkit/acme/data". */
  readonly what: string;
}

export interface Unchecked {
  readonly region: string;
  readonly api: GuardApi;
  readonly error: string;
}

/** What one region answered, reported as soon as all its APIs have. */
export interface RegionOutcome {
  readonly region: string;
  readonly evidence: readonly Evidence[];
  readonly unchecked: readonly Unchecked[];
}

interface ResultBase {
  readonly tenantId: string;
  readonly pinnedRegion: string;
  /** The other allowed regions that were asked. */
  readonly checkedRegions: readonly string[];
}

/** `found` wins over `unchecked`: evidence anywhere is conclusive even if another region did not answer. */
export type RegionCheckResult =
  | (ResultBase & { readonly status: 'clear' })
  | (ResultBase & { readonly status: 'found'; readonly found: readonly RegionOutcome[]; readonly unchecked: readonly Unchecked[] })
  | (ResultBase & { readonly status: 'unchecked'; readonly unchecked: readonly Unchecked[] });

/** One client per region and service; tests pass mocked clients. */
export interface GuardClients {
  kms(region: string): KMSClient;
  rds(region: string): RDSClient;
  fsx(region: string): FSxClient;
}

export interface SdkClientOptions {
  /**
   * Attempts per request, standard retry mode (backoff with jitter, throttling retried).
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * Per-attempt socket timeout.
   * @default 10000
   */
  readonly requestTimeoutMs?: number;
  /**
   * Per-attempt connect timeout.
   * @default 3000
   */
  readonly connectionTimeoutMs?: number;
}

/** Client settings with bounded retries and timeouts, shared by every cellkit SDK client. */
export function sdkClientConfig(region: string, options: SdkClientOptions = {}) {
  return {
    region,
    maxAttempts: options.maxAttempts ?? 3,
    retryMode: 'standard',
    requestHandler: { requestTimeout: options.requestTimeoutMs ?? 10_000, connectionTimeout: options.connectionTimeoutMs ?? 3_000 },
  };
}

/** Real SDK clients with bounded retries and timeouts, using the default credential chain. */
export function sdkClients(options: SdkClientOptions = {}): GuardClients {
  return {
    kms: (region) => new KMSClient(sdkClientConfig(region, options)),
    rds: (region) => new RDSClient(sdkClientConfig(region, options)),
    fsx: (region) => new FSxClient(sdkClientConfig(region, options)),
  };
}

export interface RegionCheckInput {
  readonly tenantId: string;
  /** The only region the tenant's cell may live in; it is not asked. */
  readonly pinnedRegion: string;
  /** Every allowed region (from regions.json), the pinned one included. */
  readonly allowedRegions: readonly string[];
  /** Tag key carrying the tenant id on RDS instances and FSx file systems. */
  readonly tenantTagKey: string;
  readonly clients: GuardClients;
  /**
   * Budget for each region and API, all pages and retries included. The regions run concurrently,
   * so this bounds the whole check.
   * @default 30000
   */
  readonly timeoutMs?: number;
  /** Called once per region when all its APIs have answered (or failed). */
  readonly onRegion?: (outcome: RegionOutcome) => void;
}

/** Asks every other allowed region, concurrently, whether the tenant already lives there. */
export async function checkTenantRegions(input: RegionCheckInput): Promise<RegionCheckResult> {
  const { tenantId, pinnedRegion, tenantTagKey, clients } = input;
  const timeoutMs = input.timeoutMs ?? 30_000;
  const others = [...new Set(input.allowedRegions)].filter((r) => r !== pinnedRegion);
  const aliases = new Set<string>(EVIDENCE_KEY_PURPOSES.map((p) => cellKeyAlias(tenantId, p)));
  const tagged = (tags: readonly { Key?: string; Value?: string }[] | undefined) => (tags ?? []).some((t) => t.Key === tenantTagKey && t.Value === tenantId);

  const probes: Record<GuardApi, (region: string, signal: AbortSignal) => Promise<string[]>> = {
    'kms:ListAliases': async (region, signal) => {
      const found: string[] = [];
      for await (const page of paginateListAliases({ client: clients.kms(region) }, {}, { abortSignal: signal })) {
        for (const a of page.Aliases ?? []) if (a.AliasName && aliases.has(a.AliasName)) found.push(`KMS alias ${a.AliasName}`);
      }
      return found;
    },
    'rds:DescribeDBInstances': async (region, signal) => {
      const found: string[] = [];
      // DescribeDBInstances has no tag filter; TagList comes with each instance.
      for await (const page of paginateDescribeDBInstances({ client: clients.rds(region) }, {}, { abortSignal: signal })) {
        for (const db of page.DBInstances ?? []) if (tagged(db.TagList)) found.push(`RDS instance ${db.DBInstanceIdentifier}`);
      }
      return found;
    },
    'fsx:DescribeFileSystems': async (region, signal) => {
      const found: string[] = [];
      for await (const page of paginateDescribeFileSystems({ client: clients.fsx(region) }, {}, { abortSignal: signal })) {
        for (const fs of page.FileSystems ?? []) if (tagged(fs.Tags)) found.push(`FSx file system ${fs.FileSystemId}`);
      }
      return found;
    },
  };

  const outcomes = await Promise.all(
    others.map(async (region): Promise<RegionOutcome> => {
      const evidence: Evidence[] = [];
      const unchecked: Unchecked[] = [];
      await Promise.all(
        GUARD_APIS.map(async (api) => {
          try {
            const found = await withDeadline(timeoutMs, (signal) => probes[api](region, signal));
            evidence.push(...found.map((what) => ({ api, what })));
          } catch (e) {
            unchecked.push({ region, api, error: describeError(e) });
          }
        }),
      );
      // Stable order for messages, whatever order the APIs answered in.
      const byApi = (a: { api: GuardApi }, b: { api: GuardApi }) => GUARD_APIS.indexOf(a.api) - GUARD_APIS.indexOf(b.api);
      const outcome = { region, evidence: evidence.sort(byApi), unchecked: unchecked.sort(byApi) };
      input.onRegion?.(outcome);
      return outcome;
    }),
  );

  const base = { tenantId, pinnedRegion, checkedRegions: others };
  const found = outcomes.filter((o) => o.evidence.length > 0);
  const unchecked = outcomes.flatMap((o) => o.unchecked);
  if (found.length) return { ...base, status: 'found', found, unchecked };
  if (unchecked.length) return { ...base, status: 'unchecked', unchecked };
  return { ...base, status: 'clear' };
}

/** One sentence for CloudFormation's status reason and the CLI's verdict line. */
export function describeResult(result: RegionCheckResult): string {
  const { tenantId, pinnedRegion } = result;
  const uncheckedText = (u: readonly Unchecked[]) => u.map((x) => `${x.region} ${x.api} (${x.error})`).join('; ');
  switch (result.status) {
    case 'clear':
      return `region guard: tenant "${tenantId}" has no cell outside ${pinnedRegion}; checked ${result.checkedRegions.join(', ') || 'no other region'}`;
    case 'found': {
      const where = result.found.map((o) => `${o.region}: ${o.evidence.map((e) => e.what).join(', ')}`).join('; ');
      const also = result.unchecked.length ? `. Also could not check: ${uncheckedText(result.unchecked)}` : '';
      return `region guard: tenant "${tenantId}" already lives in ${result.found.map((o) => o.region).join(', ')} (${where}); refusing to deploy its cell to ${pinnedRegion}. A tenant's cell exists in one region only: check the tenant's pin and the target region${also}`;
    }
    case 'unchecked':
      return `region guard: could not check ${[...new Set(result.unchecked.map((u) => u.region))].join(', ')} for tenant "${tenantId}", failing closed: ${uncheckedText(result.unchecked)}`;
  }
}

export class GuardTimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'GuardTimeoutError';
  }
}

/** Runs `run` with an abort signal; rejects after `ms` even if `run` ignores the signal. */
export async function withDeadline<T>(ms: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new GuardTimeoutError(ms));
    }, ms);
  });
  try {
    return await Promise.race([run(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** "ThrottlingException: Rate exceeded", "Error (ECONNRESET): socket hang up". */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as { code?: unknown }).code;
  return `${e.name}${typeof code === 'string' && code !== e.name ? ` (${code})` : ''}: ${e.message}`;
}
