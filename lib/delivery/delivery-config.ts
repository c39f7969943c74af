import { z } from 'zod';
import { CellkitConfigError } from '../registry/errors';
import { parseWith, readJsonFile } from '../registry/json-file';
import { RegionCatalog } from '../registry/regions';
import { tenantIdSchema } from '../registry/tenant-spec';

export const DELIVERY_FILE = 'delivery.json';

/** The CDK bootstrap qualifier the tenant accounts use (`cdk bootstrap` default). */
export const CDK_QUALIFIER = 'hnb659fds';

/** Where the pipeline's synth step writes the gated cells (relative to the checkout). */
export const GATED_ASSEMBLY = 'cdk.out.cells';

/** Most tenants one wave may hold: CodePipeline's 50 actions per stage (see quotas.ts). */
export const MAX_WAVE_SIZE = 20;

/**
 * delivery.json: where the delivery pipelines live and how tenants are rolled out.
 * Built from the region catalog so the published JSON Schema lists the allowed regions.
 */
export function deliveryConfigSchema(regions: RegionCatalog) {
  const codes = regions.codes as [string, ...string[]];
  return z.strictObject({
    $schema: z.string().optional(),
    account: z.string({ error: 'must be the delivery AWS account id (12 digits, as a string)' }).regex(/^\d{12}$/, { error: 'must be a 12-digit AWS account id' })
      .describe('The delivery account: it holds the pipelines and assumes roles in each tenant account.'),
    region: z.enum(codes, { error: `must be one of the allowed regions in regions.json: ${regions.allowedList}` })
      .describe('Region of the delivery pipelines.'),
    source: z.strictObject({
      repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { error: 'must be "owner/name" of the company\'s repository' }),
      branch: z.string().regex(/^[A-Za-z0-9._/-]{1,100}$/, { error: 'must be a branch name' }).default('main'),
      connectionArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/, {
          error: 'must be a CodeConnections (or CodeStar Connections) connection ARN, arn:aws:codeconnections:<region>:<account>:connection/<uuid>',
        }),
    }).describe('The repository the pipelines build from, through an AWS CodeConnections connection.'),
    canaries: z.array(tenantIdSchema).default([])
      .describe('Tenants deployed first, in a wave of their own; a pipeline with none of them takes its first team tenant.'),
    firstWaveSize: z.int({ error: 'must be a whole number' }).min(1).max(MAX_WAVE_SIZE, { error: `must be at most ${MAX_WAVE_SIZE}` }).default(2)
      .describe('Tenants in the first wave after the canaries; each later wave doubles, up to maxWaveSize.'),
    maxWaveSize: z.int({ error: 'must be a whole number' }).min(1).max(MAX_WAVE_SIZE, { error: `must be at most ${MAX_WAVE_SIZE} (CodePipeline allows 50 actions per stage)` }).default(MAX_WAVE_SIZE),
  });
}

export type DeliveryConfig = z.infer<ReturnType<typeof deliveryConfigSchema>>;

/** Reads and validates delivery.json; every problem names the file and field. */
export function loadDeliveryConfig(file: string, regions: RegionCatalog, tenantIds: readonly string[]): DeliveryConfig {
  const config = parseWith(deliveryConfigSchema(regions), readJsonFile(file, DELIVERY_FILE), DELIVERY_FILE);
  const known = new Set(tenantIds);
  const problems = config.canaries.flatMap((id, i) =>
    known.has(id) ? [] : [`${DELIVERY_FILE}: field "canaries[${i}]": no tenant "${id}" in tenants/; got ${JSON.stringify(id)}`],
  );
  if (config.firstWaveSize > config.maxWaveSize) {
    problems.push(`${DELIVERY_FILE}: field "firstWaveSize": must be at most maxWaveSize (${config.maxWaveSize}); got ${config.firstWaveSize}`);
  }
  if (problems.length) throw new CellkitConfigError(problems);
  return config;
}
