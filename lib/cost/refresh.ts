// `cellkit prices refresh`: rebuilds the price file from the AWS Price List Query API.
// GetProducts (AWS Price List Service API Reference) returns `PriceList`, an array of JSON strings,
// one product each: `product.attributes` and `terms.OnDemand.<offer>.priceDimensions.<rate>` with
// `unit`, `beginRange` and `pricePerUnit.USD` ("Reading the service price list file", AWS Billing
// and Cost Management User Guide). Results are paginated with NextToken.
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { PriceFile, RegionPrices } from './price-file';
import { PRICE_QUERIES, PriceQuery } from './price-queries';

interface PriceDimension {
  unit?: string;
  beginRange?: string;
  description?: string;
  pricePerUnit?: { USD?: string };
}
interface PriceListProduct {
  product?: { sku?: string; attributes?: Record<string, string> };
  terms?: { OnDemand?: Record<string, { priceDimensions?: Record<string, PriceDimension> }> };
}

export interface RefreshResult {
  readonly file: PriceFile;
  /** Keys that found no product, or more than one distinct price: left out of the file (unpriced). */
  readonly problems: readonly string[];
}

export interface RefreshOptions {
  readonly client: PricingClient;
  readonly regions: readonly string[];
  /** The date written into the file (today). */
  readonly today: string;
  readonly queries?: readonly PriceQuery[];
}

/** Queries every price key in every region; a key that cannot be priced is reported and left out. */
export async function refreshPrices(options: RefreshOptions): Promise<RefreshResult> {
  const problems: string[] = [];
  const regions: Record<string, RegionPrices> = {};
  for (const region of options.regions) {
    const prices: Record<string, RegionPrices[string]> = {};
    for (const q of options.queries ?? PRICE_QUERIES) {
      const found = await queryPrice(options.client, q, region);
      if (typeof found === 'string') {
        problems.push(`${region} ${q.key}: ${found}`);
        continue;
      }
      prices[q.key] = {
        usd: found,
        unit: q.unit,
        source: `AWS Price List API GetProducts ${q.serviceCode} regionCode=${region} ${Object.entries(q.filters).map(([k, v]) => `${k}=${v}`).join(' ')}${q.usageTypeSuffix ? ` usagetype=*${q.usageTypeSuffix}` : ''}`.trim(),
        asOf: options.today,
      };
    }
    regions[region] = prices;
  }
  return { file: { currency: 'USD', updatedAt: options.today, regions }, problems };
}

/** The on-demand USD price for one key in one region, or a sentence saying why there is none. */
export async function queryPrice(client: PricingClient, q: PriceQuery, region: string): Promise<number | string> {
  const filters = [{ Field: 'regionCode', Value: region }, ...Object.entries(q.filters).map(([Field, Value]) => ({ Field, Value }))].map((f) => ({ Type: 'TERM_MATCH' as const, ...f }));
  const prices = new Set<number>();
  let token: string | undefined;
  do {
    const page = await client.send(new GetProductsCommand({ ServiceCode: q.serviceCode, Filters: filters, FormatVersion: 'aws_v1', NextToken: token, MaxResults: 100 }));
    for (const text of page.PriceList ?? []) {
      const product = JSON.parse(text) as PriceListProduct;
      if (q.usageTypeSuffix && !(product.product?.attributes?.usagetype ?? '').endsWith(q.usageTypeSuffix)) continue;
      const usd = firstTierUsd(product);
      if (usd !== undefined) prices.add(usd);
    }
    token = page.NextToken;
  } while (token);
  if (prices.size === 0) return 'no matching product';
  if (prices.size > 1) return `ambiguous: ${prices.size} different prices (${[...prices].sort((a, b) => a - b).join(', ')}) match`;
  return [...prices][0];
}

/** The on-demand price of the first tier (beginRange 0): tiers beyond the first need volumes a cell never reaches. */
function firstTierUsd(p: PriceListProduct): number | undefined {
  for (const offer of Object.values(p.terms?.OnDemand ?? {})) {
    for (const d of Object.values(offer.priceDimensions ?? {})) {
      if ((d.beginRange ?? '0') !== '0') continue;
      const usd = Number(d.pricePerUnit?.USD);
      if (Number.isFinite(usd)) return usd;
    }
  }
  return undefined;
}
