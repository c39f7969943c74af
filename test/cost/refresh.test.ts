// `cellkit prices refresh` against a mocked Pricing client (aws-sdk-client-mock): no network.
// Responses follow the GetProducts API reference (AWS Price List Service API Reference:
// `PriceList` is an array of JSON strings, `NextToken` paginates) and the product shape of
// "Reading the service price list file" (AWS Billing and Cost Management User Guide):
// product.attributes, terms.OnDemand.<sku.offer>.priceDimensions.<sku.offer.rate>.pricePerUnit.USD; the fields below
// (rateCode, appliesTo, effectiveDate, offerTermCode JRTCKXETXF, rate code 6YS6EN2CT7) are as in a published
// `aws pricing get-products` output for AmazonEKS in ap-southeast-2.
import { GetProductsCommand, PricingClient, PricingServiceException } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writePriceFile } from '../../lib/cost/price-file';
import { PriceQuery } from '../../lib/cost/price-queries';
import { queryPrice, refreshPrices } from '../../lib/cost/refresh';

const pricing = mockClient(PricingClient);
beforeEach(() => pricing.reset());

let skuN = 0;
/** One PriceList entry exactly as the API returns it: a JSON string. */
function product(attributes: Record<string, string>, usd: string, unit = 'Hrs', beginRange = '0'): string {
  const sku = `SKU${++skuN}XYZ`;
  return JSON.stringify({
    product: { productFamily: attributes.productFamily ?? 'NAT Gateway', attributes, sku },
    serviceCode: 'AmazonEC2',
    terms: {
      OnDemand: {
        [`${sku}.JRTCKXETXF`]: {
          priceDimensions: {
            [`${sku}.JRTCKXETXF.6YS6EN2CT7`]: { unit, endRange: 'Inf', description: `$${usd} per unit`, appliesTo: [], rateCode: `${sku}.JRTCKXETXF.6YS6EN2CT7`, beginRange, pricePerUnit: { USD: usd } },
          },
          sku,
          effectiveDate: '2026-11-01T00:00:00Z',
          offerTermCode: 'JRTCKXETXF',
          termAttributes: {},
        },
      },
    },
    version: '20261101000000',
    publicationDate: '2026-11-01T00:00:00Z',
  });
}

const NAT_HOURS: PriceQuery = { key: 'vpc.nat.hour', serviceCode: 'AmazonEC2', filters: { productFamily: 'NAT Gateway' }, usageTypeSuffix: 'NatGateway-Hours', unit: 'hour' };
const client = () => new PricingClient({ region: 'us-east-1' });

