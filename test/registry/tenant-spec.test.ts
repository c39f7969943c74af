import { tenantSpecSchema } from '../../lib/registry/tenant-spec';
import { EXAMPLE_PGP_KEYS, regions, spec } from '../fixtures';

const schema = tenantSpecSchema(regions);
const messages = (input: unknown) => {
  const r = schema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('vault recovery keys', () => {
  test('the fixture spec (three keys, threshold 2) and a spec without vault are valid', () => {
    expect(messages(spec())).toEqual([]);
    expect(messages(spec({ vault: undefined }))).toEqual([]);
  });

  test.each([
    [{ recoveryPgpKeys: [], recoveryThreshold: 1 }, 'vault.recoveryPgpKeys: must name at least one operator key'],
    [{ recoveryPgpKeys: ['not a key!'], recoveryThreshold: 1 }, 'vault.recoveryPgpKeys.0: must be a base64 PGP public key'],
    [{ recoveryPgpKeys: EXAMPLE_PGP_KEYS, recoveryThreshold: 4 }, 'vault.recoveryThreshold: must be at most the number of recoveryPgpKeys (3)'],
    [{ recoveryPgpKeys: EXAMPLE_PGP_KEYS, recoveryThreshold: 1 }, 'vault.recoveryThreshold: must be at least 2 when there are 3 recoveryPgpKeys'],
    [{ recoveryPgpKeys: EXAMPLE_PGP_KEYS, recoveryThreshold: 1.5 }, 'vault.recoveryThreshold: must be a whole number'],
    [{ recoveryPgpKeys: EXAMPLE_PGP_KEYS }, 'vault.recoveryThreshold: must be a whole number'],
  ])('refuses %#', (vault, message) => {
    expect(messages(spec({ vault: vault as never })).join('\n')).toContain(message);
  });

  test('vault.tls: cellkit or operator; anything else is refused with the allowed values', () => {
    for (const tls of ['cellkit', 'operator'] as const) expect(messages(spec({ vault: { recoveryPgpKeys: EXAMPLE_PGP_KEYS, recoveryThreshold: 2, tls } }))).toEqual([]);
    expect(messages(spec({ vault: { recoveryPgpKeys: EXAMPLE_PGP_KEYS, recoveryThreshold: 2, tls: 'selfsigned' as never } }))).toEqual(['vault.tls: must be one of cellkit, operator']);
  });

  test('keybase names only with internet egress', () => {
    expect(messages(spec({ egress: 'nat', vault: { recoveryPgpKeys: ['keybase:alice'], recoveryThreshold: 1 } }))).toEqual([]);
    expect(messages(spec({ egress: 'none', vault: { recoveryPgpKeys: ['keybase:alice'], recoveryThreshold: 1 } }))).toEqual([
      'vault.recoveryPgpKeys.0: keybase names need internet access; with egress "none" give the base64 public key instead',
    ]);
  });
});
