import { CellkitConfigError } from '../../lib/registry/errors';
import { TenantRegistry } from '../../lib/registry/registry';
import { PINNED_AT, enterpriseSpec, registryDir, suffixFor, teamSpec } from './registry-dir';

/** A registry holding the given specs, each pinned to the region given (or its resolved one). */
function load(specs: Record<string, unknown>[], pins?: Record<string, string>) {
  const dir = registryDir();
  for (const s of specs) dir.writeTenant(String(s.id), s);
  const resolved = (s: Record<string, unknown>) => {
    const p = s.placement as { region?: string; geography?: string };
    return p.region ?? (p.geography === 'US' ? 'us-east-1' : 'eu-west-2');
  };
  const pinMap = pins ?? Object.fromEntries(specs.map((s) => [String(s.id), resolved(s)]));
  dir.writePins(Object.fromEntries(Object.entries(pinMap).map(([id, region]) => [id, { region, pinnedAt: PINNED_AT }])));
  return TenantRegistry.load(dir.paths);
}

function problems(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof CellkitConfigError) return e.message;
    throw e;
  }
  throw new Error('expected a CellkitConfigError');
}

describe('tenant specs', () => {
  test('valid enterprise and team tenants load and resolve their regions', () => {
    const registry = load([enterpriseSpec(), teamSpec(), teamSpec({ id: 'initech', placement: { geography: 'US' } })]);
    expect(registry.tenants.map((t) => `${t.id}:${t.region.code}`)).toEqual(['acme:ap-southeast-2', 'globex:eu-west-2', 'initech:us-east-1']);
  });

  test.each([
    ['an uppercase id', { id: 'Acme' }, /tenant "Acme" \(tenants\/Acme\.json\): field "id": must be 3-32 characters.*got "Acme"/],
    ['a two-character id', { id: 'ab' }, /field "id": must be 3-32 characters.*got "ab"/],
    ['a 33-character id', { id: `a${'b'.repeat(32)}` }, /field "id": must be 3-32 characters/],
    ['an id with a double hyphen (RDS identifiers forbid it)', { id: 'ac--me' }, /field "id": must be 3-32 characters: lowercase letters, digits and single hyphens.*got "ac--me"/],
    ['an id ending in a hyphen', { id: 'acme-' }, /field "id": must be 3-32 characters.*got "acme-"/],
    ['an unknown plan', { plan: 'gold' }, /tenant "acme" \(tenants\/acme\.json\): field "plan": must be one of enterprise, team; got "gold"/],
    ['a region outside regions.json', { placement: { region: 'eu-north-1' } }, /field "placement\.region": must be one of the allowed regions in regions\.json: eu-west-2 \(London\).*got "eu-north-1"/],
    ['an enterprise tenant without a region', { placement: {} }, /field "placement\.region": is required for the enterprise plan/],
    ['an enterprise tenant naming a geography', { placement: { region: 'eu-west-1', geography: 'EU' } }, /field "placement\.geography": is not used by the enterprise plan/],
    ['an 11-digit account', { account: '12345678901' }, /field "account": must be a 12-digit AWS account id; got "12345678901"/],
    ['an account given as a number', { account: 123456789012 }, /field "account": must be a 12-digit AWS account id, as a string; got 123456789012/],
    ['an unknown sizing', { sizing: 'huge' }, /field "sizing": must be one of dev, prod; got "huge"/],
    ['an unknown egress', { egress: 'proxy' }, /field "egress": must be one of nat, none; got "proxy"/],
    ['an unknown field', { owner: 'bob' }, /tenant "acme" \(tenants\/acme\.json\): unknown field "owner"/],
    ['a missing display name', { displayName: undefined }, /field "displayName": must be the company name \(1-64 characters\); got nothing/],
    ['a bad username suffix', { database: { usernameSuffix: 'ADMIN' } }, /field "database\.usernameSuffix": must be 8 lowercase letters or digits/],
    ['NFS given as a string', { fileShare: { nfs: 'yes' } }, /field "fileShare\.nfs": must be true or false; got "yes"/],
  ])('refuses %s', (_what, overrides, message) => {
    expect(problems(() => load([enterpriseSpec(overrides)], { [String(enterpriseSpec(overrides).id)]: 'ap-southeast-2' }))).toMatch(message);
  });

  test.each([
    ['a team tenant naming a region', { placement: { region: 'eu-west-1' } }, /tenant "globex" .*field "placement\.region": may only be chosen on the enterprise plan; the team plan is placed by geography \(EU or US\); got "eu-west-1"/],
    ['a team tenant in APAC', { placement: { geography: 'APAC' } }, /field "placement\.geography": APAC is available on the enterprise plan only; the team plan may choose EU or US; got "APAC"/],
    ['a team tenant without placement', { placement: {} }, /field "placement\.geography": is required for the team plan: EU or US/],
  ])('refuses %s', (_what, overrides, message) => {
    expect(problems(() => load([teamSpec(overrides)], { globex: 'eu-west-2' }))).toMatch(message);
  });

  test('refuses broken JSON, naming the file', () => {
    const dir = registryDir();
    dir.writeRaw('tenants/acme.json', '{"id": "acme",');
    expect(problems(() => TenantRegistry.load(dir.paths))).toMatch(/tenant spec tenants\/acme\.json: acme\.json is not valid JSON/);
  });

  test('refuses a spec whose file name differs from its id (which is how duplicate ids would arise)', () => {
    const dir = registryDir();
    dir.writeTenant('acme', enterpriseSpec(), 'acme.json');
    dir.writeTenant('acme', enterpriseSpec(), 'acme-copy.json');
    dir.writePins({ acme: { region: 'ap-southeast-2', pinnedAt: PINNED_AT } });
    expect(problems(() => TenantRegistry.load(dir.paths))).toMatch(/tenant "acme" \(tenants\/acme-copy\.json\): field "id": the file must be named acme\.json; got acme-copy\.json/);
  });

  test('refuses two tenants sharing a database username suffix', () => {
    expect(problems(() => load([enterpriseSpec(), teamSpec({ database: { usernameSuffix: suffixFor('acme') } })]))).toMatch(
      new RegExp(`tenant "globex" \\(tenants/globex\\.json\\): field "database\\.usernameSuffix": "${suffixFor('acme')}" is already used by tenant "acme"; each company's database username is unique`),
    );
  });

  test('reports problems of every file at once', () => {
    const message = problems(() => load([enterpriseSpec({ plan: 'gold' }), teamSpec({ sizing: 'huge' })], {}));
    expect(message).toMatch(/^2 problems:/);
    expect(message).toMatch(/tenant "acme".*"plan"/);
    expect(message).toMatch(/tenant "globex".*"sizing"/);
  });
});

