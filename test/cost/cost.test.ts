import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { CellStack, cellStackName } from '../../lib/cell/cell-stack';
import { DEFAULT_ASSUMPTIONS } from '../../lib/cost/assumptions';
import { diffFleets, renderDiffMarkdown } from '../../lib/cost/diff';
import { estimateCell, sum } from '../../lib/cost/estimate';
import { loadPriceFile, parsePriceFile, writePriceFile } from '../../lib/cost/price-file';
import { estimateFleet, writeCostReports } from '../../lib/cost/report';
import { readCloudAssembly } from '../../lib/evidence/cloud-assembly';
import { REPO_ROOT, regions, teamTenant, tenant } from '../fixtures';
import { testPriceFile } from './test-prices';

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
const NOW = new Date('2026-03-01T12:00:00Z');

/** One synth for the file: acme (prod, Sydney, NAT) and acme-dev (its dev sizing), globex (dev, London) and globex-prod. */
function synthAssembly(): string {
  const outdir = tmp('cellkit-cost-out-');
  const app = new App({ outdir });
  for (const t of [tenant(), tenant({ id: 'acme-dev', sizing: 'dev' }), teamTenant(), teamTenant({ id: 'globex-prod', sizing: 'prod' })]) {
    new CellStack(app, cellStackName(t.id), { tenant: t, cellkitVersion: '1.0.0', allowedRegions: regions.codes });
  }
  app.synth();
  return outdir;
}

