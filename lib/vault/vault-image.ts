import { z } from 'zod';
import { parseWith } from '../registry/json-file';
import { RegionCodeSchema } from '../registry/regions';
import amiFile from './amis.json';

/**
 * AWS's public SSM parameter that always names the newest Amazon Linux 2023 (kernel default, x86_64)
 * AMI of the region it is read in (Amazon Linux 2023 user guide, "Launching AL2023 using the SSM
 * parameter and AWS CLI"; Systems Manager user guide, "Calling AMI public parameters").
 */
export const AL2023_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';

export const AMI_ID_PATTERN = /^ami-[0-9a-f]{8}([0-9a-f]{9})?$/;
const AMI_ID_RULE = '"ami-" and 8 or 17 lowercase hex digits';

/** One region's pinned image, exactly as `cellkit amis pin` read it from AWS. */
export const AmiPinSchema = z.strictObject({
  imageId: z.string().regex(AMI_ID_PATTERN, `must be ${AMI_ID_RULE}`),
  /** The SSM parameter the ID was read from. */
  parameter: z.string().startsWith('/aws/service/', 'must be an AWS public parameter (/aws/service/...)'),
  /** The parameter's version when it was read. */
  parameterVersion: z.number().int().positive(),
  /** When it was read (ISO 8601, UTC). */
  fetchedAt: z.iso.datetime(),
});
export type AmiPin = z.infer<typeof AmiPinSchema>;

export const AmiFileSchema = z.strictObject({
  $comment: z.string().optional(),
  parameter: z.string().startsWith('/aws/service/', 'must be an AWS public parameter (/aws/service/...)'),
  pins: z.record(RegionCodeSchema, AmiPinSchema),
});
export type AmiFile = z.infer<typeof AmiFileSchema>;

/** Validates the content of lib/vault/amis.json; errors name the file and the field. */
export function parseAmiFile(input: unknown, label = 'lib/vault/amis.json'): AmiFile {
  return parseWith(AmiFileSchema, input, label);
}

/** The committed file, validated once when this module loads. */
export const VAULT_IMAGE: AmiFile = parseAmiFile(amiFile);