describe('region pins', () => {
  test('refuses a tenant with no pin', () => {
    expect(problems(() => load([teamSpec()], {}))).toMatch(/tenant "globex": no region pin in tenants\.lock\.json \(its spec resolves to eu-west-2 \(London\)\)\. Create tenants with "cellkit tenant add"/);
  });

  test('refuses a tenant whose resolved region differs from its pin, naming both regions', () => {
    expect(problems(() => load([enterpriseSpec({ placement: { region: 'eu-central-1' } })], { acme: 'ap-southeast-2' }))).toMatch(
      /tenant "acme": its spec resolves to eu-central-1 \(Frankfurt\) but the tenant was pinned to ap-southeast-2 \(Sydney\) at 2026-01-01T00:00:00\.000Z\. A cell's region cannot change after creation/,
    );
  });

  test('refuses a team tenant moved from EU to US by changing its geography', () => {
    expect(problems(() => load([teamSpec({ placement: { geography: 'US' } })], { globex: 'eu-west-2' }))).toMatch(
      /tenant "globex": its spec resolves to us-east-1 \(N\. Virginia\) but the tenant was pinned to eu-west-2 \(London\).*cannot change after creation/,
    );
  });

  test('refuses a pin outside regions.json', () => {
    expect(problems(() => load([enterpriseSpec()], { acme: 'eu-north-1' }))).toMatch(
      /tenant "acme": pinned region "eu-north-1" in tenants\.lock\.json is not one of the allowed regions in regions\.json .*its spec resolves to ap-southeast-2 \(Sydney\)\. A cell's region cannot change after creation/,
    );
  });

  test('refuses a malformed pin file', () => {
    const dir = registryDir();
    dir.writeTenant('acme', enterpriseSpec());
    dir.writeRaw('tenants.lock.json', JSON.stringify({ pins: { acme: { region: 'ap-southeast-2', pinnedAt: 'yesterday' } } }));
    expect(problems(() => TenantRegistry.load(dir.paths))).toMatch(/tenants\.lock\.json: field "pins\.acme\.pinnedAt": must be an ISO 8601 UTC timestamp; got "yesterday"/);
  });

  test('keeps pins of offboarded tenants without complaint', () => {
    const registry = load([teamSpec()], { globex: 'eu-west-2', oldco: 'us-east-1' });
    expect(registry.tenants.map((t) => t.id)).toEqual(['globex']);
    expect(Object.keys(registry.pins)).toEqual(['globex', 'oldco']);
  });
});

