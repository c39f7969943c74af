import { MAX_TENANTS_PER_PIPELINE } from '../../lib/delivery/quotas';
import { planDelivery } from '../../lib/delivery/waves';
import { Tenant } from '../../lib/registry/registry';
import { regions, teamTenant, tenant } from '../fixtures';
import { exampleConfig } from './fleet-fixture';

const team = (i: number, geography: 'EU' | 'US' = 'EU'): Tenant => teamTenant({ id: `team-${String(i).padStart(3, '0')}`, placement: { geography }, database: { usernameSuffix: `t${String(i).padStart(7, '0')}` } });
const ent = (i: number, region = 'eu-west-2'): Tenant => tenant({ id: `ent-${String(i).padStart(3, '0')}`, placement: { region }, database: { usernameSuffix: `e${String(i).padStart(7, '0')}` } });
const ids = (ts: readonly Tenant[]) => ts.map((t) => t.id);

describe('planDelivery', () => {
  test('one pipeline per pinned region, in regions.json order', () => {
    const plan = planDelivery([ent(1, 'ap-southeast-2'), team(1), team(2, 'US')], exampleConfig(), regions.codes);
    expect(plan.map((p) => [p.name, p.region])).toEqual([
      ['CellkitDelivery-eu-west-2', 'eu-west-2'],
      ['CellkitDelivery-us-east-1', 'us-east-1'],
      ['CellkitDelivery-ap-southeast-2', 'ap-southeast-2'],
    ]);
  });

  test('canary first, then team tenants, then enterprise tenants; waves double up to the cap and never mix plans', () => {
    const fleet = [...Array.from({ length: 12 }, (_, i) => team(i)), ...Array.from({ length: 5 }, (_, i) => ent(i))];
    const [plan] = planDelivery(fleet, exampleConfig({ firstWaveSize: 2, maxWaveSize: 4 }), regions.codes);
    expect(plan.waves.map((w) => [w.name, ids(w.tenants), w.approval])).toEqual([
      ['Canary', ['team-000'], false],
      ['Wave1', ['team-001', 'team-002'], false],
      ['Wave2', ['team-003', 'team-004', 'team-005', 'team-006'], false],
      ['Wave3', ['team-007', 'team-008', 'team-009', 'team-010'], false],
      ['Wave4', ['team-011'], false],
      ['Wave5', ['ent-000', 'ent-001', 'ent-002', 'ent-003'], true],
      ['Wave6', ['ent-004'], true],
    ]);
  });

  test('configured canaries form the first wave; an enterprise canary waits for approval', () => {
    const [plan] = planDelivery([team(1), team(2), ent(1)], exampleConfig({ canaries: ['team-002', 'ent-001'] }), regions.codes);
    expect(plan.waves[0]).toMatchObject({ name: 'Canary', approval: true });
    expect(ids(plan.waves[0].tenants)).toEqual(['ent-001', 'team-002']);
    expect(ids(plan.waves.flatMap((w) => w.tenants))).toEqual(['ent-001', 'team-002', 'team-001']);
  });

  test('a region with only enterprise tenants takes its first one as canary, behind an approval', () => {
    const [plan] = planDelivery([ent(2, 'ap-southeast-1'), ent(1, 'ap-southeast-1')], exampleConfig(), regions.codes);
    expect(plan.waves.map((w) => [ids(w.tenants), w.approval])).toEqual([[['ent-001'], true], [['ent-002'], true]]);
  });

  test(`a region with more than ${MAX_TENANTS_PER_PIPELINE} tenants is split into numbered pipelines, every tenant exactly once`, () => {
    const fleet = Array.from({ length: MAX_TENANTS_PER_PIPELINE * 2 + 5 }, (_, i) => team(i));
    const plan = planDelivery(fleet, exampleConfig(), regions.codes);
    expect(plan.map((p) => p.name)).toEqual(['CellkitDelivery-eu-west-2', 'CellkitDelivery-eu-west-2-2', 'CellkitDelivery-eu-west-2-3']);
    const all = plan.flatMap((p) => p.waves.flatMap((w) => ids(w.tenants)));
    expect(all.sort()).toEqual(ids(fleet).sort());
    for (const p of plan) expect(p.waves.flatMap((w) => w.tenants).length).toBeLessThanOrEqual(MAX_TENANTS_PER_PIPELINE);
  });

  test('the plan does not depend on the order tenants are listed in', () => {
    const fleet = [...Array.from({ length: 9 }, (_, i) => team(i)), ent(1), ent(2, 'us-east-1')];
    const a = planDelivery(fleet, exampleConfig(), regions.codes);
    const b = planDelivery([...fleet].reverse(), exampleConfig(), regions.codes);
    expect(a.map((p) => p.waves.map((w) => ids(w.tenants)))).toEqual(b.map((p) => p.waves.map((w) => ids(w.tenants))));
  });
});
