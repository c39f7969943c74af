// A generated fleet's delivery, for the benchmark and the quota tests: delivery.json for a generated registry
// and a stand-in gated assembly. A delivery pipeline's structure (stages, actions, IAM, template size) depends on
// each cell stack's name, account, region and file assets, not on the cell's resources; so each stand-in template
// holds one resource and the asset manifest lists the two zip assets (region guard, default-SG provider) every
// cell has. The real cells' templates are checked by the fleet synth.
import * as fs from 'fs';
import * as path from 'path';
import { cellStackName } from '../lib/cell/cell-stack';
import { Tenant } from '../lib/registry/registry';
import { REPO_ROOT } from './fleet';

export const STAND_IN_ASSETS = ['b5d18185e623b076827c26feea71514dc7c40d5cc6ca7ed1eaf2d507fdbdab64', 'f178182c7c3aac6ad18bdaae53a2d38f72b2cf690d17b9efa635c7ce37f77d71'];

/** The committed delivery.json without its canaries (a generated registry has other tenant ids). */
export function writeDeliveryConfig(root: string): void {
  const config = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'delivery.json'), 'utf8'));
  fs.writeFileSync(path.join(root, 'delivery.json'), JSON.stringify({ ...config, $schema: undefined, canaries: [] }, null, 2));
}

/** Writes a stand-in gated assembly for the tenants into `dir`. */
export function writeStandInAssembly(dir: string, tenants: readonly Tenant[]): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const hash of STAND_IN_ASSETS) {
    fs.mkdirSync(path.join(dir, `asset.${hash}`), { recursive: true });
    fs.writeFileSync(path.join(dir, `asset.${hash}`, 'index.js'), 'exports.handler = async () => ({});\n');
  }
  for (const t of tenants) {
    const name = cellStackName(t.id);
    const template = { Description: `stand-in cell of ${t.id}`, Resources: { Topic: { Type: 'AWS::SNS::Topic' } } };
    fs.writeFileSync(path.join(dir, `${name}.template.json`), JSON.stringify(template));
    const files = Object.fromEntries(STAND_IN_ASSETS.map((hash) => [hash, { source: { path: `asset.${hash}`, packaging: 'zip' }, destinations: {} }]));
    fs.writeFileSync(path.join(dir, `${name}.assets.json`), JSON.stringify({ version: '55.0.0', files }));
  }
}

