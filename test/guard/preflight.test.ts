import { TenantRegistry, registryPaths } from '../../lib/registry/registry';
import { GUARD_EXIT, findTenant, preflight } from '../../lib/guard/preflight';
import { REPO_ROOT, regions } from '../fixtures';
import { MockedRegions, PINNED, SCENARIOS, TENANT, TEST_TIMEOUT_MS } from './scenarios';

describe('cellkit guard check (preflight)', () => {
  let m: MockedRegions;
  let lines: string[];
  const run = (callerAccount: () => Promise<string> = async () => TENANT.spec.account) =>
    preflight({ tenant: TENANT, regions, clients: m.clients, callerAccount, write: (l) => void lines.push(l), timeoutMs: TEST_TIMEOUT_MS });

  beforeEach(() => {
    m = new MockedRegions();
    lines = [];
  });
  afterEach(() => m.restore());

  test.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_, scenario) => {
    scenario.setup(m);
    expect(await run()).toBe({ clear: 0, found: 1, unchecked: 2 }[scenario.status]);
    const verdict = lines[lines.length - 1];
    for (const mention of scenario.mentions) expect(verdict).toContain(mention);
  });

  test('prints a header, one progress line per other region, then the verdict', async () => {
    SCENARIOS.find((s) => s.name === 'KMS data alias in another region')!.setup(m);
    SCENARIOS.find((s) => s.name === 'access denied in one region')!.setup(m);
    await run();
    expect(lines[0]).toBe('tenant "acme", account 123456789012, pinned to ap-southeast-2 (Sydney): checking 5 other allowed regions');
    const progress = lines.slice(1, -1).sort();
    expect(progress).toEqual([
      '  eu-central-1 (Frankfurt): clear',
      '  eu-west-1 (Ireland): FOUND KMS alias alias/cellkit/acme/data',
      '  eu-west-2 (London): clear',
      '  us-east-1 (N. Virginia): COULD NOT CHECK rds:DescribeDBInstances (AccessDenied: User is not authorized to perform: rds:DescribeDBInstances)',
      '  ap-southeast-1 (Singapore): clear',
    ].sort());
    expect(progress.some((l) => l.includes(PINNED))).toBe(false);
  });

  test('exits 2 without asking any region when the credentials are for another account', async () => {
    expect(await run(async () => '999999999999')).toBe(GUARD_EXIT.unchecked);
    expect(lines).toEqual(['could not check: the credentials are for account 999999999999, but tenant "acme" lives in account 123456789012; use credentials for 123456789012']);
    expect(m.asked.size).toBe(0);
  });

  test('exits 2 when the caller identity cannot be read', async () => {
    expect(await run(async () => { throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }); })).toBe(GUARD_EXIT.unchecked);
    expect(lines[0]).toContain('sts:GetCallerIdentity: CredentialsProviderError: Could not load credentials');
    expect(m.asked.size).toBe(0);
  });
});

describe('findTenant', () => {
  test('refuses an unknown tenant, listing the known ones', () => {
    const registry = TenantRegistry.load(registryPaths(REPO_ROOT));
    expect(findTenant(registry, 'northwind').id).toBe('northwind');
    expect(() => findTenant(registry, 'nope')).toThrow(/^no tenant "nope" in tenants\/; known tenants: .*northwind/);
  });

  test('exit codes are distinct', () => {
    expect(new Set(Object.values(GUARD_EXIT)).size).toBe(Object.keys(GUARD_EXIT).length);
  });
});
