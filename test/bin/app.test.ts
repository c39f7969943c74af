// bin/app.ts end to end, as `cdk synth` runs it (cdk.json's app command): a child process with CDK_OUTDIR and context.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from '../fixtures';
import { PINNED_AT, enterpriseSpec, registryDir, teamSpec } from '../registry/registry-dir';

const CDK_JSON = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8'));
/** cdk.json's app command, e.g. `node bin/run-ts.js bin/app.ts`, run with this test's Node. */
const APP_COMMAND: string[] = CDK_JSON.app.split(' ');

function runApp(context: Record<string, unknown>, extraEnv: Record<string, string> = {}) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-app-'));
  const env: NodeJS.ProcessEnv = { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_JSON.context, ...context }), ...extraEnv };
  for (const k of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'CDK_DEFAULT_ACCOUNT', 'CDK_DEFAULT_REGION']) delete env[k];
  const [node, ...args] = APP_COMMAND;
  expect(node).toBe('node');
  const result = spawnSync(process.execPath, args, { env, encoding: 'utf8', cwd: REPO_ROOT });
  const templates = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json')).sort();
  return { status: result.status, stderr: result.stderr, templates, outdir };
}

function validRegistry() {
  const dir = registryDir();
  dir.writeTenant('acme', enterpriseSpec());
  dir.writeTenant('globex', teamSpec());
  dir.writePins({ acme: { region: 'ap-southeast-2', pinnedAt: PINNED_AT }, globex: { region: 'eu-west-2', pinnedAt: PINNED_AT } });
  return dir;
}

describe('bin/app.ts', () => {
  test('-c pipeline=<name> synthesizes the cells of that delivery pipeline only; -c delivery=<unknown> is refused', () => {
    const dir = validRegistry();
    fs.copyFileSync(path.join(REPO_ROOT, 'delivery.json'), path.join(dir.root, 'delivery.json'));
    fs.writeFileSync(path.join(dir.root, 'delivery.json'), fs.readFileSync(path.join(REPO_ROOT, 'delivery.json'), 'utf8').replace('"contoso"', '"globex"'));
    const run = runApp({ registry: dir.root, pipeline: 'CellkitDelivery-eu-west-2' });
    expect(run.stderr).toBe('');
    expect(run.templates).toEqual(['Cell-globex.template.json']);
    const bad = runApp({ registry: dir.root, delivery: 'CellkitDelivery-mars-1' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('cellkit: refusing to synthesize: context "delivery": no delivery pipeline "CellkitDelivery-mars-1"; the plan has: all, CellkitDelivery-eu-west-2, CellkitDelivery-ap-southeast-2\n');
    expect(bad.templates).toEqual([]);
  });

  test('-c tenant=<id> synthesizes only that tenant', () => {
    const dir = validRegistry();
    const run = runApp({ registry: dir.root, tenant: 'globex' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.templates).toEqual(['Cell-globex.template.json']);
  });

  test('tree.json is written for one tenant, not for a fleet (unless -c tree=true), and a stale one is removed', () => {
    const dir = validRegistry();
    const tree = (outdir: string) => fs.existsSync(path.join(outdir, 'tree.json'));
    const manifestNamesTree = (outdir: string) => Object.values(JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')).artifacts).some((a: any) => a.type === 'cdk:tree');
    const one = runApp({ registry: dir.root, tenant: 'globex' });
    expect([one.status, tree(one.outdir), manifestNamesTree(one.outdir)]).toEqual([0, true, true]);
    const fleet = runApp({ registry: dir.root, workers: '1' });
    expect([fleet.status, fleet.templates.length, tree(fleet.outdir), manifestNamesTree(fleet.outdir)]).toEqual([0, 2, false, false]);
    const forced = runApp({ registry: dir.root, workers: '1', tree: 'true' });
    expect([forced.status, tree(forced.outdir), manifestNamesTree(forced.outdir)]).toEqual([0, true, true]);
    // cdk.out is reused between synths: a fleet synth after a tenant synth leaves no tree.json of the earlier one.
    const again = spawnSync(process.execPath, APP_COMMAND.slice(1), {
      env: { ...process.env, CDK_OUTDIR: one.outdir, CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_JSON.context, registry: dir.root, workers: '1' }) },
      encoding: 'utf8',
      cwd: REPO_ROOT,
    });
    expect([again.status, tree(one.outdir)]).toEqual([0, false]);
  });

  test('an invalid -c tree is refused with what is allowed, with no template written', () => {
    const run = runApp({ registry: validRegistry().root, tree: 'yes' });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('cellkit: refusing to synthesize: context "tree": got "yes"; expected true (write cdk.out/tree.json) or false\n');
    expect(run.templates).toEqual([]);
  });

  test('a tenant without operator PGP keys is refused before any template is written, with no stack trace', () => {
    const dir = validRegistry();
    const { vault: _vault, ...keyless } = teamSpec();
    dir.writeTenant('globex', keyless);
    const run = runApp({ registry: dir.root, tenant: 'globex' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('cellkit: refusing to synthesize: tenant "globex" (tenants/globex.json): field "vault.recoveryPgpKeys" is missing or empty');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.templates).toEqual([]);
  });

  test('a moved region is refused before any template is written', () => {
    const dir = validRegistry();
    dir.writeTenant('globex', teamSpec({ placement: { geography: 'US' } }));
    const run = runApp({ registry: dir.root });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/cellkit: refusing to synthesize: tenant "globex": its spec resolves to us-east-1 \(N\. Virginia\) but the tenant was pinned to eu-west-2 \(London\).*cannot change after creation/);
    expect(run.templates).toEqual([]);
  });

  test('an unknown tenant is refused, listing the known ones, with no template written', () => {
    const run = runApp({ registry: validRegistry().root, tenant: 'nobody' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/no tenant "nobody" in tenants\/; known tenants: acme, globex/);
    expect(run.templates).toEqual([]);
  });

  test('an invalid -c workers is refused with the value and what is allowed, with no template written', () => {
    const run = runApp({ registry: validRegistry().root, workers: 'two' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/cellkit: refusing to synthesize: context "workers": got "two"; expected a whole number >= 1/);
    expect(run.templates).toEqual([]);
  });

  test('a malformed worker assignment is refused, with no template written', () => {
    const run = runApp({ registry: validRegistry().root }, { CELLKIT_WORKER: '3/2' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/CELLKIT_WORKER: got "3\/2"; expected "k\/n" with 1 <= k <= n and n >= 2/);
    expect(run.templates).toEqual([]);
  });

  test('a worker synthesizes only its share of the selection', () => {
    const run = runApp({ registry: validRegistry().root }, { CELLKIT_WORKER: '2/2' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.templates).toEqual(['Cell-globex.template.json']);
  });

  test('creation stack traces are left out of cdk.out unless `cdk synth --debug-app` sets CDK_DEBUG', () => {
    const traces = (extraEnv: Record<string, string>) => {
      const run = runApp({ registry: validRegistry().root, tenant: 'globex' }, extraEnv);
      expect(run.status).toBe(0);
      return (fs.readFileSync(path.join(run.outdir, 'Cell-globex.metadata.json'), 'utf8').match(/aws:cdk:creationStack/g) ?? []).length;
    };
    expect(traces({})).toBe(0);
    expect(traces({ CDK_DEBUG: 'true' })).toBeGreaterThan(100);
  });
});
