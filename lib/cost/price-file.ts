import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { CellkitConfigError, fieldPath } from '../registry/errors';

/** The committed price file, next to this module. */
export const PRICE_FILE = path.join(__dirname, 'prices.json');

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date YYYY-MM-DD' });

export const priceSchema = z.strictObject({
  /** USD per unit. */
  usd: z.number({ error: 'must be a number of USD' }).nonnegative({ error: 'must not be negative' }),
  /** What one unit is, e.g. `hour`, `GB-month`. */
  unit: z.string().min(1),
  /** Where the number was read: a URL, or the Price List API query that returned it. */
  source: z.string().min(1, { error: 'every price needs a source' }),
  /** When the source was read or published. */
  asOf: isoDate,
});
export type Price = z.infer<typeof priceSchema>;

/** Price keys: `<service>.<dimension>` with an optional `:<instance type>` suffix. */
const priceKey = z.string().regex(/^[a-z0-9]+(\.[a-zA-Z0-9-]+)+(:[a-z0-9.-]+)?$/, { error: 'must look like service.dimension or service.dimension:instance-type' });

export const priceFileSchema = z.strictObject({
  $schema: z.string().optional(),
  $comment: z.string().optional(),
  currency: z.literal('USD'),
  /** When the file was last rebuilt or edited. */
  updatedAt: isoDate,
  regions: z.record(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'must be a region code' }), z.record(priceKey, priceSchema)),
});
export type PriceFile = z.infer<typeof priceFileSchema>;
export type RegionPrices = PriceFile['regions'][string];

/** Validates a parsed price file; bad input is refused naming the file and the field. */
export function parsePriceFile(input: unknown, file: string): PriceFile {
  const r = priceFileSchema.safeParse(input);
  if (r.success) return r.data;
  throw new CellkitConfigError(r.error.issues.map((i) => `${file}: ${fieldPath(i.path)}: ${i.message}`));
}

export function loadPriceFile(file: string = PRICE_FILE): PriceFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new CellkitConfigError([`${file}: cannot read the price file`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CellkitConfigError([`${file}: not valid JSON (${(e as Error).message})`]);
  }
  return parsePriceFile(json, file);
}

/** Whole days from a YYYY-MM-DD date to `now` (how old a price is). */
export function ageDays(date: string, now: Date): number {
  return Math.floor((now.getTime() - Date.parse(`${date}T00:00:00Z`)) / 86_400_000);
}

/** Writes the file atomically: a temporary file in the same folder, then a rename. */
export function writePriceFile(file: string, prices: PriceFile): void {
  const checked = parsePriceFile(prices, file);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(checked, null, 2)}\n`);
  fs.renameSync(tmp, file);
}
