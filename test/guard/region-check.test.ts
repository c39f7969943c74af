import { DescribeFileSystemsCommand } from '@aws-sdk/client-fsx';
import { ListAliasesCommand } from '@aws-sdk/client-kms';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { TENANT_TAG } from '../../lib/cell/cell-stack';
import { RegionOutcome, checkTenantRegions, describeError, describeResult, sdkClients } from '../../lib/guard/region-check';
import { ALLOWED, MockedRegions, PINNED, SCENARIOS, TEST_TIMEOUT_MS } from './scenarios';

describe('checkTenantRegions', () => {
  let m: MockedRegions;
  beforeEach(() => {
    m = new MockedRegions();
  });
  afterEach(() => m.restore());

  const run = (onRegion?: (o: RegionOutcome) => void) =>
    checkTenantRegions({ tenantId: 'acme', pinnedRegion: PINNED, allowedRegions: ALLOWED, tenantTagKey: TENANT_TAG, clients: m.clients, timeoutMs: TEST_TIMEOUT_MS, onRegion });

  test.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_, scenario) => {
    scenario.setup(m);
    const result = await run();
    expect(result.status).toBe(scenario.status);
    const text = describeResult(result);
    for (const mention of scenario.mentions) expect(text).toContain(mention);
  });

  test('asks every other allowed region, never the pinned one, and reports each region once', async () => {
    const seen: string[] = [];
    const result = await run((o) => seen.push(o.region));
    expect(result.checkedRegions).toEqual(ALLOWED.filter((r) => r !== PINNED));
    expect([...m.asked].sort()).toEqual(ALLOWED.filter((r) => r !== PINNED).sort());
    expect(seen.sort()).toEqual(ALLOWED.filter((r) => r !== PINNED).sort());
    for (const region of ALLOWED.filter((r) => r !== PINNED)) {
      expect(m.in(region).kms.commandCalls(ListAliasesCommand)).toHaveLength(1);
      expect(m.in(region).rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(1);
      expect(m.in(region).fsx.commandCalls(DescribeFileSystemsCommand)).toHaveLength(1);
    }
    expect(m.in(PINNED).kms.commandCalls(ListAliasesCommand)).toHaveLength(0);
  });

  test('follows every page: each paginated API is asked twice when the first page has a next token', async () => {
    for (const s of SCENARIOS.filter((x) => x.name.includes('second page'))) s.setup(m);
    const result = await run();
    // The matches are only served for the page-2 token (see the scenarios), so finding them proves the token was passed.
    expect(result.status).toBe('found');
    expect(m.in('us-east-1').kms.commandCalls(ListAliasesCommand)).toHaveLength(2);
    expect(m.in('eu-west-2').rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(2);
    expect(m.in('eu-west-1').fsx.commandCalls(DescribeFileSystemsCommand)).toHaveLength(2);
  });

  test('asks the regions concurrently: one slow region does not delay the others', async () => {
    SCENARIOS.find((s) => s.name.startsWith('no answer'))!.setup(m);
    const order: string[] = [];
    const started = Date.now();
    await run((o) => order.push(o.region));
    expect(order[order.length - 1]).toBe('eu-central-1');
    // Sequential calls would wait once per hanging API; concurrent ones wait about one budget in all.
    expect(Date.now() - started).toBeLessThan(TEST_TIMEOUT_MS * 3);
  });

  test('passes an abort signal to every call, aborted when the budget runs out', async () => {
    m.in('eu-west-2').kms.on(ListAliasesCommand).callsFake(() => new Promise(() => undefined));
    const send = jest.spyOn(m.clients.kms('eu-west-2'), 'send');
    await run();
    const options = (send.mock.calls[0] as unknown[])[1] as { abortSignal?: AbortSignal } | undefined;
    expect(options?.abortSignal?.aborted).toBe(true);
  });
});

describe('sdkClients', () => {
  test('bounds retries (standard mode) and timeouts per request', async () => {
    const kms = sdkClients({ maxAttempts: 4 }).kms('eu-west-2');
    expect(await kms.config.region()).toBe('eu-west-2');
    expect(await kms.config.maxAttempts()).toBe(4);
    expect(kms.config.retryMode).toBe('standard');
    expect(((await kms.config.retryStrategy()) as { mode?: string }).mode).toBe('standard');
    const handler = kms.config.requestHandler as unknown as { configProvider: Promise<{ requestTimeout?: number; connectionTimeout?: number }> };
    const httpConfig = await handler.configProvider;
    expect(httpConfig.requestTimeout).toBe(10_000);
    expect(httpConfig.connectionTimeout).toBe(3_000);
  });
});

describe('describeError', () => {
  test('names the error and its code', () => {
    expect(describeError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe('Error (ECONNRESET): socket hang up');
    expect(describeError('plain')).toBe('plain');
  });
});
