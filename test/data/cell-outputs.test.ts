import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CellStack } from '../../lib/cell/cell-stack';
import { CellOutputs } from '../../lib/data/cell-outputs';
import { cellStack, nagFindings, teamTenant, tenant } from '../fixtures';

interface Built {
  readonly stack: CellStack;
  readonly template: Template;
  readonly outputs: CellOutputs;
  /** Every file of the synthesized cloud assembly, by path. */
  readonly files: ReadonlyMap<string, string>;
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

let built: Built[];
beforeAll(() => {
  built = [tenant(), teamTenant()].map((t) => {
    const stack = cellStack(t);
    const assembly = (stack.node.root as App).synth();
    const files = new Map(walk(assembly.directory).map((f) => [f, fs.readFileSync(f, 'utf8')]));
    return { stack, template: Template.fromStack(stack), outputs: stack.node.findChild('DataOutputs') as CellOutputs, files };
  });
});

const EXPECTED_PATHS = [
  'database/endpoint',
  'database/port',
  'database/name',
  'database/secret-arn',
  'database/security-group-id',
  'file-share/file-system-id',
  'file-share/management-dns-name',
  'file-share/svm-id',
  'file-share/svm-dns-name',
  'file-share/junction-path',
  'file-share/volume-id',
  'file-share/svm-admin-secret-arn',
  'file-share/fsx-admin-secret-arn',
  'file-share/security-group-id',
  'network/app-security-group-id',
];

describe.each([0, 1])('CellOutputs and the synthesized assembly (fixture %i)', (i) => {
  test('publishes every contract entry as an SSM String parameter under /cellkit/<tenant>/ and as a stack output', () => {
    const { stack, template, outputs } = built[i];
    expect(outputs.entries.map((e) => e.path)).toEqual(EXPECTED_PATHS);
    const outs = template.toJSON().Outputs;
    for (const entry of outputs.entries) {
      template.hasResourceProperties('AWS::SSM::Parameter', { Type: 'String', Name: `/cellkit/${stack.tenant.id}/${entry.path}`, Value: stack.resolve(entry.value) });
      expect(Object.values(outs)).toContainEqual(expect.objectContaining({ Value: stack.resolve(entry.value) }));
    }
  });

  test('values point at the right resources', () => {
    const { stack, outputs } = built[i];
    const value = (p: string) => stack.resolve(outputs.entries.find((e) => e.path === p)!.value);
    expect(value('database/endpoint')).toEqual({ 'Fn::GetAtt': ['DatabaseInstanceAA8A5FDE', 'Endpoint.Address'] });
    expect(value('database/port')).toBe('5433');
    expect(value('database/secret-arn')).toEqual(stack.resolve(stack.database.secret.secretArn));
    expect(value('file-share/file-system-id')).toEqual({ Ref: 'FileShareFileSystemF09730EB' });
    expect(JSON.stringify(value('file-share/svm-dns-name'))).toContain('FileShareStorageVirtualMachineB9483BBC');
    expect(value('file-share/security-group-id')).toEqual(stack.resolve(stack.fileShare.securityGroup.securityGroupId));
    expect(value('network/app-security-group-id')).toEqual(stack.resolve(stack.network.appSecurityGroup.securityGroupId));
  });

  test('the cloud assembly was written under the OS temp dir', () => {
    const [first] = built[i].files.keys();
    expect(first.startsWith(fs.realpathSync(os.tmpdir())) || first.startsWith(os.tmpdir())).toBe(true);
    expect([...built[i].files.keys()].some((f) => f.endsWith('.template.json'))).toBe(true);
  });

  test('no file of the assembly holds a secret value: passwords only by {{resolve:secretsmanager:...}}', () => {
    const { files } = built[i];
    let passwordProps = 0;
    for (const [file, text] of files) {
      expect([file, /"SecretString"\s*:/.test(text)]).toEqual([file, false]);
      if (!file.endsWith('.template.json')) continue;
      const visit = (node: unknown): void => {
        if (Array.isArray(node)) return node.forEach(visit);
        if (node === null || typeof node !== 'object') return;
        for (const [key, v] of Object.entries(node)) {
          // A literal SecretString (or SecretStringTemplate holding a password) would put the value in the template.
          expect(key).not.toBe('SecretString');
          if (key === 'SecretStringTemplate') expect(JSON.parse(String(v))).not.toHaveProperty('password');
          if (/Password$/.test(key)) {
            passwordProps++;
            expect([key, JSON.stringify(v)]).toEqual([key, expect.stringMatching(/^\{"Fn::Join":\["",\["\{\{resolve:secretsmanager:",\{"Ref":"[A-Za-z0-9]+"\},":SecretString:password::\}\}"\]\]\}$/)]);
          }
          visit(v);
        }
      };
      visit(JSON.parse(text));
    }
    // MasterUserPassword, FsxAdminPassword, SvmAdminPassword.
    expect(passwordProps).toBe(3);
  });

  test('all four nag packs pass on the outputs', () => {
    expect(nagFindings(built[i].outputs)).toEqual([]);
  });
});
