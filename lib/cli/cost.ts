// `cellkit cost` and `cellkit prices refresh`: the monthly estimate from cdk.out, and the price file.
import * as path from 'path';
import { PricingClient } from '@aws-sdk/client-pricing';
import { Command } from 'commander';
import { diffFleets, renderDiffMarkdown } from '../cost/diff';
import { PRICE_FILE, writePriceFile } from '../cost/price-file';
import { refreshPrices } from '../cost/refresh';
import { UnpricedLine } from '../cost/model';
import { unpricedMainParts } from '../cost/main-parts';
import { estimateFleet, FleetEstimate, priceAge, usd, writeCostReports } from '../cost/report';
import { CellkitConfigError } from '../registry/errors';
import { RegionCatalog } from '../registry/regions';

/** Exit codes, as the guard's: 0 ok, 2 could not tell (AWS error), 3 bad input. */
const EXIT = { ok: 0, aws: 2, usage: 3 } as const;

function fail(command: string, e: unknown, code: number): void {
  process.stderr.write(`cellkit ${command}: ${(e as Error).message}\n`);
  process.exitCode = code;
}

/** Unpriced lines grouped by the missing price key (or the resource type without a pricer). */
function groupUnpriced(lines: readonly UnpricedLine[]): Map<string, UnpricedLine[]> {
  const groups = new Map<string, UnpricedLine[]>();
  for (const l of lines) groups.set(l.priceKey ?? l.type, [...(groups.get(l.priceKey ?? l.type) ?? []), l]);
  return groups;
}

interface CostCliOptions {
  tenant?: string;
  cdkOut: string;
  out: string;
  diff?: string;
  prices: string;
}

export function registerCost(program: Command): void {
  program
    .command('cost')
    .description('monthly list-price estimate per tenant and for the fleet, read from the synthesized templates (run `npx cdk synth` first)')
    .option('--tenant <id>', 'one tenant (default: every cell in the cloud assembly)')
    .option('--cdk-out <dir>', 'the cloud assembly to read', 'cdk.out')
    .option('--out <dir>', 'where <tenant>.cost.md/.json and fleet.cost.md/.json are written', 'evidence')
    .option('--diff <other-cdk-out>', 'also print the monthly change per tenant from that (older) cloud assembly, as Markdown for a pull request')
    .option('--prices <file>', 'the price file', PRICE_FILE)
    .action((opts: CostCliOptions) => {
      const now = new Date();
      let after: FleetEstimate;
      let before: FleetEstimate | undefined;
      try {
        after = estimateFleet({ cdkOut: opts.cdkOut, tenant: opts.tenant, priceFile: opts.prices, now });
        if (opts.diff) before = estimateFleet({ cdkOut: opts.diff, tenant: opts.tenant, priceFile: opts.prices, now });
      } catch (e) {
        return fail('cost', e, EXIT.usage);
      }
      writeCostReports(after, opts.out);
      for (const c of after.cells) {
        const note = c.unpriced.length ? ` for the priced items; ${c.unpriced.length} unpriced item(s) NOT included, ${unpricedMainParts(c).length} of them in a main part of the cell` : '';
        process.stdout.write(`${c.tenant} (${c.region}, ${c.sizing}): ${usd(c.monthlyUsd)}/month${note} -> ${path.join(opts.out, `${c.tenant}.cost.md`)}\n`);
        for (const [key, items] of groupUnpriced(c.unpriced)) process.stdout.write(`  UNPRICED ${key}: ${items.length} item(s), e.g. ${items[0].resource}: ${items[0].description}\n`);
      }
      process.stdout.write(`fleet: ${usd(after.monthlyUsd)}/month. ${priceAge(after)} Assumptions: ${path.join(opts.out, 'fleet.cost.md')}\n`);
      if (before) process.stdout.write(`\n${renderDiffMarkdown(diffFleets(before, after), after)}`);
    });

  program
    .command('prices')
    .description('the committed price file behind `cellkit cost`')
    .command('refresh')
    .description('rebuild the price file from the AWS Price List API (needs credentials allowed pricing:GetProducts); exit 2 on an AWS error')
    .option('--prices <file>', 'the price file to write', PRICE_FILE)
    .action(async (opts: { prices: string }) => {
      let regions: string[];
      try {
        regions = [...RegionCatalog.load(path.join(program.opts().registry as string, 'regions.json')).codes];
      } catch (e) {
        return fail('prices refresh', e instanceof CellkitConfigError ? e : new Error(String(e)), EXIT.usage);
      }
      // The Price List Query API is served from us-east-1 (also eu-central-1, ap-south-1).
      const client = new PricingClient({ region: 'us-east-1', maxAttempts: 5 });
      try {
        const { file, problems } = await refreshPrices({ client, regions, today: new Date().toISOString().slice(0, 10) });
        writePriceFile(opts.prices, file);
        process.stdout.write(`prices for ${regions.length} regions written to ${opts.prices}\n`);
        for (const p of problems) process.stdout.write(`  not priced (left out, shown as unpriced): ${p}\n`);
      } catch (e) {
        fail('prices refresh', e, EXIT.aws);
      }
    });
}