describe('selection', () => {
  const many = Array.from({ length: 40 }, (_, i) => teamSpec({ id: `tenant-${String(i).padStart(2, '0')}` }));

  test('one tenant by id, or all', () => {
    const registry = load([enterpriseSpec(), teamSpec()]);
    expect(registry.select('globex').map((t) => t.id)).toEqual(['globex']);
    expect(registry.select().map((t) => t.id)).toEqual(['acme', 'globex']);
  });

  test('refuses an unknown tenant, listing the known ones', () => {
    const registry = load([enterpriseSpec(), teamSpec()]);
    expect(problems(() => registry.select('nope'))).toMatch(/context "tenant": no tenant "nope" in tenants\/; known tenants: acme, globex/);
  });

  test('shards partition the fleet in id order, balanced to within one tenant', () => {
    const registry = load(many);
    const shards = [1, 2, 3].map((i) => registry.select(undefined, `${i}/3`).map((t) => t.id));
    expect(shards.flat().sort()).toEqual(registry.tenants.map((t) => t.id));
    expect(shards.map((s) => s.length)).toEqual([14, 13, 13]);
    expect(shards[0].slice(0, 3)).toEqual(['tenant-00', 'tenant-03', 'tenant-06']);
    expect(registry.select(undefined, '2/3')).toEqual(registry.select(undefined, '2/3'));
  });

  test('refuses more shards than tenants, since a shard would be empty', () => {
    const registry = load([enterpriseSpec(), teamSpec()]);
    expect(problems(() => registry.select(undefined, '1/3'))).toMatch(/context "shard": got "1\/3", but there are only 2 tenants to split; use at most 2 shards/);
  });

  test.each(['0/4', '5/4', '1/0', 'a/b', '1-4'])('refuses shard %s', (shard) => {
    const registry = load([teamSpec()]);
    expect(problems(() => registry.select(undefined, shard))).toMatch(/context "shard": got ".*"; expected "i\/n" with 1 <= i <= n/);
  });
});

describe('registry files that cellkit would misread (issue 12)', () => {
  test('a spec file with a UTF-8 byte order mark is refused, naming the BOM', () => {
    const dir = registryDir();
    dir.writeRaw('tenants/acme.json', `\uFEFF${JSON.stringify(enterpriseSpec())}`);
    dir.writePins({ acme: { region: 'ap-southeast-2', pinnedAt: PINNED_AT } });
    expect(problems(() => TenantRegistry.load(dir.paths))).toMatch(/tenant spec tenants\/acme\.json: .*acme\.json starts with a UTF-8 byte order mark \(BOM, U\+FEFF\).*save the file as UTF-8 without BOM/);
  });

  test.each([
    ['a trailing comma', '{\n  "id": "acme",\n  "plan": "team",\n}\n', 4, 1],
    ['a missing comma', '{\n  "id": "acme"\n  "plan": "team"\n}\n', 3, 3],
    ['a truncated file', '{\n  "id": "acme",\n  "plan": "te', 3, 14],
    ['a bare word', '{\n  "id": acme\n}', 2, 9],
  ])('broken JSON (%s) is reported with its line and column', (_what, text, line, column) => {
    const dir = registryDir();
    dir.writeRaw('tenants/acme.json', text);
    dir.writePins({});
    expect(problems(() => TenantRegistry.load(dir.paths))).toMatch(new RegExp(`tenant spec tenants/acme\\.json: acme\\.json is not valid JSON at line ${line}, column ${column}: .*\\(.*tenants/acme\\.json\\)`));
  });

  test.each([
    ['an upper-case extension', 'newco.JSON'],
    ['a hidden spec', '.newco.json'],
    ['another extension', 'newco.yaml'],
  ])('a file the registry would not read (%s) is refused, named', (_what, name) => {
    const dir = registryDir();
    dir.writeRaw(`tenants/${name}`, JSON.stringify(enterpriseSpec({ id: 'newco' })));
    expect(problems(() => TenantRegistry.load(dir.paths))).toMatch(new RegExp(`tenants/${name.replace('.', '\\.')}: cellkit would not read this file: tenants/ holds only tenant specs named <id>\\.json`));
  });

  test('hidden files that are not specs (.gitkeep, an interrupted tenant add) are ignored', () => {
    const dir = registryDir();
    dir.writeRaw('tenants/.gitkeep', '');
    dir.writeRaw('tenants/.acme.json.pending', '{}');
    expect(TenantRegistry.load(dir.paths).tenants).toEqual([]);
  });

  test('a missing tenants.lock.json is reported as missing, with its path, not as "no pin"', () => {
    const dir = registryDir();
    dir.writeTenant('acme', enterpriseSpec());
    const message = problems(() => TenantRegistry.load(dir.paths));
    expect(message).toMatch(new RegExp(`tenants\\.lock\\.json: ${dir.root}/tenants\\.lock\\.json is missing, but there are tenant specs`));
    expect(message).not.toMatch(/no region pin/);
  });

  test('an empty registry may lack tenants.lock.json', () => {
    expect(TenantRegistry.load(registryDir().paths).tenants).toEqual([]);
  });

  test('a pin without a spec outside regions.json is refused (ghost: mars-1)', () => {
    expect(problems(() => load([enterpriseSpec()], { acme: 'ap-southeast-2', ghost: 'mars-1' }))).toMatch(
      /tenant "ghost": pinned region "mars-1" in tenants\.lock\.json is not one of the allowed regions in regions\.json .*it has no spec in tenants\/ \(an offboarded tenant keeps its pin/,
    );
  });

  test('an offboarded tenant (a pin in an allowed region, no spec) is allowed', () => {
    expect(load([enterpriseSpec()], { acme: 'ap-southeast-2', oldco: 'us-east-1' }).tenants.map((t) => t.id)).toEqual(['acme']);
  });
});
