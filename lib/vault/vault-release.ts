/**
 * The Vault release every cell installs. Bump version, sha256 and sources together
 * (docs/vault-upgrades.md: "Bumping the pin"). The install script on every node refuses a zip
 * whose SHA-256 differs (`sha256sum --check --strict`).
 *
 * 2.1.1 (released 2026-09-16) is the newest release whose `linux_amd64` zip hash two independent
 * public manifests agree on in the material checked on 2026-11-28. 2.1.2 exists (a Homebrew formula
 * pins it, linux_amd64 873bbdac...e76e1) but only one source had it: bump once a second one agrees.
 */
export const VAULT_RELEASE: VaultRelease = {
  version: '2.1.1',
  sha256: '8aa90f9cea46f541fc7baa3d0ec692fc06afde9a248cc1f2dcac46a567c6f56b',
  sources: [
    {
      what: 'Homebrew formula `class Vault < Formula`, version "2.1.1", `OS.linux? && Hardware::CPU.intel?` url vault_2.1.1_linux_amd64.zip',
      where: 'a Formula/vault.rb in the layout of github.com/hashicorp/homebrew-tap (IBM Corp. 2020, 2026 header; that tap\'s mirror commit 7089e8a4dc94c6891949ae65c11c76b441395cc2 pins 2.0.3); stored copy found by hash, its repository commit was not retrievable here',
    },
    {
      what: 'Salt pillar `urls: vault: https://releases.hashicorp.com/vault/2.1.1/vault_2.1.1_linux_amd64.zip` with `hashes: vault: sha256=<this hash>`',
      where: 'github.com/jdelic/saltshaker srv/pillar/shared/urls.sls (a configuration repository pinning Vault by hash; stored version newer than mirror commit d861de2f16963be32f02a09938b7c15d5df6f93d, which pinned 2.0.2)',
    },
    {
      what: 'Renovate-managed installer `VAULT_VERSION="2.1.1"`, `VAULT_X86_64_SHA256=<this hash>`; a tool inventory listing "Vault v2.1.1 (d78bbbe2d2f3d289c1ec29d431071beb23668212), built 2026-09-15T21:21:56Z" with the same zip hash',
      where: 'two further public repositories (corroboration only)',
    },
  ],
};

/** Where a pinned hash was read: recorded next to the pin so a reviewer can re-check it. */
export interface ReleaseSource {
  readonly what: string;
  readonly where: string;
}

export interface VaultRelease {
  /** Community-edition release, e.g. `2.1.1` (no `v`, no `+ent`). */
  readonly version: string;
  /** SHA-256 of `vault_<version>_linux_amd64.zip`, 64 lowercase hex digits. */
  readonly sha256: string;
  /** At least two independent public sources that agree on version and hash. @default none (tests and custom releases) */
  readonly sources?: readonly ReleaseSource[];
}

/**
 * Support of each Vault community-edition minor line, the one place the window is stated.
 * HashiCorp supports the community edition on its latest minor release only, so a line is
 * supported until the next minor ships. `reviewBy` is when this table must be re-checked
 * (the next minor may have shipped); past it the readiness check and the evidence report warn.
 */
export const VAULT_SUPPORT: Readonly<Record<string, VaultSupportWindow>> = {
  '1.18': {
    endedOn: '2025-03-05',
    checkedOn: '2026-11-28',
    source: 'hashicorp/vault CHANGELOG.md: "## 1.19.0 / March 5, 2025" (1.18 was not an LTS line; endoflife.date lists its end in March 2025)',
  },
  '2.1': {
    reviewBy: '2027-01-31',
    checkedOn: '2026-11-28',
    source:
      'hashicorp/web-unified-docs content/vault/v2.x/content/docs/updates/important-changes.mdx (2.1.0 changes listed; 2.2.0 announced, no 2.2 zip in the stored release manifests on 2026-11-28)',
  },
};

export interface VaultSupportWindow {
  /** The day the line stopped getting fixes (ISO date). */
  readonly endedOn?: string;
  /** Still the latest minor when checked; re-check by this day (ISO date). */
  readonly reviewBy?: string;
  /** The day the window was checked (ISO date). */
  readonly checkedOn: string;
  readonly source: string;
}

export interface VaultSupportResult {
  readonly status: 'ok' | 'warning';
  readonly message: string;
}

const day = (iso: string) => new Date(`${iso}T00:00:00Z`).getTime();

/**
 * Is `release` inside its documented support window on `now`? Pure: callers pass the date
 * (the CLI passes today, tests a fixed day), so CI never turns red by the calendar alone.
 */
export function vaultReleaseSupport(release: Pick<VaultRelease, 'version'>, now: Date, table: Readonly<Record<string, VaultSupportWindow>> = VAULT_SUPPORT): VaultSupportResult {
  const line = release.version.split('.').slice(0, 2).join('.');
  const w = Object.prototype.hasOwnProperty.call(table, line) ? table[line] : undefined;
  const today = now.toISOString().slice(0, 10);
  if (!w) {
    return { status: 'warning', message: `Vault ${release.version}: no documented support window for the ${line} line in lib/vault/vault-release.ts (VAULT_SUPPORT); add it with its source before deploying` };
  }
  if (w.endedOn && now.getTime() >= day(w.endedOn)) {
    return { status: 'warning', message: `Vault ${release.version}: the ${line} line stopped getting security fixes on ${w.endedOn} (checked ${w.checkedOn}: ${w.source}); move to a supported release (docs/vault-upgrades.md)` };
  }
  if (w.reviewBy && now.getTime() >= day(w.reviewBy) + 86_400_000) {
    return {
      status: 'warning',
      message: `Vault ${release.version}: support of the ${line} line was last checked on ${w.checkedOn} and had to be re-checked by ${w.reviewBy} (today ${today}); the community edition is supported on its latest minor only, so check whether a newer minor shipped and update VAULT_SUPPORT`,
    };
  }
  return { status: 'ok', message: `Vault ${release.version}: the ${line} line is supported (checked ${w.checkedOn}${w.reviewBy ? `, re-check by ${w.reviewBy}` : ''})` };
}

/**
 * A readiness check in the shape of the readiness framework (`cellkit readiness --tenant <id>`):
 * the lead registers it there. `run` is pure given `now`.
 */
export const VAULT_RELEASE_READINESS_CHECK = {
  id: 'vault-release-supported',
  title: 'The pinned Vault release is inside its documented support window',
  run: (now: Date, release: Pick<VaultRelease, 'version'> = VAULT_RELEASE): VaultSupportResult => vaultReleaseSupport(release, now),
} as const;

export const VAULT_VERSION_PATTERN = /^\d+\.\d+\.\d+$/;
export const SHA256_PATTERN = /^[0-9a-f]{64}$/;

/** The zip's file name, as published on releases.hashicorp.com and uploaded to the artifact bucket. */
export function vaultZipName(version: string): string {
  return `vault_${version}_linux_amd64.zip`;
}
