import { tenantSpecSchema } from '../../lib/registry/tenant-spec';
import { EXAMPLE_PGP_KEYS, regions, spec } from '../fixtures';
import { enterpriseSpec } from './registry-dir';

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

describe('display names (issue 12)', () => {
  const schema = tenantSpecSchema(regions);
  const parse = (displayName: string) => schema.safeParse({ ...enterpriseSpec(), displayName });

  test('surrounding spaces are trimmed', () => {
    const r = parse('  Acme Pty Ltd \t');
    expect(r.success && r.data.displayName).toBe('Acme Pty Ltd');
  });

  test.each([
    ['a newline', 'Acme\nInjected: yes', 'U+000A', 5],
    ['a bidi override', 'Acme \u202Edtl', 'U+202E', 6],
    ['a bidi isolate', '\u2067Acme', 'U+2067', 1],
    ['a zero-width space', 'Ac\u200Bme', 'U+200B', 3],
    ['a line separator', 'Acme\u2028Ltd', 'U+2028', 5],
    ['a NUL', 'Acme\u0000', 'U+0000', 5],
  ])('%s is refused, naming the character', (_what, name, code, position) => {
    const r = parse(name);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toBe(`must not contain control or invisible formatting characters (newlines, tabs, bidi controls, zero-width characters); found ${code} at character ${position}`);
  });

  test('letters of any script pass', () => {
    expect(parse('Müller & Söhne 株式会社 — Ωmega').success).toBe(true);
  });
});
