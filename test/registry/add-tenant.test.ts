import * as fs from 'fs';
import * as path from 'path';
import { AddStep, NewTenant, addTenant, randomSuffix } from '../../lib/registry/add-tenant';
import { TenantRegistry } from '../../lib/registry/registry';
import { PINNED_AT, registryDir, teamSpec } from './registry-dir';

const NOW = new Date('2026-11-27T10:00:00.000Z');

function enterprise(overrides: Partial<NewTenant> = {}): NewTenant {
  return { id: 'acme', displayName: 'Acme Pty Ltd', plan: 'enterprise', region: 'ap-southeast-2', account: '123456789012', sizing: 'prod', egress: 'nat', ...overrides };
}

function team(overrides: Partial<NewTenant> = {}): NewTenant {
  return { id: 'globex', displayName: 'Globex GmbH', plan: 'team', geography: 'EU', account: '210987654321', sizing: 'dev', egress: 'none', ...overrides };
}

describe('cellkit tenant add', () => {
  test('writes the spec and its pin in one step; the registry then loads it', async () => {
    const dir = registryDir();
    const added = await addTenant(dir.paths, enterprise(), { now: NOW, usernameSuffix: 'abcd1234' });
    await addTenant(dir.paths, team(), { now: NOW });
    expect(added.pin).toEqual({ region: 'ap-southeast-2', pinnedAt: '2026-11-27T10:00:00.000Z' });
    expect(JSON.parse(dir.read('tenants/acme.json'))).toEqual({
      $schema: '../schemas/tenant.schema.json',
      id: 'acme',
      displayName: 'Acme Pty Ltd',
      plan: 'enterprise',
      placement: { region: 'ap-southeast-2' },
      account: '123456789012',
      sizing: 'prod',
      egress: 'nat',
      database: { usernameSuffix: 'abcd1234' },
    });
    expect(JSON.parse(dir.read('tenants.lock.json')).pins).toEqual({
      acme: { region: 'ap-southeast-2', pinnedAt: '2026-11-27T10:00:00.000Z' },
      globex: { region: 'eu-west-2', pinnedAt: '2026-11-27T10:00:00.000Z' },
    });
    expect(TenantRegistry.load(dir.paths).tenants.map((t) => `${t.id}:${t.region.code}`)).toEqual(['acme:ap-southeast-2', 'globex:eu-west-2']);
  });

  test('places a US team tenant in N. Virginia', async () => {
    const dir = registryDir();
    expect((await addTenant(dir.paths, team({ geography: 'US' }), { now: NOW })).pin.region).toBe('us-east-1');
  });

  test('generates a different random username suffix per tenant', () => {
    const suffixes = new Set(Array.from({ length: 50 }, () => randomSuffix()));
    expect(suffixes.size).toBe(50);
    for (const s of suffixes) expect(s).toMatch(/^[a-z0-9]{8}$/);
  });

  test.each([
    ['a duplicate id', (dir: ReturnType<typeof registryDir>) => addTenant(dir.paths, enterprise({ region: 'eu-west-1' }), { now: NOW }), /tenant "acme": field "id": a tenant with this id already exists \(tenants\/acme\.json\); ids are unique/],
    ['a team tenant naming a region', (dir: ReturnType<typeof registryDir>) => addTenant(dir.paths, team({ geography: undefined, region: 'eu-west-1' }), { now: NOW }), /tenant "globex": field "placement\.region": may only be chosen on the enterprise plan; the team plan is placed by geography \(EU or US\); got "eu-west-1"/],
    ['a team tenant in APAC', (dir: ReturnType<typeof registryDir>) => addTenant(dir.paths, team({ geography: 'APAC' }), { now: NOW }), /tenant "globex": field "placement\.geography": APAC is available on the enterprise plan only/],
    ['a region outside regions.json', (dir: ReturnType<typeof registryDir>) => addTenant(dir.paths, enterprise({ id: 'initech', region: 'us-west-2' }), { now: NOW }), /tenant "initech": field "placement\.region": must be one of the allowed regions in regions\.json.*got "us-west-2"/],
    ['an invalid id', (dir: ReturnType<typeof registryDir>) => addTenant(dir.paths, enterprise({ id: 'Bad_Id' }), { now: NOW }), /tenant "Bad_Id": field "id": must be 3-32 characters/],
  ])('refuses %s and writes nothing', async (_what, act, message) => {
    const dir = registryDir();
    await addTenant(dir.paths, enterprise(), { now: NOW, usernameSuffix: 'abcd1234' });
    const before = { tenants: dir.list('tenants'), specs: dir.list('tenants').map((f) => dir.read(`tenants/${f}`)), lock: dir.read('tenants.lock.json') };
    await expect(act(dir)).rejects.toThrow(message);
    expect({ tenants: dir.list('tenants'), specs: dir.list('tenants').map((f) => dir.read(`tenants/${f}`)), lock: dir.read('tenants.lock.json') }).toEqual(before);
  });

  test('refuses to reuse the id of an offboarded tenant whose pin remains', async () => {
    const dir = registryDir();
    dir.writePins({ oldco: { region: 'us-east-1', pinnedAt: PINNED_AT } });
    await expect(addTenant(dir.paths, team({ id: 'oldco' }), { now: NOW })).rejects.toThrow(/tenant "oldco": field "id": this id is already pinned to us-east-1 in tenants\.lock\.json \(since 2026-01-01T00:00:00\.000Z\); ids are never reused/);
    expect(dir.list('tenants')).toEqual([]);
  });

  test('refuses to add to a registry that is already broken', async () => {
    const dir = registryDir();
    dir.writeTenant('globex', teamSpec());
    dir.writePins({});
    await expect(addTenant(dir.paths, enterprise(), { now: NOW })).rejects.toThrow(/tenant "globex": no region pin/);
    expect(dir.list('tenants')).toEqual(['globex.json']);
  });
});

