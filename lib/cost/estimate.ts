import { SynthesizedCell } from '../evidence/cloud-assembly';
import { TemplateModel } from '../evidence/template-model';
import { CostAssumptions } from './assumptions';
import { Line, PricedLine, UnpricedLine } from './model';
import { PriceFile } from './price-file';
import { noChargeReason, PRICERS } from './pricers';

export interface NoChargeType {
  readonly type: string;
  readonly count: number;
  readonly reason: string;
}

/** One tenant's monthly estimate, read from its synthesized template. */
export interface CellEstimate {
  readonly tenant: string;
  readonly stackName: string;
  readonly region: string;
  readonly sizing: string;
  readonly egress: string;
  /** Sum of the priced lines, in USD per month. */
  readonly monthlyUsd: number;
  /** The oldest price this estimate used (YYYY-MM-DD), or undefined when nothing was priced. */
  readonly oldestPrice?: string;
  readonly lines: readonly PricedLine[];
  readonly unpriced: readonly UnpricedLine[];
  readonly noCharge: readonly NoChargeType[];
}

/** Prices every resource of one cell; unknown types become unpriced lines. */
export function estimateCell(cell: SynthesizedCell, prices: PriceFile, assumptions: CostAssumptions): CellEstimate {
  const template = new TemplateModel(cell.template);
  const regionPrices = prices.regions[cell.region];
  const all: Line[] = [];
  const noCharge = new Map<string, NoChargeType>();
  for (const [logicalId, resource] of template.resources) {
    const pricer = PRICERS.get(resource.Type);
    if (pricer) {
      all.push(...pricer.price({ logicalId, resource, template, region: cell.region, prices: regionPrices, assumptions }));
      continue;
    }
    const reason = resource.Type === 'AWS::SSM::Parameter' && resource.Properties?.Tier === 'Advanced' ? undefined : noChargeReason(resource.Type);
    if (reason === undefined) {
      all.push({ kind: 'unpriced', resource: logicalId, type: resource.Type, description: resource.Type, reason: `no pricer for ${resource.Type}${resource.Type === 'AWS::SSM::Parameter' ? ' (Advanced tier)' : ''}` });
      continue;
    }
    const seen = noCharge.get(resource.Type);
    noCharge.set(resource.Type, { type: resource.Type, count: (seen?.count ?? 0) + 1, reason });
  }
  const lines = all.filter((l): l is PricedLine => l.kind === 'priced');
  return {
    tenant: cell.cell.tenant,
    stackName: cell.stackName,
    region: cell.region,
    sizing: cell.cell.sizing,
    egress: cell.cell.egress,
    monthlyUsd: sum(lines.map((l) => l.monthlyUsd)),
    oldestPrice: oldest(lines.map((l) => l.asOf)),
    lines,
    unpriced: all.filter((l): l is UnpricedLine => l.kind === 'unpriced'),
    noCharge: [...noCharge.values()].sort((a, b) => a.type.localeCompare(b.type)),
  };
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Lines grouped by the part of the cell they belong to (resource type), largest first. */
export function byType(estimate: CellEstimate): { type: string; monthlyUsd: number }[] {
  const totals = new Map<string, number>();
  for (const l of estimate.lines) totals.set(l.type, (totals.get(l.type) ?? 0) + l.monthlyUsd);
  return [...totals.entries()].map(([type, monthlyUsd]) => ({ type, monthlyUsd })).sort((a, b) => b.monthlyUsd - a.monthlyUsd || a.type.localeCompare(b.type));
}

/** The earliest of some YYYY-MM-DD dates (empty strings ignored). */
export function oldest(dates: readonly (string | undefined)[]): string | undefined {
  return dates.filter((d): d is string => !!d).sort()[0];
}
