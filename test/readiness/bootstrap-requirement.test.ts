// The bootstrap requirement is read from cloud assemblies that aws-cdk-lib itself writes here.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnWaitConditionHandle, DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import { cellStackName } from '../../lib/cell/cell-stack';
import { AssemblyError, bootstrapRequirement } from '../../lib/readiness/bootstrap-requirement';
import { TenantRegistry, registryPaths } from '../../lib/registry/registry';
import { REPO_ROOT, cellStack } from '../fixtures';

const ENV = 'aws://123456789012/ap-southeast-2';

/** Synthesizes one empty stack named Cell-acme with the given synthesizer into a fresh folder. */
function synthAssembly(synthesizer?: DefaultStackSynthesizer): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-readiness-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Cell-acme', { env: { account: '123456789012', region: 'ap-southeast-2' }, synthesizer });
  new CfnWaitConditionHandle(stack, 'Placeholder'); // a template needs one resource
  app.synth();
  return outdir;
}

describe('bootstrapRequirement', () => {
  test('reads version 8 (the lookup role; deployment, assets and the template rule need 6) and the default version parameter', () => {
    const req = bootstrapRequirement(synthAssembly(), 'Cell-acme', ENV);
    expect(req).toEqual({ version: 8, ssmParameter: '/cdk-bootstrap/hnb659fds/version', sources: ['Cell-acme lookup role'] });
  });

  test('follows the assembly, not a constant: session tags raise the requirement, a qualifier moves the parameter', () => {
    const tagged = bootstrapRequirement(synthAssembly(new DefaultStackSynthesizer({ deployRoleAdditionalOptions: { Tags: [{ Key: 'team', Value: 'platform' }] } })), 'Cell-acme', ENV);
    expect(tagged.version).toBeGreaterThan(8);
    expect(tagged.sources).toEqual(['Cell-acme deployment', 'Cell-acme.template.json rule CheckBootstrapVersion']);
    expect(bootstrapRequirement(synthAssembly(new DefaultStackSynthesizer({ qualifier: 'cellkit01' })), 'Cell-acme', ENV).ssmParameter).toBe('/cdk-bootstrap/cellkit01/version');
  });

  test('reads the rule alone when the manifest states nothing (CheckBootstrapVersion refuses 1-5: version 6)', () => {
    const dir = synthAssembly();
    const manifestFile = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    delete manifest.artifacts['Cell-acme'].properties.requiresBootstrapStackVersion;
    delete manifest.artifacts['Cell-acme'].properties.lookupRole;
    manifest.artifacts['Cell-acme'].properties.additionalDependencies = [];
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    expect(bootstrapRequirement(dir, 'Cell-acme', ENV)).toMatchObject({ version: 6, sources: ['Cell-acme.template.json rule CheckBootstrapVersion'] });
  });

  test.each(['northwind', 'contoso'])("the %s cell's own assembly needs version 8 and the default parameter", (id) => {
    const registry = TenantRegistry.load(registryPaths(REPO_ROOT));
    const t = registry.tenants.find((x) => x.id === id)!;
    const stack = cellStack(t);
    const app = stack.node.root as App;
    app.synth();
    expect(bootstrapRequirement(app.outdir, cellStackName(id), `aws://${t.spec.account}/${t.pin.region}`)).toMatchObject({ version: 8, ssmParameter: '/cdk-bootstrap/hnb659fds/version' });
  });

  test.each([
    ['no assembly', (dir: string) => fs.rmSync(path.join(dir, 'manifest.json')), 'Cell-acme', ENV, /^no cloud assembly at .*manifest\.json$/],
    ['another stack only', () => undefined, 'Cell-globex', ENV, /manifest\.json holds no stack Cell-globex$/],
    ['a stale assembly for another account', () => undefined, 'Cell-acme', 'aws://999999999999/ap-southeast-2', /has Cell-acme for aws:\/\/123456789012\/ap-southeast-2, but the tenant is aws:\/\/999999999999\/ap-southeast-2 \(stale cdk\.out\)$/],
  ] as const)('refuses %s with a message naming it', (_, damage, stackName, env, message) => {
    const dir = synthAssembly();
    damage(dir);
    const read = () => bootstrapRequirement(dir, stackName, env);
    expect(read).toThrow(AssemblyError);
    expect(read).toThrow(message);
  });
});
