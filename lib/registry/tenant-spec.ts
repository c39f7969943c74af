import { z } from 'zod';
import { GEOGRAPHIES, RegionCatalog } from './regions';

export const PLANS = ['enterprise', 'team'] as const;
export type Plan = (typeof PLANS)[number];
export const SIZINGS = ['dev', 'prod'] as const;
export type Sizing = (typeof SIZINGS)[number];
export const EGRESS_MODES = ['nat', 'none'] as const;
export type Egress = (typeof EGRESS_MODES)[number];

/** 3-32 characters, DNS-safe: it ends up in stack names, aliases, tags and host names. */
export const TENANT_ID_PATTERN = /^(?!.*--)[a-z][a-z0-9-]{1,30}[a-z0-9]$/;
export const TENANT_ID_RULE = '3-32 characters: lowercase letters, digits and single hyphens, starting with a letter and ending with a letter or digit';

/** Who provides a cell's Vault TLS certificate (VaultCluster `tls`). */
export const VAULT_TLS_MODES = ['cellkit', 'operator'] as const;

/** A base64 PGP public key (as Vault's -recovery-pgp-keys takes it) or a keybase user. */
export const PGP_KEY_PATTERN = /^(keybase:[A-Za-z0-9_]{2,16}|[A-Za-z0-9+/]{200,}={0,2})$/;

export const tenantIdSchema = z.string().regex(TENANT_ID_PATTERN, { error: `must be ${TENANT_ID_RULE}` });

/**
 * Control characters (newlines, tabs, C0/C1), invisible format characters (bidi overrides and isolates,
 * zero-width characters) and line/paragraph separators: they would reach the stack description and
 * reports unseen, or reorder what a reader sees.
 */