describe('cellkit cost', () => {
  let assembly: string;
  let priceFile: string;
  beforeAll(() => {
    assembly = synthAssembly();
    priceFile = path.join(tmp('cellkit-cost-prices-'), 'prices.json');
    writePriceFile(priceFile, testPriceFile());
  });
  const fleet = (over: Partial<Parameters<typeof estimateFleet>[0]> = {}) => estimateFleet({ cdkOut: assembly, priceFile, now: NOW, ...over });
  const cell = (id: string) => fleet().cells.find((c) => c.tenant === id)!;

  test('with a complete price file every resource is priced or explicitly no-charge: nothing unpriced', () => {
    for (const c of fleet().cells) expect(c.unpriced).toEqual([]);
  });

  test("a cell's total is the sum of its items, and the fleet's the sum of its cells", () => {
    const f = fleet();
    for (const c of f.cells) {
      expect(c.lines.length).toBeGreaterThan(10);
      expect(c.monthlyUsd).toBeCloseTo(sum(c.lines.map((l) => l.monthlyUsd)), 9);
    }
    expect(f.monthlyUsd).toBeCloseTo(sum(f.cells.map((c) => c.monthlyUsd)), 9);
  });

  test('dev -> prod raises the estimate, and in the documented places (database, file share throughput, Vault)', () => {
    const dev = cell('globex');
    const prod = cell('globex-prod');
    expect(prod.monthlyUsd).toBeGreaterThan(dev.monthlyUsd);
    const part = (c: typeof dev, type: string) => sum(c.lines.filter((l) => l.type === type).map((l) => l.monthlyUsd));
    for (const type of ['AWS::RDS::DBInstance', 'AWS::FSx::FileSystem', 'AWS::AutoScaling::AutoScalingGroup']) expect(part(prod, type)).toBeGreaterThan(part(dev, type));
    // FSx: 128 -> 512 MBps at the test price of $1.50 per MBps-month = +$576.
    expect(part(prod, 'AWS::FSx::FileSystem') - part(dev, 'AWS::FSx::FileSystem')).toBeCloseTo(576, 6);
  });

  test('with the committed Sydney prices, dev -> prod raises the database line: single-AZ db.t4g.medium to Multi-AZ db.m7g.large', () => {
    const real = estimateFleet({ cdkOut: assembly, now: NOW });
    const db = (id: string) => sum(real.cells.find((c) => c.tenant === id)!.lines.filter((l) => l.type === 'AWS::RDS::DBInstance').map((l) => l.monthlyUsd));
    expect(db('acme-dev')).toBeCloseTo(730 * 0.102, 6);
    expect(db('acme')).toBeCloseTo(730 * 0.468, 6);
    expect(real.cells.find((c) => c.tenant === 'acme')!.monthlyUsd).toBeGreaterThan(real.cells.find((c) => c.tenant === 'acme-dev')!.monthlyUsd);
  });

  test('the ten interface endpoints are billed per AZ: 3 AZs x 730 hours each', () => {
    const dev = cell('globex');
    const endpoints = dev.lines.filter((l) => l.type === 'AWS::EC2::VPCEndpoint' && l.unit === 'AZ-hour');
    expect(endpoints).toHaveLength(10);
    expect(endpoints.every((l) => l.quantity === 3 * 730)).toBe(true);
  });

  test('a resource type with no pricer is unpriced, not free; a region missing from the price file leaves everything unpriced', () => {
    const cells = readCloudAssembly(assembly).cells;
    const acme = cells.find((c) => c.cell.tenant === 'acme')!;
    const withUnknown = { ...acme, template: { ...acme.template, Resources: { ...acme.template.Resources, Mystery: { Type: 'AWS::Timestream::Database' } } } };
    const e = estimateCell(withUnknown, testPriceFile(), DEFAULT_ASSUMPTIONS);
    expect(e.unpriced).toEqual([expect.objectContaining({ resource: 'Mystery', type: 'AWS::Timestream::Database', reason: 'no pricer for AWS::Timestream::Database' })]);
    const noRegion = estimateCell(acme, testPriceFile(['eu-west-2']), DEFAULT_ASSUMPTIONS);
    expect(noRegion.lines.filter((l) => l.priceKey !== 'free')).toEqual([]);
    expect(noRegion.unpriced.length).toBeGreaterThan(20);
    expect(noRegion.monthlyUsd).toBe(0);
  });

  test('reports: Markdown and JSON per tenant and for the fleet, stating the assumptions and the age of the prices', () => {
    const out = tmp('cellkit-cost-report-');
    writeCostReports(fleet(), out);
    expect(fs.readdirSync(out).sort()).toEqual(['acme-dev.cost.json', 'acme-dev.cost.md', 'acme.cost.json', 'acme.cost.md', 'fleet.cost.json', 'fleet.cost.md', 'globex-prod.cost.json', 'globex-prod.cost.md', 'globex.cost.json', 'globex.cost.md']);
    const md = fs.readFileSync(path.join(out, 'globex.cost.md'), 'utf8');
    expect(md).toContain('Price file updated 2026-01-01 (59 days ago). The oldest price used was read on 2026-01-01 (59 days ago).');
    expect(md).toContain('730 hours per month');
    expect(md).toContain('AWS::IAM::Role');
    const json = JSON.parse(fs.readFileSync(path.join(out, 'acme.cost.json'), 'utf8'));
    expect(json.monthlyUsd).toBeCloseTo(cell('acme').monthlyUsd, 9);
    expect(json.assumptions.hoursPerMonth).toBe(730);
  });

  test('--diff: per-tenant change, added and removed tenants, and no change against itself', () => {
    const after = fleet();
    const self = diffFleets(after, after);
    expect(self.tenants.map((t) => t.status)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(self.deltaUsd).toBe(0);
    const before = { ...after, cells: after.cells.filter((c) => c.tenant !== 'globex-prod').map((c) => (c.tenant === 'acme' ? { ...c, tenant: 'gone' } : c)) };
    const d = diffFleets({ ...before, monthlyUsd: sum(before.cells.map((c) => c.monthlyUsd)) }, after);
    const status = Object.fromEntries(d.tenants.map((t) => [t.tenant, t.status]));
    expect(status).toEqual({ acme: 'added', 'acme-dev': 'unchanged', globex: 'unchanged', 'globex-prod': 'added', gone: 'removed' });
    const md = renderDiffMarkdown(d, after);
    expect(md).toContain('| gone | removed |');
    expect(md).toMatch(/\| \*\*fleet\*\* \|/);
  });

  test('--diff between dev and prod sizing of one tenant names where the money moved', () => {
    const dev = estimateFleet({ cdkOut: assembly, priceFile, now: NOW, tenant: 'globex' });
    const prodCell = cell('globex-prod');
    const prod = { ...dev, cells: [{ ...prodCell, tenant: 'globex' }], monthlyUsd: prodCell.monthlyUsd };
    const d = diffFleets(dev, prod).tenants[0];
    expect(d.status).toBe('changed');
    expect(d.deltaUsd).toBeCloseTo(prodCell.monthlyUsd - cell('globex').monthlyUsd, 9);
    expect(d.parts.map((p) => p.type)).toEqual(expect.arrayContaining(['AWS::RDS::DBInstance', 'AWS::FSx::FileSystem', 'AWS::AutoScaling::AutoScalingGroup']));
  });

  test('bad input is refused with the file and field named: price file, cloud assembly, tenant', () => {
    expect(() => parsePriceFile({ currency: 'USD', updatedAt: '2026-01-01', regions: { 'eu-west-2': { 'kms.key-month': { usd: -1, unit: 'key-month', source: '', asOf: '2026-01-01' } } } }, 'p.json')).toThrow(
      /p\.json: regions\.eu-west-2\.kms\.key-month\.usd: must not be negative[\s\S]*source: every price needs a source/,
    );
    expect(() => parsePriceFile({ currency: 'EUR', updatedAt: 'yesterday', regions: {} }, 'p.json')).toThrow(/p\.json: currency[\s\S]*p\.json: updatedAt: must be a date YYYY-MM-DD/);
    expect(() => fleet({ cdkOut: tmp('cellkit-cost-empty-') })).toThrow(/missing .*manifest\.json/);
    expect(() => fleet({ tenant: 'nobody' })).toThrow(/no synthesized cell for tenant "nobody"/);
    const empty = tmp('cellkit-cost-nocells-');
    fs.writeFileSync(path.join(empty, 'manifest.json'), JSON.stringify({ artifacts: {} }));
    expect(() => fleet({ cdkOut: empty })).toThrow(/no synthesized cells in .*: run `npx cdk synth`/);
  });

  test('the CLI: estimate and --diff exit 0 and print the PR table; bad input exits 3 with a message and no stack trace', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/run-ts.js'), path.join(REPO_ROOT, 'bin/cellkit.ts'), 'cost', ...args], { encoding: 'utf8' });
    const out = tmp('cellkit-cost-cli-');
    const ok = cli('--cdk-out', assembly, '--prices', priceFile, '--out', out, '--diff', assembly);
    expect(ok.stderr).not.toMatch(/Error|at /);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^globex \(eu-west-2, dev\): \$[\d,]+\.\d\d\/month -> /m);
    expect(ok.stdout).toContain('| globex | unchanged |');
    expect(fs.existsSync(path.join(out, 'fleet.cost.md'))).toBe(true);
    const bad = cli('--cdk-out', path.join(out, 'nowhere'), '--prices', priceFile);
    expect(bad.status).toBe(3);
    expect(bad.stderr).toMatch(/^cellkit cost: no cloud assembly at .*nowhere \(missing .*nowhere\/manifest\.json\)/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  test('the committed price file is valid, dated, and every price names its source', () => {
    const f = loadPriceFile();
    expect(Object.keys(f.regions).sort()).toEqual([...regions.codes].sort());
    for (const prices of Object.values(f.regions)) for (const p of Object.values(prices)) expect(p.source.length).toBeGreaterThan(20);
  });
});

test('the age of the prices is the oldest price a cell actually used, not only the file date', () => {
  const file = testPriceFile(['eu-west-2']);
  const london = { ...file.regions['eu-west-2'], 'kms.key-month': { usd: 1, unit: 'key-month', source: 'test fixture (not a real price)', asOf: '2025-06-30' } };
  const cell = {
    stackName: 'Cell-x',
    account: '123456789012',
    region: 'eu-west-2',
    templateFile: 'x.json',
    template: { Resources: { K: { Type: 'AWS::KMS::Key' }, S: { Type: 'AWS::SecretsManager::Secret' } } },
    cell: { version: '1', tenant: 'x', plan: 'team', sizing: 'dev', egress: 'none', pinnedRegion: 'eu-west-2', pinnedAt: '', allowedRegions: [] },
  };
  expect(estimateCell(cell, { ...file, regions: { 'eu-west-2': london } }, DEFAULT_ASSUMPTIONS).oldestPrice).toBe('2025-06-30');
});
