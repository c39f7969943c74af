// No imports: the region guard's Lambda bundles this file, and the synth path must not load the AWS SDK.

/** What a cell key is for: the cell's data, Vault's seal, the region guard's logs. */
export type CellKeyPurpose = 'data' | 'seal' | 'guard';

/** The alias of a cell key: `alias/cellkit/<tenant>/<purpose>`; the constructs, the region guard and `cellkit evidence` use it. */
export function cellKeyAlias(tenantId: string, purpose: CellKeyPurpose): string {
  return `alias/cellkit/${tenantId}/${purpose}`;
}
