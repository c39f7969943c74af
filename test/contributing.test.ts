// CONTRIBUTING.md's two checklists stay true: every file and test they name exists, and for a region,
// editing regions.json (plus the generated files the checklist names) is really all it takes.
import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { deliveryConfigSchema } from '../lib/delivery/delivery-config';
import { jsonSchemas } from '../lib/registry/json-schemas';
import { registryPaths, Tenant } from '../lib/registry/registry';
import { RegionCatalog } from '../lib/registry/regions';
import { tenantSpecSchema } from '../lib/registry/tenant-spec';
import { REPO_ROOT, cellStack, spec } from './fixtures';
import { regionsFile, registryDir } from './registry/registry-dir';

const CONTRIBUTING = fs.readFileSync(path.join(REPO_ROOT, 'CONTRIBUTING.md'), 'utf8');

/** The numbered steps of the section under this heading, each as one string. */
function steps(heading: string): string[] {
  const start = CONTRIBUTING.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`CONTRIBUTING.md has no section "## ${heading}"`);
  const end = CONTRIBUTING.indexOf('\n## ', start + 1);
  const body = CONTRIBUTING.slice(start, end < 0 ? undefined : end);
  return body.split(/\n(?=\d+\. )/).filter((s) => /^\d+\. /.test(s));
}

/** Backticked repository paths of a text; placeholders (`lib/<part>/`) are not paths. */
function pathsIn(text: string): string[] {
  return [...text.matchAll(/`([^`\s<>]+)`/g)]
    .map((m) => m[1])
    .filter((p) => /^(lib|bin|test|docs|schemas)\//.test(p) || /^[\w.-]+\.(json|md)$/.test(p));
}

const CHECKLISTS = ['Add a part to the cell', 'Add or change a region'];

describe('CONTRIBUTING.md', () => {
  test.each(CHECKLISTS)('"%s": every step names a file, and every file and directory it names exists', (heading) => {
    const list = steps(heading);
    expect(list.length).toBeGreaterThanOrEqual(5);
    const missing: string[] = [];
    list.forEach((step, i) => {
      // Every step names something to touch or read: a path, a placeholder path or a command.
      expect(`${i + 1}: ${/`[^`]+`/.test(step)}`).toBe(`${i + 1}: true`);
      for (const p of pathsIn(step)) if (!fs.existsSync(path.join(REPO_ROOT, p))) missing.push(`step ${i + 1}: ${p}`);
    });
    expect(missing).toEqual([]);
  });

  test.each(CHECKLISTS)('"%s": every "Proof:" names a test file that exists and holds tests', (heading) => {
    const proofs = steps(heading).filter((s) => s.includes('Proof:'));
    expect(proofs.length).toBeGreaterThanOrEqual(4);
    for (const step of proofs) {
      const proof = step.slice(step.indexOf('Proof:'));
      const tests = pathsIn(proof).filter((p) => p.startsWith('test/'));
      // A new part's own test file is named by its placeholder path, `test/<part>/<name>.test.ts`.
      const placeholders = [...proof.matchAll(/`(test\/[^`\s]*<[^`\s]*\.test\.ts)`/g)];
      expect(tests.length + placeholders.length).toBeGreaterThan(0);
      for (const t of tests) expect(fs.readFileSync(path.join(REPO_ROOT, t), 'utf8')).toMatch(/\btest(\.each\([^)]*\))?\(/);
    }
  });

  test('every file the page names anywhere (the one-source table included) exists', () => {
    expect(pathsIn(CONTRIBUTING).filter((p) => !fs.existsSync(path.join(REPO_ROOT, p)))).toEqual([]);
    expect(pathsIn(CONTRIBUTING)).toEqual(expect.arrayContaining(['lib/cell/sizing.ts', 'lib/data/retention-days.ts', 'test/data/retention-days.test.ts']));
  });

  test('the region checklist names the scan that keeps regions.json the only place a region is named', () => {
    const text = steps('Add or change a region').join('\n');
    for (const t of ['test/registry/region-codes.test.ts', 'test/registry/json-schemas.test.ts', 'test/registry/regions.test.ts']) {
      expect(text).toContain(t);
    }
    // The schema generator reads the registry's regions.json, not a list of its own.
    expect(registryPaths(REPO_ROOT).regionsFile).toBe(path.join(REPO_ROOT, 'regions.json'));
    expect(fs.readFileSync(path.join(REPO_ROOT, 'bin', 'schemas.ts'), 'utf8')).toContain('RegionCatalog.load(registryPaths(root).regionsFile)');
  });

  test('the sizing step names the module every dev/prod difference lives in', () => {
    expect(steps('Add a part to the cell').join('\n')).toMatch(/`lib\/cell\/sizing\.ts`[\s\S]*`test\/cell\/sizing\.test\.ts`/);
  });
});

describe('following the region checklist is all it takes: swap a region in a copy of regions.json', () => {
  // A region no example tenant, default placement or delivery.json uses, replaced by one the code never heard of.
  const file = regionsFile();
  const gone = Object.keys(file.regions).find((c) => !Object.values(file.defaultPlacement).includes(c) && c !== 'ap-southeast-2' && c !== 'eu-west-2')!;
  const added = 'eu-north-1';
  delete file.regions[gone];
  file.regions[added] = { city: 'Stockholm', geography: 'EU', availabilityZones: [`${added}a`, `${added}b`, `${added}c`] };
  const catalog = RegionCatalog.load(registryDir(file).paths.regionsFile);

  test('the catalog, the tenant schema and the published schemas follow the file', () => {
    expect(catalog.codes).toContain(added);
    expect(catalog.codes).not.toContain(gone);
    const tenantSchema = jsonSchemas(catalog)['tenant.schema.json'] as { properties: { placement: { properties: { region: { enum: string[] } } } } };
    expect(tenantSchema.properties.placement.properties.region.enum).toEqual([...catalog.codes]);
    expect(tenantSpecSchema(catalog).safeParse(spec({ placement: { region: added } })).success).toBe(true);
    const refused = tenantSpecSchema(catalog).safeParse(spec({ placement: { region: gone } }));
    expect(refused.success).toBe(false);
    expect(JSON.stringify(refused.error?.issues)).toContain('must be one of the allowed regions in regions.json');
  });

  test('delivery.json may name the new region and not the removed one', () => {
    const delivery = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'delivery.json'), 'utf8'));
    expect(deliveryConfigSchema(catalog).safeParse({ ...delivery, region: added }).success).toBe(true);
    expect(deliveryConfigSchema(catalog).safeParse({ ...delivery, region: gone }).success).toBe(false);
  });

  test('a cell pinned to the new region synthesizes in its zones, and its guard checks the new list', () => {
    const s = spec({ placement: { region: added } });
    const t: Tenant = { spec: s, id: s.id, region: catalog.get(added), pin: { region: added, pinnedAt: '2026-01-01T00:00:00.000Z' } };
    type Resources = Record<string, { Type: string; Properties?: any }>;
    const resources = Template.fromStack(cellStack(t, { allowedRegions: catalog.codes })).toJSON().Resources as Resources;
    const zones = Object.values(resources).filter((r) => r.Type === 'AWS::EC2::Subnet').map((r) => r.Properties.AvailabilityZone);
    expect(new Set(zones)).toEqual(new Set(catalog.get(added).availabilityZones));
    const guard = Object.values(resources).find((r) => /RegionGuard$/.test(r.Type))!;
    expect(guard.Properties.PinnedRegion).toBe(added);
    expect(guard.Properties.AllowedRegions).toEqual([...catalog.codes]);
  });
});