describe('cellkit tenant add: all or nothing (issue 12)', () => {
  const stateOf = (dir: ReturnType<typeof registryDir>) => ({ tenants: fs.readdirSync(path.join(dir.root, 'tenants')).sort(), lock: fs.existsSync(dir.paths.pinFile) ? dir.read('tenants.lock.json') : undefined });

  test('an id such as ../package is refused before the file system is touched', async () => {
    const dir = registryDir();
    dir.writeRaw('package.json', '{}'); // tenants/../package.json exists: the old code reported "already exists"
    const before = stateOf(dir);
    await expect(addTenant(dir.paths, enterprise({ id: '../package' }), { now: NOW })).rejects.toThrow(/^tenant "\.\.\/package": field "id": must be 3-32 characters: .*; got "\.\.\/package"$/);
    expect(stateOf(dir)).toEqual(before);
    expect(fs.existsSync(`${dir.paths.pinFile}.lock`)).toBe(false);
  });

  test('the display name is stored trimmed', async () => {
    const dir = registryDir();
    await addTenant(dir.paths, enterprise({ displayName: '  Acme Pty Ltd  ' }), { now: NOW });
    expect(JSON.parse(dir.read('tenants/acme.json')).displayName).toBe('Acme Pty Ltd');
  });

  test('a display name with a bidi control is refused and nothing is written', async () => {
    const dir = registryDir();
    await expect(addTenant(dir.paths, enterprise({ displayName: 'Acme \u202Edtl' }), { now: NOW })).rejects.toThrow(/tenant "acme": field "displayName": must not contain control or invisible formatting characters .*found U\+202E/);
    expect(stateOf(dir)).toEqual({ tenants: [], lock: undefined });
  });

  const interruptAt = (step: AddStep) => (s: AddStep) => {
    if (s === step) throw new Error(`interrupted at ${s}`);
  };

  test.each<AddStep>(['locked', 'pending-spec-written', 'pin-written'])('interrupted at %s: the registry still loads, and the same command completes the tenant', async (step) => {
    const dir = registryDir();
    await addTenant(dir.paths, team(), { now: NOW });
    await expect(addTenant(dir.paths, enterprise(), { now: NOW, onStep: interruptAt(step) })).rejects.toThrow(`interrupted at ${step}`);
    expect(TenantRegistry.load(dir.paths).tenants.map((t) => t.id)).toEqual(['globex']); // never stuck
    const later = new Date('2026-11-27T11:00:00.000Z');
    const done = await addTenant(dir.paths, enterprise(), { now: later });
    expect(done.completed).toBe(step === 'pin-written');
    expect(done.pin.pinnedAt).toBe(step === 'pin-written' ? NOW.toISOString() : later.toISOString());
    expect(TenantRegistry.load(dir.paths).tenants.map((t) => `${t.id}:${t.region.code}`)).toEqual(['acme:ap-southeast-2', 'globex:eu-west-2']);
    expect(dir.list('tenants')).toEqual(['acme.json', 'globex.json']);
  });

  test('completing an interrupted tenant with different values is refused, naming the difference', async () => {
    const dir = registryDir();
    await expect(addTenant(dir.paths, enterprise(), { now: NOW, onStep: interruptAt('pin-written') })).rejects.toThrow();
    const before = stateOf(dir);
    await expect(addTenant(dir.paths, enterprise({ account: '999999999999' }), { now: NOW })).rejects.toThrow(
      /tenant "acme": an interrupted "cellkit tenant add" left tenants\/\.acme\.json\.pending and its pin, with different values \(field "account": earlier "123456789012", now "999999999999"\); run the same command again to complete it/,
    );
    await expect(addTenant(dir.paths, enterprise({ region: 'eu-west-1' }), { now: NOW })).rejects.toThrow(/field "placement": earlier \{"region":"ap-southeast-2"\}, now \{"region":"eu-west-1"\}/);
    expect(stateOf(dir)).toEqual(before);
  });

  test('a spec without a pin (left by an older tenant add that wrote the spec first) is completed by the same command', async () => {
    const dir = registryDir();
    dir.writeTenant('globex', { $schema: '../schemas/tenant.schema.json', ...teamSpec() });
    dir.writePins({});
    expect(() => TenantRegistry.load(dir.paths)).toThrow(/tenant "globex": no region pin .*run the same command again to complete it/);
    await expect(addTenant(dir.paths, team({ account: '123456789012', sizing: 'prod' }), { now: NOW })).rejects.toThrow(/tenants\/globex\.json exists without a pin in tenants\.lock\.json, with different values \(field "sizing": earlier "dev", now "prod"\)/);
    const done = await addTenant(dir.paths, team({ account: '123456789012' }), { now: NOW });
    expect(done.completed).toBe(true);
    expect(TenantRegistry.load(dir.paths).tenants.map((t) => t.id)).toEqual(['globex']);
  });

  test('a registry with specs but no tenants.lock.json is refused, naming the missing file', async () => {
    const dir = registryDir();
    dir.writeTenant('globex', teamSpec());
    await expect(addTenant(dir.paths, enterprise(), { now: NOW })).rejects.toThrow(/tenants\.lock\.json: .*tenants\.lock\.json is missing, but there are tenant specs/);
  });
});