test('sends TERM_MATCH filters with the region code, follows NextToken, and matches the usage type suffix', async () => {
  pricing
    .on(GetProductsCommand)
    .resolvesOnce({ FormatVersion: 'aws_v1', PriceList: [product({ regionCode: 'eu-west-2', usagetype: 'EUW2-NatGateway-Bytes' }, '0.0500000000', 'GB')], NextToken: 'page-2' })
    .resolvesOnce({ FormatVersion: 'aws_v1', PriceList: [product({ regionCode: 'eu-west-2', usagetype: 'EUW2-NatGateway-Hours' }, '0.0500000000')] });
  await expect(queryPrice(client(), NAT_HOURS, 'eu-west-2')).resolves.toBe(0.05);
  const calls = pricing.commandCalls(GetProductsCommand);
  expect(calls).toHaveLength(2);
  expect(calls[0].args[0].input).toEqual({
    ServiceCode: 'AmazonEC2',
    FormatVersion: 'aws_v1',
    MaxResults: 100,
    NextToken: undefined,
    Filters: [
      { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-2' },
      { Type: 'TERM_MATCH', Field: 'productFamily', Value: 'NAT Gateway' },
    ],
  });
  expect(calls[1].args[0].input.NextToken).toBe('page-2');
});

test('a tiered price takes the first tier (beginRange 0)', async () => {
  const tiered = JSON.parse(product({ usagetype: 'EUW2-VpcEndpoint-Bytes' }, '0.0100000000', 'GB'));
  const offer = Object.values(tiered.terms.OnDemand)[0] as { priceDimensions: Record<string, unknown> };
  offer.priceDimensions['X.Y.Z'] = { unit: 'GB', beginRange: '1048576', endRange: '5242880', pricePerUnit: { USD: '0.0060000000' } };
  pricing.on(GetProductsCommand).resolves({ PriceList: [JSON.stringify(tiered)] });
  await expect(queryPrice(client(), { ...NAT_HOURS, usageTypeSuffix: 'VpcEndpoint-Bytes' }, 'eu-west-2')).resolves.toBe(0.01);
});

test('a product missing, or two different prices matching, are reported and left out of the file (unpriced)', async () => {
  pricing.on(GetProductsCommand, { Filters: [{ Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-2' }, { Type: 'TERM_MATCH', Field: 'productFamily', Value: 'NAT Gateway' }] }).resolves({ PriceList: [] });
  pricing
    .on(GetProductsCommand, { Filters: [{ Type: 'TERM_MATCH', Field: 'regionCode', Value: 'ap-southeast-2' }, { Type: 'TERM_MATCH', Field: 'productFamily', Value: 'NAT Gateway' }] })
    .resolves({ PriceList: [product({ usagetype: 'APS2-NatGateway-Hours' }, '0.0590000000'), product({ usagetype: 'APS2-NatGateway-Hours' }, '0.0620000000')] });
  const r = await refreshPrices({ client: client(), regions: ['eu-west-2', 'ap-southeast-2'], today: '2026-11-28', queries: [NAT_HOURS] });
  expect(r.file.regions).toEqual({ 'eu-west-2': {}, 'ap-southeast-2': {} });
  expect(r.problems).toEqual(['eu-west-2 vpc.nat.hour: no matching product', 'ap-southeast-2 vpc.nat.hour: ambiguous: 2 different prices (0.059, 0.062) match']);
});

test('the same price listed twice (e.g. two SKUs) is not ambiguous; the file records unit, source and date', async () => {
  pricing.on(GetProductsCommand).resolves({ PriceList: [product({ usagetype: 'NatGateway-Hours' }, '0.0450000000'), product({ usagetype: 'NatGateway-Hours' }, '0.0450000000')] });
  const r = await refreshPrices({ client: client(), regions: ['us-east-1'], today: '2026-11-28', queries: [NAT_HOURS] });
  expect(r.problems).toEqual([]);
  expect(r.file).toEqual({
    currency: 'USD',
    updatedAt: '2026-11-28',
    regions: { 'us-east-1': { 'vpc.nat.hour': { usd: 0.045, unit: 'hour', source: 'AWS Price List API GetProducts AmazonEC2 regionCode=us-east-1 productFamily=NAT Gateway usagetype=*NatGateway-Hours', asOf: '2026-11-28' } } },
  });
});

test('a throttling error rejects the refresh (the mock sits below the SDK retries), so the CLI writes nothing; the next call succeeds', async () => {
  const throttled = () => new PricingServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 429 }, message: 'Rate exceeded' });
  pricing
    .on(GetProductsCommand)
    .rejectsOnce(throttled())
    .resolves({ PriceList: [product({ usagetype: 'NatGateway-Hours' }, '0.0450000000')] });
  // aws-sdk-client-mock stubs `send`, below the SDK's retry middleware: the first call rejects.
  await expect(queryPrice(client(), NAT_HOURS, 'us-east-1')).rejects.toThrow('Rate exceeded');
  await expect(queryPrice(client(), NAT_HOURS, 'us-east-1')).resolves.toBe(0.045);
});

test('the price file is written whole or not at all: an invalid file is refused and the old one stays', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-prices-')), 'prices.json');
  writePriceFile(file, { currency: 'USD', updatedAt: '2026-11-28', regions: {} });
  const before = fs.readFileSync(file, 'utf8');
  expect(() => writePriceFile(file, { currency: 'USD', updatedAt: 'today', regions: {} })).toThrow(/updatedAt: must be a date/);
  expect(fs.readFileSync(file, 'utf8')).toBe(before);
  expect(fs.readdirSync(path.dirname(file))).toEqual(['prices.json']);
});
