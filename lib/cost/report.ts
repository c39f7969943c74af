import * as fs from 'fs';
import * as path from 'path';
import { readCloudAssembly } from '../evidence/cloud-assembly';
import { CostAssumptions, DEFAULT_ASSUMPTIONS, describeAssumptions } from './assumptions';
import { byType, CellEstimate, estimateCell, oldest, sum } from './estimate';
import { isMainPart, unpricedMainParts } from './main-parts';
import { ageDays, loadPriceFile, PRICE_FILE, PriceFile } from './price-file';

export interface FleetEstimate {
  readonly currency: 'USD';
  readonly pricesUpdatedAt: string;
  readonly pricesAgeDays: number;
  /** The oldest price any cell used, and its age in days: what "how old the prices are" means. */
  readonly oldestPrice?: string;
  readonly oldestPriceAgeDays?: number;
  readonly assumptions: CostAssumptions;
  readonly monthlyUsd: number;
  readonly cells: readonly CellEstimate[];
}

export interface CostOptions {
  readonly cdkOut: string;
  /** @default every cell in the assembly */
  readonly tenant?: string;
  /** @default the committed lib/cost/prices.json */
  readonly priceFile?: string;
  /** @default DEFAULT_ASSUMPTIONS */
  readonly assumptions?: CostAssumptions;
  /** Today, for the age of the prices. */
  readonly now: Date;
}

/** Reads the cells of a cloud assembly and estimates each, plus the fleet total. */
export function estimateFleet(options: CostOptions): FleetEstimate {
  const prices: PriceFile = loadPriceFile(options.priceFile ?? PRICE_FILE);
  const assumptions = options.assumptions ?? DEFAULT_ASSUMPTIONS;
  const cells = readCloudAssembly(options.cdkOut).cells.filter((c) => options.tenant === undefined || c.cell.tenant === options.tenant);
  if (cells.length === 0) {
    throw new Error(
      options.tenant !== undefined
        ? `no synthesized cell for tenant "${options.tenant}" in ${options.cdkOut}: run \`npx cdk synth -c tenant=${options.tenant}\``
        : `no synthesized cells in ${options.cdkOut}: run \`npx cdk synth\``,
    );
  }
  const estimates = cells.map((c) => estimateCell(c, prices, assumptions));
  const oldestPrice = oldest(estimates.map((e) => e.oldestPrice));
  return {
    currency: 'USD',
    pricesUpdatedAt: prices.updatedAt,
    pricesAgeDays: ageDays(prices.updatedAt, options.now),
    oldestPrice,
    oldestPriceAgeDays: oldestPrice === undefined ? undefined : ageDays(oldestPrice, options.now),
    assumptions,
    monthlyUsd: sum(estimates.map((e) => e.monthlyUsd)),
    cells: estimates,
  };
}

export const usd = (n: number): string => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const qty = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(2));

export function renderFleetMarkdown(f: FleetEstimate): string {
  const out = [
    '# cellkit cost estimate',
    '',
    `Monthly list-price estimate in USD from the synthesized templates: on-demand rates, no discounts, no tax. ${priceAge(f)}`,
    '',
    '| tenant | region | sizing | monthly | unpriced items |',
    '| --- | --- | --- | ---: | ---: |',
    ...f.cells.map((c) => `| ${c.tenant} | ${c.region} | ${c.sizing} | ${usd(c.monthlyUsd)} | ${c.unpriced.length} |`),
    `| **fleet** | | | **${usd(f.monthlyUsd)}** | ${sum(f.cells.map((c) => c.unpriced.length))} |`,
    '',
    ...assumptionLines(f),
  ];
  return `${out.join('\n')}\n`;
}

/** How old the prices are: the file's date and the oldest price actually used. */
export function priceAge(f: FleetEstimate): string {
  const used = f.oldestPrice ? ` The oldest price used was read on ${f.oldestPrice} (${f.oldestPriceAgeDays} days ago).` : '';
  return `Price file updated ${f.pricesUpdatedAt} (${f.pricesAgeDays} days ago).${used}`;
}

function assumptionLines(f: FleetEstimate): string[] {
  return ['## Assumptions', '', ...describeAssumptions(f.assumptions).map((a) => `- ${a}`)];
}

export function renderCellMarkdown(c: CellEstimate, f: FleetEstimate): string {
  const out = [
    `# Cost estimate: ${c.tenant}`,
    '',
    `Stack \`${c.stackName}\` in ${c.region}, sizing ${c.sizing}, egress ${c.egress}. ${priceAge(f)}`,
    '',
    `**Estimated monthly total: ${usd(c.monthlyUsd)}**${c.unpriced.length ? ` plus ${c.unpriced.length} unpriced item(s), ${unpricedMainParts(c).length} of them in a main part of the cell, listed below` : ''}.`,
    '',
    '## By part',
    '',
    '| resource type | monthly |',
    '| --- | ---: |',
    ...byType(c).map((t) => `| ${t.type} | ${usd(t.monthlyUsd)} |`),
    '',
    '## Items',
    '',
    '| resource | item | quantity | unit price | monthly |',
    '| --- | --- | ---: | ---: | ---: |',
    ...c.lines.map((l) => `| ${l.resource} | ${l.description} | ${qty(l.quantity)} ${l.unit} | ${l.priceKey === 'free' ? 'free' : `$${l.unitUsd}`} | ${usd(l.monthlyUsd)} |`),
    '',
    '## Unpriced',
    '',
    ...(c.unpriced.length ? c.unpriced.map((u) => `- ${isMainPart(u.type) ? '**main part** ' : ''}${u.resource} (${u.type}): ${u.description}: ${u.reason}`) : ['None.']),
    '',
    '## No charge',
    '',
    ...c.noCharge.map((n) => `- ${n.type} x${n.count}: ${n.reason}`),
    '',
    ...assumptionLines(f),
  ];
  return `${out.join('\n')}\n`;
}

/** Writes `<tenant>.cost.md`, `<tenant>.cost.json` and `fleet.cost.md`/`.json` next to the evidence reports. */
export function writeCostReports(f: FleetEstimate, outDir: string): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  const write = (name: string, text: string) => {
    fs.writeFileSync(path.join(outDir, name), text);
    written.push(path.join(outDir, name));
  };
  for (const c of f.cells) {
    write(`${c.tenant}.cost.md`, renderCellMarkdown(c, f));
    write(`${c.tenant}.cost.json`, `${JSON.stringify({ currency: f.currency, pricesUpdatedAt: f.pricesUpdatedAt, pricesAgeDays: f.pricesAgeDays, assumptions: f.assumptions, ...c }, null, 2)}\n`);
  }
  write('fleet.cost.md', renderFleetMarkdown(f));
  write('fleet.cost.json', `${JSON.stringify(f, null, 2)}\n`);
  return written;
}