const HIDDEN_CHARACTER = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** The company name: trimmed, 1-64 characters, no control or invisible formatting characters. */
export const displayNameSchema = z
  .string({ error: 'must be the company name (1-64 characters)' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(64, { error: 'must be at most 64 characters' })
  .superRefine((name, ctx) => {
    const found = HIDDEN_CHARACTER.exec(name);
    if (found) {
      const code = `U+${found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      ctx.addIssue({ code: 'custom', input: name, message: `must not contain control or invisible formatting characters (newlines, tabs, bidi controls, zero-width characters); found ${code} at character ${found.index + 1}` });
    }
  });

/**
 * The tenant spec schema. Built from the region catalog so the published JSON Schema
 * lists the allowed regions and editors autocomplete them.
 */
export function tenantSpecSchema(regions: RegionCatalog) {
  const codes = regions.codes as [string, ...string[]];
  return z
    .strictObject({
      $schema: z.string().optional(),
      id: tenantIdSchema.describe('Tenant id: stack names, KMS aliases and tags use it.'),
      displayName: displayNameSchema,
      plan: z.enum(PLANS, { error: `must be one of ${PLANS.join(', ')}` }).describe('enterprise tenants choose a region; other plans choose a geography.'),
      placement: z
        .strictObject({
          region: z.enum(codes, { error: `must be one of the allowed regions in regions.json: ${regions.allowedList}` }).optional(),
          geography: z.enum(GEOGRAPHIES, { error: `must be one of ${GEOGRAPHIES.join(', ')}` }).optional(),
        })
        .describe('enterprise: { "region": ... }; other plans: { "geography": "EU" | "US" }.'),
      account: z.string({ error: 'must be a 12-digit AWS account id, as a string' }).regex(/^\d{12}$/, { error: 'must be a 12-digit AWS account id' }),
      sizing: z.enum(SIZINGS, { error: `must be one of ${SIZINGS.join(', ')}` }),
      egress: z.enum(EGRESS_MODES, { error: `must be one of ${EGRESS_MODES.join(', ')}` }).describe('nat: NAT gateways; none: no internet gateway at all.'),
      vault: z
        .strictObject({
          recoveryPgpKeys: z
            .array(
              z.string().regex(PGP_KEY_PATTERN, { error: 'must be a base64 PGP public key ("gpg --export KEYID | base64 -w0") or "keybase:<name>"' }),
              { error: 'must be a list of PGP public keys' },
            )
            .min(1, { error: 'must name at least one operator key' })
            .max(10, { error: 'must name at most 10 operator keys' })
            .describe('One recovery share per key, PGP-encrypted to it: base64 public keys, or keybase:<name> (egress "nat" only).'),
          recoveryThreshold: z.int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' }).describe('Shares needed to recover; at least 2 when there are several keys.'),
          tls: z
            .enum(VAULT_TLS_MODES, { error: `must be one of ${VAULT_TLS_MODES.join(', ')}` })
            .optional()
            .describe('cellkit (default): a per-cell CA issues and rotates the certificate at deploy; operator: an operator puts a company-CA certificate in the TLS secret (docs/vault-tls.md).'),
        })
        .optional()
        .describe('Vault recovery: without it the Vault bootstrap refuses to initialise.'),
      database: z.strictObject({
        usernameSuffix: z
          .string()
          .regex(/^[a-z0-9]{8}$/, { error: 'must be 8 lowercase letters or digits (generated by "cellkit tenant add")' })
          .describe('Random suffix of the database master username, fixed at tenant creation.'),
      }),
      fileShare: z
        .strictObject({
          nfs: z.boolean({ error: 'must be true or false' }).describe('true leaves NFS to the volume\'s existing export policy (NFS has no password; the evidence control then fails).'),
        })
        .optional()
        .describe('The SMB share of the git volume; NFS is closed unless "nfs": true (docs/file-share.md).'),
    })
    .superRefine((spec, ctx) => {
      if (spec.vault) {
        const { recoveryPgpKeys: keys, recoveryThreshold: threshold } = spec.vault;
        if (threshold > keys.length) {
          ctx.addIssue({ code: 'custom', path: ['vault', 'recoveryThreshold'], input: threshold, message: `must be at most the number of recoveryPgpKeys (${keys.length})` });
        } else if (keys.length > 1 && threshold < 2) {
          ctx.addIssue({ code: 'custom', path: ['vault', 'recoveryThreshold'], input: threshold, message: `must be at least 2 when there are ${keys.length} recoveryPgpKeys (Vault refuses a threshold of 1 for several shares)` });
        }
        keys.forEach((key, i) => {
          if (spec.egress === 'none' && key.startsWith('keybase:')) {
            ctx.addIssue({ code: 'custom', path: ['vault', 'recoveryPgpKeys', i], input: key, message: 'keybase names need internet access; with egress "none" give the base64 public key instead' });
          }
        });
      }
      const { region, geography } = spec.placement;
      if (spec.plan === 'enterprise') {
        if (geography !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['placement', 'geography'], input: geography, message: `is not used by the enterprise plan: enterprise tenants name one region (${regions.allowedList})` });
        }
        if (region === undefined) {
          ctx.addIssue({ code: 'custom', path: ['placement', 'region'], input: region, message: `is required for the enterprise plan: one of ${regions.allowedList}` });
        }
        return;
      }
      const allowedGeos = regions.placementGeographies.join(' or ');
      if (region !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['placement', 'region'], input: region, message: `may only be chosen on the enterprise plan; the ${spec.plan} plan is placed by geography (${allowedGeos})` });
      }
      if (geography === undefined) {
        if (region === undefined) ctx.addIssue({ code: 'custom', path: ['placement', 'geography'], input: geography, message: `is required for the ${spec.plan} plan: ${allowedGeos}` });
      } else if (regions.defaultRegion(geography) === undefined) {
        ctx.addIssue({ code: 'custom', path: ['placement', 'geography'], input: geography, message: `${geography} is available on the enterprise plan only; the ${spec.plan} plan may choose ${allowedGeos}` });
      }
    });
}

export type TenantSpec = z.infer<ReturnType<typeof tenantSpecSchema>>;

/** The region a valid spec resolves to. */
export function resolveRegion(spec: TenantSpec, regions: RegionCatalog): string {
  if (spec.placement.region) return spec.placement.region;
  const region = spec.placement.geography && regions.defaultRegion(spec.placement.geography);
  if (!region) throw new Error(`tenant "${spec.id}": placement has no region`); // unreachable after validation
  return region;
}
