import * as fs from 'fs';
import { z } from 'zod';
import { CellkitConfigError } from './errors';
import { readJsonFile, parseWith } from './json-file';
import { tenantIdSchema } from './tenant-spec';

export const PIN_FILE = 'tenants.lock.json';

export const PinSchema = z.strictObject({
  region: z.string().min(1, { error: 'must name the pinned region' }),
  pinnedAt: z.iso.datetime({ error: 'must be an ISO 8601 UTC timestamp' }),
});
export type Pin = z.infer<typeof PinSchema>;

export const PinFileSchema = z.strictObject({
  $schema: z.string().optional(),
  pins: z.record(tenantIdSchema, PinSchema),
});
export type PinFile = z.infer<typeof PinFileSchema>;

/**
 * Reads the pins. A registry that has tenant specs must have its pin file: a missing one is reported as
 * missing, with the file named, never as "no pin" per tenant. Only an empty registry may lack it.
 */
export function loadPins(file: string, options: { readonly required: boolean }): PinFile {
  if (!options.required && !fs.existsSync(file)) return { pins: {} };
  if (!fs.existsSync(file)) {
    throw new CellkitConfigError([`${PIN_FILE}: ${file} is missing, but there are tenant specs; it holds every tenant's region pin: restore it from version control (git checkout -- ${PIN_FILE})`]);
  }
  return parseWith(PinFileSchema, readJsonFile(file, PIN_FILE), PIN_FILE);
}

/** Stable text: pins sorted by tenant id so diffs show only what changed. */
export function renderPins(pins: PinFile['pins']): string {
  const sorted = Object.fromEntries(Object.keys(pins).sort().map((id) => [id, pins[id]]));
  return `${JSON.stringify({ $schema: './schemas/tenants-lock.schema.json', pins: sorted }, null, 2)}\n`;
}
