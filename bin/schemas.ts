#!/usr/bin/env node
// Regenerates schemas/*.schema.json from the zod schemas (npm run schemas).
import * as fs from 'fs';
import * as path from 'path';
import { jsonSchemas, renderJsonSchema } from '../lib/registry/json-schemas';
import { RegionCatalog } from '../lib/registry/regions';
import { registryPaths } from '../lib/registry/registry';

const root = path.resolve(__dirname, '..');
const regions = RegionCatalog.load(registryPaths(root).regionsFile);
for (const [name, schema] of Object.entries(jsonSchemas(regions))) {
  fs.writeFileSync(path.join(root, 'schemas', name), renderJsonSchema(schema));
  process.stdout.write(`wrote schemas/${name}\n`);
}
