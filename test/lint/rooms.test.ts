// The lint rule that keeps the rooms apart (eslint.config.mjs, docs/development.md "Lint and rooms"):
// code bundled into a Lambda may not import CDK, and only bin/ and lib/cli/ may import the CLI.
// ESLint loads its flat config with a dynamic import(), which jest's module system refuses, so the
// ESLint Node API runs in one child `node` process that lints every snippet and returns JSON.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { REPO_ROOT } from '../fixtures';

interface Case { readonly text: string; readonly filePath: string }
interface Linted { readonly rules: string[]; readonly messages: string[] }

const LINTER = `
const { ESLint } = require('eslint');
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
(async () => {
  const eslint = new ESLint({ cwd: input.root, overrideConfigFile: input.config });
  const linted = [];
  for (const c of input.cases) {
    const [r] = await eslint.lintText(c.text, { filePath: c.filePath });
    linted.push({ rules: r.messages.map((m) => m.ruleId), messages: r.messages.map((m) => m.message) });
  }
  const restricted = [];
  for (const f of input.files) {
    const rule = (await eslint.calculateConfigForFile(f)).rules['no-restricted-imports'];
    restricted.push(JSON.stringify(rule ?? null));
  }
  process.stdout.write(JSON.stringify({ linted, restricted }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

function lint(cases: readonly Case[], files: readonly string[] = []): { linted: Linted[]; restricted: string[] } {
  const input = JSON.stringify({ root: REPO_ROOT, config: path.join(REPO_ROOT, 'eslint.config.mjs'), cases, files });
  const r = spawnSync(process.execPath, ['-e', LINTER], { cwd: REPO_ROOT, input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`eslint child failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Every handler entry point: `lib/<part>/.../handler/index.ts`. */
function handlerEntries(dir = path.join(REPO_ROOT, 'lib')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (!e.isDirectory()) return [];
    return e.name === 'handler' && fs.existsSync(path.join(p, 'index.ts')) ? [path.join(p, 'index.ts')] : handlerEntries(p);
  });
}

const CDK_IMPORTS = [
  "import { App } from 'aws-cdk-lib';\nexport const a = App;\n",
  "import * as s3 from 'aws-cdk-lib/aws-s3';\nexport const b = s3.Bucket;\n",
  "import { Construct } from 'constructs';\nexport const c = Construct;\n",
  "import { NagSuppressions } from 'cdk-nag';\nexport const n = NagSuppressions;\n",
  "import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';\nexport const g = CfnGuardValidator;\n",
];
const CLI_IMPORT = "import { registerAmis } from '../cli/amis';\nexport const r = registerAmis;\n";

describe('lint rooms: code that runs in AWS cannot import CDK', () => {
  // Handler folders, and modules bundled into a handler from outside its folder.
  const handlerPaths = ['lib/x/handler/index.ts', 'lib/vault/bootstrap/handler/bootstrap.ts', 'lib/lambda/cfn-response.ts', 'lib/guard/region-check.ts'];
  const cases: Case[] = [
    ...handlerPaths.flatMap((filePath) => CDK_IMPORTS.map((text) => ({ text, filePath }))),
    ...CDK_IMPORTS.map((text) => ({ text, filePath: 'lib/x/x-construct.ts' })),
  ];
  const entries = handlerEntries();
  const bundled = [...new Set(entries.flatMap((entry) => {
    const { metafile } = buildSync({ entryPoints: [entry], bundle: true, platform: 'node', write: false, metafile: true, logLevel: 'silent', absWorkingDir: REPO_ROOT });
    return Object.keys(metafile.inputs).filter((f) => f.startsWith('lib/') && f.endsWith('.ts'));
  }))].sort();
  const { linted, restricted } = lint(cases, bundled);
  const at = (filePath: string, text: string) => linted[cases.findIndex((c) => c.filePath === filePath && c.text === text)];

  test.each(handlerPaths.flatMap((p) => CDK_IMPORTS.map((text) => [p, text.split('\n')[0]] as const)))('%s: "%s" is an error', (filePath, line) => {
    const r = at(filePath, CDK_IMPORTS.find((t) => t.startsWith(line))!);
    expect(r.rules).toEqual(['no-restricted-imports']);
    expect(r.messages[0]).toMatch(/Code that runs in AWS \(Lambda handlers\) must not import CDK/);
  });

  test('the same imports in a construct file pass', () => {
    for (const text of CDK_IMPORTS) expect(at('lib/x/x-construct.ts', text)).toEqual({ rules: [], messages: [] });
  });

  test('every file bundled into a Lambda is linted as handler code (esbuild metafile of each handler entry)', () => {
    // One entry per handlerBundleDir() call site: a new Lambda without a handler/ folder fails here.
    const sites = spawnSync('grep', ['-rl', '--include=*.ts', 'handlerBundleDir(', 'lib'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout
      .split('\n').filter((f) => f && f !== 'lib/lambda/handler-bundle.ts');
    expect(entries).toHaveLength(sites.length);
    expect(bundled).toEqual(expect.arrayContaining(['lib/lambda/cfn-response.ts', 'lib/vault/bootstrap/vault-plan.ts']));
    const unguarded = bundled.filter((_, i) => !restricted[i].includes('aws-cdk-lib'));
    expect(unguarded).toEqual([]);
  });
});

describe('lint rooms: operator CLI modules are imported only by bin/ and lib/cli/', () => {
  const cases: Case[] = [
    { text: CLI_IMPORT, filePath: 'lib/vault/vault-cluster.ts' },
    { text: CLI_IMPORT, filePath: 'lib/x/handler/index.ts' },
    { text: "import { registerAmis } from '../lib/cli/amis';\nexport const r = registerAmis;\n", filePath: 'bin/cellkit.ts' },
    { text: "import { once } from './options';\nimport { x } from '../cli/options';\nexport const r = [once, x];\n", filePath: 'lib/cli/new-command.ts' },
    { text: "import { S3Client } from '@aws-sdk/client-s3';\nexport const s = S3Client;\n", filePath: 'lib/vault/roll/aws.ts' },
  ];
  const { linted } = lint(cases);

  test('a construct or a handler importing lib/cli is an error', () => {
    for (const r of linted.slice(0, 2)) {
      expect(r.rules).toEqual(['no-restricted-imports']);
      expect(r.messages[0]).toMatch(/Operator CLI modules \(lib\/cli\/\) are imported only by bin\/ and lib\/cli\//);
    }
  });

  test('bin/, lib/cli/ and ordinary SDK imports pass', () => {
    for (const r of linted.slice(2)) expect(r).toEqual({ rules: [], messages: [] });
  });
});
