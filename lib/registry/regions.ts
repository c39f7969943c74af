import { z } from 'zod';
import { readJsonFile, parseWith } from './json-file';

/** The written promise allows exactly this many regions; the list itself lives only in regions.json. */
export const ALLOWED_REGION_COUNT = 6;

export const GEOGRAPHIES = ['EU', 'US', 'APAC'] as const;
export type Geography = (typeof GEOGRAPHIES)[number];

/** The form of an AWS region code (`<area>-<direction>-<n>`); the codes themselves live only in regions.json. */
export const RegionCodeSchema = z.string().regex(/^[a-z]{2}-[a-z]+-\d$/, { error: 'must be an AWS region code: two letters, a direction and a digit, like the keys of regions.json' });
const regionCode = RegionCodeSchema;

export const RegionSchema = z.strictObject({
  city: z.string().min(1, { error: 'must name the city' }),
  geography: z.enum(GEOGRAPHIES, { error: `must be one of ${GEOGRAPHIES.join(', ')}` }),
  availabilityZones: z.array(z.string()).length(3, { error: 'must list exactly three availability zones' }),
});

export const RegionsFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    regions: z.record(regionCode, RegionSchema),
    defaultPlacement: z.partialRecord(z.enum(GEOGRAPHIES), regionCode),
  })
  .superRefine((file, ctx) => {
    const codes = Object.keys(file.regions);
    if (codes.length !== ALLOWED_REGION_COUNT) {
      ctx.addIssue({
        code: 'custom',
        path: ['regions'],
        input: codes,
        message: `must list exactly ${ALLOWED_REGION_COUNT} regions (the written promise), found ${codes.length}: ${codes.join(', ')}`,
      });
    }
    for (const [code, region] of Object.entries(file.regions)) {
      region.availabilityZones.forEach((az, i) => {
        if (!new RegExp(`^${code}[a-z]$`).test(az)) {
          ctx.addIssue({ code: 'custom', path: ['regions', code, 'availabilityZones', i], input: az, message: `must be an availability zone of ${code}, such as "${code}a"` });
        }
      });
    }
    for (const [geo, code] of Object.entries(file.defaultPlacement)) {
      const region = file.regions[code];
      if (!region) {
        ctx.addIssue({ code: 'custom', path: ['defaultPlacement', geo], input: code, message: `must be one of the listed regions (${codes.join(', ')})` });
      } else if (region.geography !== geo) {
        ctx.addIssue({ code: 'custom', path: ['defaultPlacement', geo], input: code, message: `must be a region in geography ${geo}, but ${code} is in ${region.geography}` });
      }
    }
  });

export type RegionsFile = z.infer<typeof RegionsFileSchema>;

export interface RegionInfo {
  /** AWS region code: a key of regions.json. */
  readonly code: string;
  readonly city: string;
  readonly geography: Geography;
  readonly availabilityZones: readonly string[];
}

/** The allowed regions and the default placement per geography, as read from regions.json. */
export class RegionCatalog {
  static load(file: string): RegionCatalog {
    return new RegionCatalog(parseWith(RegionsFileSchema, readJsonFile(file, 'regions.json'), 'regions.json'));
  }

  readonly codes: readonly string[];

  constructor(private readonly file: RegionsFile) {
    this.codes = Object.keys(file.regions);
  }

  has(code: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.file.regions, code);
  }

  get(code: string): RegionInfo {
    const r = this.file.regions[code];
    if (!r || !this.has(code)) throw new Error(`region ${code} is not in regions.json`);
    return { code, ...r };
  }

  /** The region non-enterprise tenants of this geography are placed in, if the geography has one. */
  defaultRegion(geography: Geography): string | undefined {
    return this.file.defaultPlacement[geography];
  }

  /** Geographies that non-enterprise plans may choose. */
  get placementGeographies(): Geography[] {
    return GEOGRAPHIES.filter((g) => this.file.defaultPlacement[g] !== undefined);
  }

  describe(code: string): string {
    return this.has(code) ? `${code} (${this.get(code).city})` : code;
  }

  /** "<code> (<city>), ..." for messages, in regions.json order. */
  get allowedList(): string {
    return this.codes.map((c) => this.describe(c)).join(', ');
  }
}
