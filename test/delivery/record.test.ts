import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { canonicalJson, deploymentRecord, sha256 } from '../../lib/delivery/record';
import { REPO_ROOT } from '../fixtures';

const template = { Resources: { Key: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true, RotationPeriodInDays: 365 } } }, Description: 'cell' };
const synthesized = JSON.stringify(template, null, 1);
// The AWS CLI prints a JSON TemplateBody as a JSON object, keys in whatever order CloudFormation returns them.
const deployedSame = JSON.stringify({ Description: 'cell', Resources: { Key: { Properties: { RotationPeriodInDays: 365, EnableKeyRotation: true }, Type: 'AWS::KMS::Key' } } });
const evidence = JSON.stringify({ tenant: 'acme', status: 'PASS', controls: [] });
const base = { tenant: 'acme', account: '123456789012', region: 'eu-west-2', pipelineExecutionId: 'exec-1', synthesized, evidence };

describe('deployment record', () => {
  test('a deployed template equal to the synthesized one (any key order or white space) matches its evidence', () => {
    const r = deploymentRecord({ ...base, deployed: deployedSame });
    expect(r).toMatchObject({ tenant: 'acme', stackName: 'Cell-acme', matchesEvidence: true, evidenceStatus: 'PASS', evidenceSha256: sha256(evidence) });
    expect(r.deployedTemplateSha256).toBe(sha256(canonicalJson(template)));
  });

  test('DependsOn order does not change the hash; any other list order does', () => {
    const withDeps = (deps: string[], ports: number[]) => ({ Resources: { A: { Type: 'AWS::SNS::Topic', DependsOn: deps, Properties: { Ports: ports } } } });
    expect(canonicalJson(withDeps(['B', 'C'], [1, 2]))).toBe(canonicalJson(withDeps(['C', 'B'], [1, 2])));
    expect(canonicalJson(withDeps(['B', 'C'], [1, 2]))).not.toBe(canonicalJson(withDeps(['B', 'C'], [2, 1])));
  });

  test('a YAML-or-string TemplateBody (the CLI prints it as a JSON string) is parsed once more', () => {
    expect(deploymentRecord({ ...base, deployed: JSON.stringify(JSON.stringify(template)) }).matchesEvidence).toBe(true);
  });

  test('a drifted template (rotation period changed by hand) does not match', () => {
    const drifted = JSON.parse(deployedSame);
    drifted.Resources.Key.Properties.RotationPeriodInDays = 730;
    const r = deploymentRecord({ ...base, deployed: JSON.stringify(drifted) });
    expect(r.matchesEvidence).toBe(false);
    expect(r.deployedTemplateSha256).not.toBe(r.synthesizedTemplateSha256);
  });

  test('refuses inputs that are not what they should be, naming the tenant and which input', () => {
    expect(() => deploymentRecord({ ...base, deployed: '{ truncated' })).toThrow(/^tenant "acme": the deployed template is not valid JSON/);
    expect(() => deploymentRecord({ ...base, deployed: deployedSame, evidence: JSON.stringify({ tenant: 'other', status: 'PASS' }) })).toThrow('tenant "acme": the evidence report is for tenant "other"');
  });

  test('`cellkit delivery record` writes the record and exits 1 when the cell does not match its evidence', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-record-'));
    const write = (name: string, text: string) => (fs.writeFileSync(path.join(dir, name), text), path.join(dir, name));
    const args = ['bin/run-ts.js', 'bin/cellkit.ts', 'delivery', 'record', '--tenant', 'acme', '--account', '123456789012', '--region', 'eu-west-2', '--synthesized', write('s.json', synthesized), '--evidence', write('e.json', evidence), '--execution', 'exec-1'];
    const run = (deployed: string, out: string) => {
      try {
        return { code: 0, stdout: execFileSync(process.execPath, [...args, '--deployed', write('d.json', deployed), '--out', path.join(dir, out)], { cwd: REPO_ROOT, encoding: 'utf8', stdio: 'pipe' }) };
      } catch (e) {
        const err = e as { status: number; stdout: string };
        return { code: err.status, stdout: err.stdout };
      }
    };
    expect(run(deployedSame, 'ok.json')).toMatchObject({ code: 0, stdout: expect.stringContaining('matches the synthesized template; evidence PASS') });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'ok.json'), 'utf8')).matchesEvidence).toBe(true);
    expect(run(JSON.stringify({ Resources: {} }), 'bad.json')).toMatchObject({ code: 1, stdout: expect.stringContaining('DOES NOT match') });
  });
});
