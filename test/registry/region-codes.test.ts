// regions.json is the only place a region is named: no code in lib/ or bin/ spells a region code or a
// region's city. Adding or changing a region is then an edit of regions.json (see CONTRIBUTING.md).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RegionCatalog } from '../../lib/registry/regions';
import { REPO_ROOT } from '../fixtures';

/** Any AWS region or availability-zone code (eu-west-2, us-gov-west-1, ap-southeast-2a), listed in regions.json or not. */
const REGION_CODE = /(?<![A-Za-z0-9-])(?:af|ap|ca|cn|eu|il|me|mx|sa|us)-(?:gov-|iso-|isob-)?(?:north|south|east|west|central|northeast|northwest|southeast|southwest)-\d(?!\d)/;

interface Allowed {
  /** Path from the repository root. */
  readonly file: string;
  /** A text on the allowed line; absent: the whole file (generated data keyed by region). */
  readonly line?: string;
  readonly reason: string;
}

/** Each entry says why the region is named there and not read from regions.json. */
const REGION_NAME_ALLOWED: readonly Allowed[] = [
  { file: 'lib/cost/prices.json', reason: 'generated data keyed by region, written by `cellkit prices refresh` for every region of regions.json' },
  { file: 'lib/vault/amis.json', reason: 'generated data keyed by region (empty today), written only by `cellkit amis pin` for regions of regions.json' },
  {
    file: 'lib/cli/cost.ts',
    line: "region: 'us-east-1'",
    reason: 'the AWS Price List Query API endpoint (Pricing API reference), not a cell region',
  },
  {
    file: 'lib/cli/cost.ts',
    line: 'The Price List Query API is served from us-east-1',
    reason: 'comment citing the Price List Query API endpoints, not a cell region',
  },
  {
    file: 'lib/vault/artifacts/vault-artifacts.ts',
    line: "p.region === 'us-east-1'",
    reason: 'S3 CreateBucket takes no LocationConstraint in us-east-1 (S3 API reference): an AWS rule about that region, whichever regions cells use',
  },
  {
    file: 'lib/vault/artifacts/vault-artifacts.ts',
    line: 'us-east-1 takes no location constraint',
    reason: 'comment citing the S3 CreateBucket rule above',
  },
  {
    file: 'lib/guard/scp.ts',
    line: 'Their endpoints live in us-east-1',
    reason: 'comment citing where AWS global services have their endpoints (AWS Organizations User Guide), not a cell region',
  },
  {
    file: 'lib/guard/scp.ts',
    line: 'us-west-2), so denying them by region',
    reason: 'the same comment, continued: the second global-service endpoint region',
  },
];

interface RegionMention {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

function sourceFiles(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = path.posix.join(rel, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(child);
      } else {
        out.push(child);
      }
    }
  };
  dirs.filter((d) => fs.existsSync(path.join(root, d))).forEach(walk);
  return out.sort();
}

/** Every line of lib/ and bin/ under `root` naming a region code or a city of regions.json, minus the allowed ones. */
function regionMentions(root: string, cities: readonly string[], allowed: readonly Allowed[]): RegionMention[] {
  const cityPattern = cities.length ? new RegExp(`\\b(?:${cities.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})\\b`) : undefined;
  const found: RegionMention[] = [];
  for (const file of sourceFiles(root, ['lib', 'bin'])) {
    const rules = allowed.filter((a) => a.file === file);
    if (rules.some((a) => a.line === undefined)) continue;
    fs.readFileSync(path.join(root, file), 'utf8')
      .split('\n')
      .forEach((text, i) => {
        if (!REGION_CODE.test(text) && !cityPattern?.test(text)) return;
        if (rules.some((a) => a.line !== undefined && text.includes(a.line))) return;
        found.push({ file, line: i + 1, text: text.trim() });
      });
  }
  return found;
}

const catalog = RegionCatalog.load(path.join(REPO_ROOT, 'regions.json'));
const cities = catalog.codes.map((c) => catalog.get(c).city);

describe('regions.json is the only place a region is named', () => {
  test('no file in lib/ or bin/ names a region code or a region city (file:line listed)', () => {
    const found = regionMentions(REPO_ROOT, cities, REGION_NAME_ALLOWED).map((m) => `${m.file}:${m.line}: ${m.text}`);
    expect(found).toEqual([]);
  });

  test('every allow-list entry still matches something, names an existing file and gives a reason', () => {
    for (const a of REGION_NAME_ALLOWED) {
      const file = path.join(REPO_ROOT, a.file);
      expect(fs.existsSync(file)).toBe(true);
      expect(a.reason.length).toBeGreaterThan(20);
      const text = fs.readFileSync(file, 'utf8');
      // A whole-file entry (generated data) may be empty of regions for now; a line entry must still match.
      if (a.line !== undefined) expect(text).toContain(a.line);
    }
  });

  test('the scan finds a region code, an availability zone and a city, naming file and line', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-region-scan-'));
    try {
      fs.mkdirSync(path.join(root, 'lib', 'part'), { recursive: true });
      fs.mkdirSync(path.join(root, 'bin'));
      fs.writeFileSync(path.join(root, 'lib', 'part', 'a.ts'), "const ok = 1;\nconst home = 'eu-north-1';\n");
      fs.writeFileSync(path.join(root, 'lib', 'part', 'b.ts'), "// the zone eu-west-2b\n// near London\n// tenant id 'acme-west-2' and 'us-east' are not codes\n");
      fs.writeFileSync(path.join(root, 'bin', 'c.js'), "const z = 'ap-southeast-2';\n");
      fs.writeFileSync(path.join(root, 'lib', 'part', 'allowed.ts'), "const api = 'us-east-1'; // endpoint\n");
      const found = regionMentions(root, cities, [{ file: 'lib/part/allowed.ts', line: "api = 'us-east-1'", reason: 'test' }]);
      expect(found.map((m) => `${m.file}:${m.line}`)).toEqual(['bin/c.js:1', 'lib/part/a.ts:2', 'lib/part/b.ts:1', 'lib/part/b.ts:2']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
