// `cellkit amis pin`: replaces deploy-time image resolution with the exact AMI IDs AWS names now.
import * as fs from 'fs';
import * as path from 'path';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { Command } from 'commander';
import { CellkitConfigError } from '../registry/errors';
import { readJsonFile } from '../registry/json-file';
import { RegionCatalog } from '../registry/regions';
import { AMI_ID_PATTERN, AmiFile, AmiPin, parseAmiFile } from '../vault/vault-image';

/** Exit codes, as the guard commands use them. */
export const AMIS_EXIT = { ok: 0, awsError: 2, usage: 3 } as const;

export const AMI_FILE = path.join(__dirname, '..', 'vault', 'amis.json');

/** Reads one SSM parameter in one region; tests pass a mocked client. */
export type SsmClientFor = (region: string) => SSMClient;

export interface PinAmisInput {
  /** lib/vault/amis.json (or a copy, in tests). */
  readonly file: string;
  /** Regions to pin; every one must be in `allowedRegions`. */
  readonly regions: readonly string[];
  readonly allowedRegions: readonly string[];
  readonly client: SsmClientFor;
  readonly now: Date;
  readonly write: (line: string) => void;
}

/** Raised when AWS did not give a usable answer; nothing has been written. */
export class AmiFetchError extends Error {}

/**
 * Reads the file's public parameter in every requested region, then writes all pins at once: one
 * failed region (access denied, parameter not found, a value that is not an AMI ID) writes nothing.
 */
export async function pinAmis(input: PinAmisInput): Promise<AmiFile> {
  const label = path.relative(process.cwd(), input.file) || input.file;
  const current = parseAmiFile(readJsonFile(input.file, label), label);
  if (input.regions.length === 0) throw new CellkitConfigError([`cellkit amis pin: --region: name at least one region (allowed: ${input.allowedRegions.join(', ')})`]);
  const unknown = input.regions.filter((r) => !input.allowedRegions.includes(r));
  if (unknown.length > 0) {
    throw new CellkitConfigError([`cellkit amis pin: --region: ${unknown.map((r) => `"${r}"`).join(', ')} not in regions.json (allowed: ${input.allowedRegions.join(', ')})`]);
  }
  const fetched = await Promise.all(
    input.regions.map(async (region) => [region, await fetchPin(input.client(region), region, current.parameter, input.now)] as const),
  );
  const pins: Record<string, AmiPin> = { ...current.pins };
  for (const [region, pin] of fetched) pins[region] = pin;
  const next: AmiFile = { ...current, pins: Object.fromEntries(Object.entries(pins).sort(([a], [b]) => a.localeCompare(b))) };
  parseAmiFile(next, label);
  const tmp = `${input.file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`);
  fs.renameSync(tmp, input.file);
  for (const [region, pin] of fetched) {
    const before = current.pins[region]?.imageId;
    input.write(`${region}: ${pin.imageId} (${pin.parameter} version ${pin.parameterVersion})${before && before !== pin.imageId ? `, was ${before}` : ''}`);
  }
  return next;
}

async function fetchPin(client: SSMClient, region: string, parameter: string, now: Date): Promise<AmiPin> {
  let answer;
  try {
    answer = await client.send(new GetParameterCommand({ Name: parameter }));
  } catch (e) {
    const err = e as { name?: string; message?: string };
    throw new AmiFetchError(`${region}: could not read ${parameter}: ${err.name ?? 'Error'}: ${err.message ?? String(e)}`);
  }
  const value = answer.Parameter?.Value;
  const version = answer.Parameter?.Version;
  if (!value || !AMI_ID_PATTERN.test(value)) {
    throw new AmiFetchError(`${region}: ${parameter} returned ${JSON.stringify(value ?? null)}, which is not an AMI ID ("ami-" and 8 or 17 hex digits); nothing was pinned`);
  }
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new AmiFetchError(`${region}: ${parameter} returned no parameter version; nothing was pinned`);
  }
  return { imageId: value, parameter, parameterVersion: version, fetchedAt: now.toISOString() };
}

function ssmClients(): SsmClientFor {
  return (region) => new SSMClient({ region, maxAttempts: 3, requestHandler: { requestTimeout: 10_000, connectionTimeout: 3_000 } });
}

/** `cellkit amis pin [--region r ...]`. */
export function registerAmis(program: Command, client: SsmClientFor = ssmClients()): void {
  const amis = program.command('amis').description('Vault node images (Amazon Linux 2023): pin the current AMI IDs, docs/vault-nodes.md');
  amis
    .command('pin')
    .description('read AWS\'s Amazon Linux 2023 parameter per region with your credentials and write the AMI IDs into lib/vault/amis.json; exit 0 written, 2 AWS error (nothing written), 3 bad input')
    .option('--region <region...>', 'regions to pin (default: every region in regions.json)')
    .option('--file <file>', 'the image file to update', AMI_FILE)
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : AMIS_EXIT.usage))
    .action(async (opts: { region?: string[]; file: string }) => {
      try {
        const catalog = RegionCatalog.load(path.join(program.opts().registry, 'regions.json'));
        await pinAmis({ file: opts.file, regions: opts.region ?? catalog.codes, allowedRegions: catalog.codes, client, now: new Date(), write: (l) => process.stdout.write(`${l}\n`) });
        process.stdout.write('pinned: deploy to use these images for new nodes; running nodes stay until rolled (docs/vault-nodes.md)\n');
      } catch (e) {
        if (e instanceof AmiFetchError) {
          process.stderr.write(`cellkit amis pin: ${e.message}\n`);
          process.exitCode = AMIS_EXIT.awsError;
        } else if (e instanceof CellkitConfigError) {
          process.stderr.write(`cellkit amis pin: ${e.message}\n`);
          process.exitCode = AMIS_EXIT.usage;
        } else throw e;
      }
    });
}
