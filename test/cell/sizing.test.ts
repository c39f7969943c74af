// lib/cell/sizing.ts is the one place dev and prod differ: every sized property of a cell template is read
// from its row, and editing the row changes the template.
import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { expectedVaultNodes } from '../../lib/cli/vault-status';
import { RDS_CLASSES } from '../../lib/cost/price-queries';
import { CELL_SIZING, CellSizing, vaultInstanceTypesFor } from '../../lib/cell/sizing';
import { SIZINGS, Sizing, TenantSpec } from '../../lib/registry/tenant-spec';
import { REPO_ROOT, cellStack, tenant } from '../fixtures';

type Resources = Record<string, { Type: string; Properties?: any }>;

function resources(overrides: Partial<TenantSpec>): Resources {
  return Template.fromStack(cellStack(tenant(overrides))).toJSON().Resources as Resources;
}

function ofType(r: Resources, type: string): any[] {
  return Object.values(r).filter((x) => x.Type === type).map((x) => x.Properties);
}

/** The sized properties of a synthesized cell, read back from its template. */
function sizedProperties(r: Resources): CellSizing {
  const [db] = ofType(r, 'AWS::RDS::DBInstance');
  const [fs] = ofType(r, 'AWS::FSx::FileSystem');
  const [asg] = ofType(r, 'AWS::AutoScaling::AutoScalingGroup');
  expect(asg.MinSize).toBe(asg.MaxSize);
  expect(asg.DesiredCapacity).toBe(asg.MaxSize);
  return {
    natGateways: ofType(r, 'AWS::EC2::NatGateway').length,
    vault: {
      nodes: Number(asg.MaxSize) as 3 | 5,
      instanceTypes: asg.MixedInstancesPolicy.LaunchTemplate.Overrides.map((o: { InstanceType: string }) => o.InstanceType),
    },
    database: { instanceType: String(db.DBInstanceClass).replace(/^db\./, ''), multiAz: db.MultiAZ === true, maxAllocatedStorageGiB: db.MaxAllocatedStorage },
    fileShare: { throughputMBps: fs.OntapConfiguration.ThroughputCapacity },
  };
}

describe('lib/cell/sizing.ts drives every sized property of the cell', () => {
  test.each(SIZINGS.map((s) => [s]))('a %s cell with NAT egress is exactly its row of the table', (sizing: Sizing) => {
    expect(sizedProperties(resources({ sizing, egress: 'nat' }))).toEqual(CELL_SIZING[sizing]);
  });

  test('dev and prod differ in every sized property (the table is not one row twice)', () => {
    const { dev, prod } = CELL_SIZING;
    expect(dev.natGateways).not.toBe(prod.natGateways);
    expect(dev.vault.nodes).not.toBe(prod.vault.nodes);
    expect(dev.vault.instanceTypes).not.toEqual(prod.vault.instanceTypes);
    expect(dev.database).not.toEqual(prod.database);
    expect(dev.fileShare.throughputMBps).not.toBe(prod.fileShare.throughputMBps);
  });

  test('a cell without egress has no NAT gateway, whatever its sizing', () => {
    expect(ofType(resources({ sizing: 'prod', egress: 'none' }), 'AWS::EC2::NatGateway')).toHaveLength(0);
  });

  test('editing a row changes the template: the parts read the table, not a copy of it', () => {
    const row = CELL_SIZING.dev as { -readonly [K in keyof CellSizing]: CellSizing[K] };
    const saved = { ...row };
    try {
      row.database = { ...saved.database, maxAllocatedStorageGiB: 200 };
      row.fileShare = { throughputMBps: 256 };
      row.natGateways = 2;
      const edited = sizedProperties(resources({ sizing: 'dev', egress: 'nat' }));
      expect(edited.database.maxAllocatedStorageGiB).toBe(200);
      expect(edited.fileShare.throughputMBps).toBe(256);
      expect(edited.natGateways).toBe(2);
    } finally {
      Object.assign(row, saved);
    }
  });

  test('the CLI and the price queries read the same table', () => {
    expect(expectedVaultNodes(tenant({ sizing: 'prod' }))).toBe(CELL_SIZING.prod.vault.nodes);
    expect(expectedVaultNodes(tenant({ sizing: 'dev' }))).toBe(CELL_SIZING.dev.vault.nodes);
    expect([...RDS_CLASSES].sort()).toEqual(SIZINGS.map((s) => `db.${CELL_SIZING[s].database.instanceType}`).sort());
    expect(vaultInstanceTypesFor(5)).toBe(CELL_SIZING.prod.vault.instanceTypes);
    expect(vaultInstanceTypesFor(3)).toBe(CELL_SIZING.dev.vault.instanceTypes);
  });

  test('no file in lib/ decides by comparing a sizing name: the table is the only place (file:line listed)', () => {
    const compare = new RegExp(`(?:===|!==|==|!=)\\s*'(?:${SIZINGS.join('|')})'|'(?:${SIZINGS.join('|')})'\\s*(?:===|!==|==|!=)`);
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })) {
        const rel = path.posix.join(dir, e.name);
        if (e.isDirectory()) walk(rel);
        else if (rel.endsWith('.ts') && rel !== 'lib/cell/sizing.ts') {
          fs.readFileSync(path.join(REPO_ROOT, rel), 'utf8').split('\n').forEach((line, i) => {
            if (compare.test(line)) found.push(`${rel}:${i + 1}: ${line.trim()}`);
          });
        }
      }
    };
    walk('lib');
    expect(found).toEqual([]);
    // The pattern does catch the form this module replaced.
    expect(compare.test("const prod = tenant.spec.sizing === 'prod';")).toBe(true);
  });
});
