import * as fs from 'fs';
import * as path from 'path';
import { jsonSchemas, renderJsonSchema } from '../../lib/registry/json-schemas';
import { REPO_ROOT, regions } from '../fixtures';

describe('published JSON Schemas', () => {
  const schemas = jsonSchemas(regions);

  test.each(Object.keys(schemas))('schemas/%s is up to date (run `npm run schemas`)', (name) => {
    expect(fs.readFileSync(path.join(REPO_ROOT, 'schemas', name), 'utf8')).toBe(renderJsonSchema(schemas[name]));
  });

  test('the tenant schema offers exactly the regions of regions.json for autocompletion', () => {
    const tenant = schemas['tenant.schema.json'] as { properties: { placement: { properties: { region: { enum: string[] } } } } };
    expect(tenant.properties.placement.properties.region.enum).toEqual([...regions.codes]);
  });

  test('every committed file names its schema', () => {
    expect(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'regions.json'), 'utf8')).$schema).toBe('./schemas/regions.schema.json');
    expect(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'tenants.lock.json'), 'utf8')).$schema).toBe('./schemas/tenants-lock.schema.json');
    expect(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'delivery.json'), 'utf8')).$schema).toBe('./schemas/delivery.schema.json');
    for (const f of fs.readdirSync(path.join(REPO_ROOT, 'tenants'))) {
      expect(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'tenants', f), 'utf8')).$schema).toBe('../schemas/tenant.schema.json');
    }
  });
});
