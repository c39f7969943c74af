import { CfnResource, TemplateModel } from '../evidence/template-model';
import { CostAssumptions } from './assumptions';
import { Price, RegionPrices } from './price-file';

/** One priced line: quantity x unit price = monthly USD. */
export interface PricedLine {
  readonly kind: 'priced';
  readonly resource: string;
  readonly type: string;
  readonly description: string;
  readonly quantity: number;
  readonly unit: string;
  readonly priceKey: string;
  readonly unitUsd: number;
  readonly monthlyUsd: number;
  readonly source: string;
  /** When the price was read or published (empty for documented free allowances). */
  readonly asOf: string;
}

/** A charge that exists but has no price in the file for this region: never counted as free. */
export interface UnpricedLine {
  readonly kind: 'unpriced';
  readonly resource: string;
  readonly type: string;
  readonly description: string;
  readonly priceKey?: string;
  readonly reason: string;
}

export type Line = PricedLine | UnpricedLine;

/** What a pricer sees: one resource of its type, the template around it, the region's prices. */
export interface PricingContext {
  readonly logicalId: string;
  readonly resource: CfnResource;
  readonly template: TemplateModel;
  readonly region: string;
  readonly prices: RegionPrices | undefined;
  readonly assumptions: CostAssumptions;
}

/** A pure function from one template resource (+ prices + assumptions) to its monthly lines. */
export interface Pricer {
  readonly type: string;
  price(ctx: PricingContext): Line[];
}

export interface LineSpec {
  readonly description: string;
  readonly quantity: number;
  readonly unit: string;
  readonly priceKey: string;
}

/** Prices one line from the region's price file, or marks it unpriced when the key is missing. */
export function line(ctx: PricingContext, spec: LineSpec): Line {
  const price: Price | undefined = ctx.prices?.[spec.priceKey];
  const base = { resource: ctx.logicalId, type: ctx.resource.Type, description: spec.description };
  if (!price) return { kind: 'unpriced', ...base, priceKey: spec.priceKey, reason: `no price "${spec.priceKey}" for ${ctx.region} in the price file` };
  return {
    kind: 'priced',
    ...base,
    quantity: spec.quantity,
    unit: spec.unit,
    priceKey: spec.priceKey,
    unitUsd: price.usd,
    monthlyUsd: spec.quantity * price.usd,
    source: price.source,
    asOf: price.asOf,
  };
}

/** A charge the pricer cannot quantify from the template (e.g. an unresolvable property). */
export function unpriced(ctx: PricingContext, description: string, reason: string): UnpricedLine {
  return { kind: 'unpriced', resource: ctx.logicalId, type: ctx.resource.Type, description, reason };
}

/** A number from a template property (CloudFormation often writes numbers as strings). */
export function numberProp(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** Incremental backups: a full copy plus the daily changes kept for the retention period. */
export function backupStoredGb(dataGb: number, dailyChangeRate: number, retentionDays: number): number {
  return dataGb * (1 + dailyChangeRate * retentionDays);
}

/** A documented free allowance, shown as a zero line so readers see it was considered. */
export function free(ctx: PricingContext, description: string, source: string): PricedLine {
  return { kind: 'priced', resource: ctx.logicalId, type: ctx.resource.Type, description, quantity: 1, unit: 'month', priceKey: 'free', unitUsd: 0, monthlyUsd: 0, source, asOf: '' };
}
