// No imports: the region guard's Lambda bundles this file, and the synth path must not load the AWS SDK.

/** The alias of a cell key: `alias/cellkit/<tenant>/<purpose>` (purpose `data`, `seal` or `guard`). */
export function cellKeyAlias(tenantId: string, purpose: string): string {
  return `alias/cellkit/${tenantId}/${purpose}`;
}
