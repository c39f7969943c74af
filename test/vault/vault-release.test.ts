// The pinned Vault release, its recorded sources and its support window. Every date is fixed:
// CI never turns red by the calendar alone.
import { SHA256_PATTERN, VAULT_RELEASE, VAULT_RELEASE_READINESS_CHECK, VAULT_SUPPORT, VAULT_VERSION_PATTERN, vaultReleaseSupport } from '../../lib/vault/vault-release';

const on = (iso: string) => new Date(`${iso}T12:00:00Z`);

test('the pin is a supported 2.x release with its hash and at least two recorded sources', () => {
  expect(VAULT_RELEASE.version).toMatch(VAULT_VERSION_PATTERN);
  expect(VAULT_RELEASE.sha256).toMatch(SHA256_PATTERN);
  expect(Number(VAULT_RELEASE.version.split('.')[0])).toBeGreaterThanOrEqual(2);
  expect(VAULT_RELEASE.sources?.length ?? 0).toBeGreaterThanOrEqual(2);
  for (const s of VAULT_RELEASE.sources ?? []) expect(s.where).toMatch(/\S/);
  expect(VAULT_RELEASE.sources?.[1].where).toContain('jdelic/saltshaker srv/pillar/shared/urls.sls');
});

test('the pin is inside its documented support window on the day it was checked', () => {
  expect(vaultReleaseSupport(VAULT_RELEASE, on('2026-11-28'))).toEqual({ status: 'ok', message: 'Vault 2.1.1: the 2.1 line is supported (checked 2026-11-28, re-check by 2027-01-31)' });
});

test('past the review date it warns that support must be re-checked', () => {
  const r = vaultReleaseSupport(VAULT_RELEASE, on('2027-02-01'));
  expect(r.status).toBe('warning');
  expect(r.message).toBe(
    'Vault 2.1.1: support of the 2.1 line was last checked on 2026-11-28 and had to be re-checked by 2027-01-31 (today 2027-02-01); the community edition is supported on its latest minor only, so check whether a newer minor shipped and update VAULT_SUPPORT',
  );
  expect(vaultReleaseSupport(VAULT_RELEASE, new Date('2027-01-31T23:59:59Z')).status).toBe('ok');
});

test('the old pin 1.18.3 warns: its line stopped getting fixes on 2025-03-05', () => {
  const r = vaultReleaseSupport({ version: '1.18.3' }, on('2026-11-28'));
  expect(r.status).toBe('warning');
  expect(r.message).toMatch(/^Vault 1\.18\.3: the 1\.18 line stopped getting security fixes on 2025-03-05 \(checked 2026-11-28: hashicorp\/vault CHANGELOG.md/);
  expect(vaultReleaseSupport({ version: '1.18.3' }, on('2025-03-04')).status).toBe('ok');
});

test('a release line without a documented window warns, naming where to add it', () => {
  expect(vaultReleaseSupport({ version: '1.21.4' }, on('2026-11-28'))).toEqual({
    status: 'warning',
    message: 'Vault 1.21.4: no documented support window for the 1.21 line in lib/vault/vault-release.ts (VAULT_SUPPORT); add it with its source before deploying',
  });
});

test('every window names its source and the day it was checked', () => {
  for (const [line, w] of Object.entries(VAULT_SUPPORT)) {
    expect([line, w.checkedOn]).toEqual([line, expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/)]);
    expect(w.source.length).toBeGreaterThan(20);
    expect(Boolean(w.endedOn) !== Boolean(w.reviewBy)).toBe(true);
  }
});

test('the readiness check answers for the pinned release on a given day', () => {
  expect(VAULT_RELEASE_READINESS_CHECK.id).toBe('vault-release-supported');
  expect(VAULT_RELEASE_READINESS_CHECK.run(on('2026-11-28')).status).toBe('ok');
  expect(VAULT_RELEASE_READINESS_CHECK.run(on('2027-06-01')).status).toBe('warning');
  expect(VAULT_RELEASE_READINESS_CHECK.run(on('2026-11-28'), { version: '1.18.3' }).status).toBe('warning');
});
