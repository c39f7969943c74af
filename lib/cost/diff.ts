import { byType, CellEstimate } from './estimate';
import { FleetEstimate, priceAge, usd } from './report';

export interface TenantDiff {
  readonly tenant: string;
  readonly status: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly beforeUsd: number;
  readonly afterUsd: number;
  readonly deltaUsd: number;
  /** Per resource type, where the money moved. */
  readonly parts: readonly { type: string; deltaUsd: number }[];
  readonly unpricedBefore: number;
  readonly unpricedAfter: number;
}

export interface FleetDiff {
  readonly tenants: readonly TenantDiff[];
  readonly beforeUsd: number;
  readonly afterUsd: number;
  readonly deltaUsd: number;
}

/** Sub-cent differences are rounding, not change. */
const CENT = 0.005;

/** The monthly difference per tenant between two estimates (`before` = the other cdk.out). */
export function diffFleets(before: FleetEstimate, after: FleetEstimate): FleetDiff {
  const b = new Map(before.cells.map((c) => [c.tenant, c]));
  const a = new Map(after.cells.map((c) => [c.tenant, c]));
  const tenants = [...new Set([...b.keys(), ...a.keys()])].sort().map((t) => diffCell(t, b.get(t), a.get(t)));
  return { tenants, beforeUsd: before.monthlyUsd, afterUsd: after.monthlyUsd, deltaUsd: after.monthlyUsd - before.monthlyUsd };
}

function diffCell(tenant: string, before: CellEstimate | undefined, after: CellEstimate | undefined): TenantDiff {
  const beforeUsd = before?.monthlyUsd ?? 0;
  const afterUsd = after?.monthlyUsd ?? 0;
  const parts = new Map<string, number>();
  for (const t of after ? byType(after) : []) parts.set(t.type, t.monthlyUsd);
  for (const t of before ? byType(before) : []) parts.set(t.type, (parts.get(t.type) ?? 0) - t.monthlyUsd);
  const deltaUsd = afterUsd - beforeUsd;
  const status = !before ? 'added' : !after ? 'removed' : Math.abs(deltaUsd) < CENT && [...parts.values()].every((d) => Math.abs(d) < CENT) ? 'unchanged' : 'changed';
  return {
    tenant,
    status,
    beforeUsd,
    afterUsd,
    deltaUsd,
    parts: [...parts.entries()]
      .filter(([, d]) => Math.abs(d) >= CENT)
      .map(([type, d]) => ({ type, deltaUsd: d }))
      .sort((x, y) => Math.abs(y.deltaUsd) - Math.abs(x.deltaUsd) || x.type.localeCompare(y.type)),
    unpricedBefore: before?.unpriced.length ?? 0,
    unpricedAfter: after?.unpriced.length ?? 0,
  };
}

const signed = (n: number): string => (Math.abs(n) < CENT ? '$0.00' : `${n > 0 ? '+' : '-'}${usd(Math.abs(n))}`);

/** Markdown for a pull-request comment. */
export function renderDiffMarkdown(d: FleetDiff, after: FleetEstimate): string {
  const out = [
    '## cellkit cost: monthly change',
    '',
    '| tenant | change | before | after | delta | where |',
    '| --- | --- | ---: | ---: | ---: | --- |',
    ...d.tenants.map((t) => `| ${t.tenant} | ${t.status} | ${usd(t.beforeUsd)} | ${usd(t.afterUsd)} | ${signed(t.deltaUsd)} | ${t.parts.slice(0, 3).map((p) => `${p.type} ${signed(p.deltaUsd)}`).join('; ') || '-'} |`),
    `| **fleet** | | ${usd(d.beforeUsd)} | ${usd(d.afterUsd)} | **${signed(d.deltaUsd)}** | |`,
    '',
    `On-demand list prices; assumptions in docs/cost.md. ${priceAge(after)}`,
  ];
  const unpriced = d.tenants.filter((t) => t.unpricedAfter > 0 || t.unpricedBefore > 0);
  if (unpriced.length) out.push('', `Unpriced items (not in the totals): ${unpriced.map((t) => `${t.tenant} ${t.unpricedBefore} -> ${t.unpricedAfter}`).join(', ')}.`);
  return `${out.join('\n')}\n`;
}
