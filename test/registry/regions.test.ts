import * as fs from 'fs';
import * as path from 'path';
import { RegionCatalog } from '../../lib/registry/regions';
import { REPO_ROOT } from '../fixtures';
import { regionsFile, registryDir } from './registry-dir';

function loadEdited(edit: (f: ReturnType<typeof regionsFile>) => unknown): RegionCatalog {
  const dir = registryDir(edit(regionsFile()));
  return RegionCatalog.load(dir.paths.regionsFile);
}

describe('regions.json', () => {
  test('lists exactly the six regions of the written promise, with cities, geographies and defaults', () => {
    const catalog = RegionCatalog.load(path.join(REPO_ROOT, 'regions.json'));
    expect(catalog.codes.map((c) => `${c} ${catalog.get(c).city} ${catalog.get(c).geography}`).sort()).toEqual([
      'ap-southeast-1 Singapore APAC',
      'ap-southeast-2 Sydney APAC',
      'eu-central-1 Frankfurt EU',
      'eu-west-1 Ireland EU',
      'eu-west-2 London EU',
      'us-east-1 N. Virginia US',
    ]);
    expect(catalog.defaultRegion('EU')).toBe('eu-west-2');
    expect(catalog.defaultRegion('US')).toBe('us-east-1');
    expect(catalog.defaultRegion('APAC')).toBeUndefined();
    expect(catalog.placementGeographies).toEqual(['EU', 'US']);
    for (const code of catalog.codes) {
      expect(catalog.get(code).availabilityZones).toEqual([`${code}a`, `${code}b`, `${code}c`]);
    }
  });

  test('refuses a seventh region', () => {
    expect(() =>
      loadEdited((f) => ({ ...f, regions: { ...f.regions, 'eu-north-1': { city: 'Stockholm', geography: 'EU', availabilityZones: ['eu-north-1a', 'eu-north-1b', 'eu-north-1c'] } } })),
    ).toThrow(/regions\.json: field "regions": must list exactly 6 regions \(the written promise\), found 7: .*eu-north-1/);
  });

  test('refuses a removed region', () => {
    expect(() =>
      loadEdited((f) => {
        const { ['ap-southeast-1']: _gone, ...rest } = f.regions;
        return { ...f, regions: rest };
      }),
    ).toThrow(/must list exactly 6 regions .* found 5/);
  });

  test('refuses broken JSON, naming the file', () => {
    const dir = registryDir();
    dir.writeRaw('regions.json', '{ "regions": {');
    expect(() => RegionCatalog.load(dir.paths.regionsFile)).toThrow(/regions\.json: regions\.json is not valid JSON/);
  });

  test('refuses an unknown field', () => {
    expect(() => loadEdited((f) => ({ ...f, preferred: 'eu-west-2' }))).toThrow(/regions\.json: unknown field "preferred"/);
  });

  test('refuses an availability zone of another region, naming the field and value', () => {
    expect(() =>
      loadEdited((f) => {
        f.regions['eu-west-2'].availabilityZones[1] = 'eu-west-1b';
        return f;
      }),
    ).toThrow(/field "regions\.eu-west-2\.availabilityZones\[1\]": must be an availability zone of eu-west-2.*got "eu-west-1b"/);
  });

  test('refuses two availability zones where three are required', () => {
    expect(() =>
      loadEdited((f) => {
        f.regions['us-east-1'].availabilityZones = ['us-east-1a', 'us-east-1b'];
        return f;
      }),
    ).toThrow(/field "regions\.us-east-1\.availabilityZones": must list exactly three availability zones/);
  });

  test('refuses an unknown geography', () => {
    expect(() =>
      loadEdited((f) => {
        f.regions['us-east-1'].geography = 'NA';
        return f;
      }),
    ).toThrow(/field "regions\.us-east-1\.geography": must be one of EU, US, APAC; got "NA"/);
  });

  test('refuses a default placement outside its geography or outside the list', () => {
    expect(() => loadEdited((f) => ({ ...f, defaultPlacement: { EU: 'us-east-1', US: 'us-east-1' } }))).toThrow(
      /field "defaultPlacement\.EU": must be a region in geography EU, but us-east-1 is in US/,
    );
    expect(() => loadEdited((f) => ({ ...f, defaultPlacement: { EU: 'eu-north-1', US: 'us-east-1' } }))).toThrow(
      /field "defaultPlacement\.EU": must be one of the listed regions/,
    );
  });

  test('refuses a malformed region code', () => {
    expect(() =>
      loadEdited((f) => {
        const { ['eu-west-1']: ireland, ...rest } = f.regions;
        return { ...f, regions: { ...rest, Ireland: ireland } };
      }),
    ).toThrow(/field "regions": key "Ireland" must be an AWS region code: two letters, a direction and a digit, like the keys of regions.json/);
  });

  test('a missing file is refused with its path', () => {
    expect(() => RegionCatalog.load(path.join(REPO_ROOT, 'no-such-regions.json'))).toThrow(/regions\.json: cannot read .*no-such-regions\.json/);
    expect(fs.existsSync(path.join(REPO_ROOT, 'no-such-regions.json'))).toBe(false);
  });
});
