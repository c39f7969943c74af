// bin/app.ts end to end, as `cdk synth` runs it: a child process with CDK_OUTDIR and context.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from '../fixtures';
import { PINNED_AT, enterpriseSpec, registryDir, teamSpec } from '../registry/registry-dir';

function runApp(context: Record<string, string>) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-app-'));
  const env: NodeJS.ProcessEnv = { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) };
  for (const k of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'CDK_DEFAULT_ACCOUNT', 'CDK_DEFAULT_REGION']) delete env[k];
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(REPO_ROOT, 'bin/app.ts')], { env, encoding: 'utf8', cwd: REPO_ROOT });
  const templates = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json')).sort();
  return { status: result.status, stderr: result.stderr, templates };
}

function validRegistry() {
  const dir = registryDir();
  dir.writeTenant('acme', enterpriseSpec());
  dir.writeTenant('globex', teamSpec());
  dir.writePins({ acme: { region: 'ap-southeast-2', pinnedAt: PINNED_AT }, globex: { region: 'eu-west-2', pinnedAt: PINNED_AT } });
  return dir;
}

describe('bin/app.ts', () => {
  test('-c tenant=<id> synthesizes only that tenant', () => {
    const dir = validRegistry();
    const run = runApp({ registry: dir.root, tenant: 'globex' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.templates).toEqual(['Cell-globex.template.json']);
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
});
