// The evidence control "file-share" on a synthesized cell, and on copies of its template edited to break
// one promise each: no SMB share, no password-protected user, guest access possible, NFS open.
import { Template } from 'aws-cdk-lib/assertions';
import { SynthesizedCell } from '../../lib/evidence/cloud-assembly';
import { ControlResult, evaluate } from '../../lib/evidence/controls';
import { CfnTemplate } from '../../lib/evidence/template-model';
import { cellStack, tenant } from '../fixtures';

type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;
let base: CfnTemplate;
let cellMeta: SynthesizedCell['cell'];

beforeAll(() => {
  const stack = cellStack(tenant());
  base = Template.fromStack(stack).toJSON() as CfnTemplate;
  cellMeta = (base.Metadata as { cellkit: SynthesizedCell['cell'] }).cellkit;
});

function control(edit: (resources: Resources) => void = () => undefined): ControlResult {
  const template = JSON.parse(JSON.stringify(base)) as CfnTemplate & { Resources: Resources };
  edit(template.Resources);
  const cell: SynthesizedCell = { stackName: 'Cell-acme', account: '111111111111', region: cellMeta.pinnedRegion, templateFile: 'Cell-acme.template.json', template, cell: cellMeta };
  return evaluate(cell).find((c) => c.id === 'file-share')!;
}

const share = (r: Resources) => Object.values(r).find((x) => x.Type === 'Custom::CellkitSmbShare')!;

test('the synthesized cell passes, and the report shows the share, its ACL, encryption and NFS', () => {
  const result = control();
  expect(result.problems).toEqual([]);
  expect(result.status).toBe('PASS');
  const shown = Object.fromEntries(result.evidence.map((e) => [e.property, e.value]));
  expect(shown).toMatchObject({
    share: '\\\\<SVM SMB endpoint>\\git = volume path /git on SVM cellkit',
    ShareAcl: 'CELLKIT\\git-service:full_control,BUILTIN\\Administrators:full_control',
    'SmbEncryption / Smb1 / GuestAccess': '"required" / "disabled" / "refused"',
    'NfsEnabled / ExportPolicyName': '"false" / "cellkit-no-nfs"',
  });
});

test.each<[string, (r: Resources) => void, RegExp]>([
  [
    'no SMB share custom resource',
    (r) => {
      for (const [id, x] of Object.entries(r)) if (x.Type === 'Custom::CellkitSmbShare') delete r[id];
    },
    /expected one SMB share custom resource \(Custom::CellkitSmbShare\), found 0: no password-protected SMB share is created/,
  ],
  ['the user password written into the template', (r) => {
    const secret = r[share(r).Properties!.UserSecretArn.Ref];
    delete secret.Properties!.GenerateSecretString;
    secret.Properties!.SecretString = '{"username":"git","password":"hunter2"}';
  }, /the SMB user's password is not a generated Secrets Manager secret encrypted with the cell's key/],
  ['the user secret not from this cell', (r) => void (share(r).Properties!.UserSecretArn = 'arn:aws:secretsmanager:eu-central-1:111111111111:secret:elsewhere'), /the SMB user's password is not a generated Secrets Manager secret/],
  ['the ACL without the company user', (r) => void (share(r).Properties!.ShareAcl = 'BUILTIN\\Administrators:full_control'), /the share ACL does not grant the company's password-protected user cellkit\\git-service/],
  ['Everyone in the share ACL', (r) => void (share(r).Properties!.ShareAcl += ',Everyone:read'), /guest access is possible: the share ACL grants Everyone/],
  ['the local Guest account in the share ACL', (r) => void (share(r).Properties!.ShareAcl += ',CELLKIT\\Guest:read'), /guest access is possible: the share ACL grants CELLKIT\\Guest/],
  ['guest access not refused', (r) => void (share(r).Properties!.GuestAccess = 'allowed'), /guest access is possible: GuestAccess is "allowed"/],
  ['encryption not required', (r) => void (share(r).Properties!.SmbEncryption = 'optional'), /SMB 3 encryption is not required or SMB1 is not disabled/],
  ['SMB1 enabled', (r) => void (share(r).Properties!.Smb1 = 'enabled'), /SMB1 is not disabled/],
  ['NFS enabled', (r) => void (share(r).Properties!.NfsEnabled = 'true'), /NFS is open \(NfsEnabled "true"\): NFS has no password/],
  ['no export policy', (r) => void delete share(r).Properties!.ExportPolicyName, /NFS is open/],
  ['not wired to the SVM', (r) => void (share(r).Properties!.StorageVirtualMachineId = 'svm-0123456789abcdef0'), /not wired to this cell's storage virtual machine/],
  ['not run by a Lambda of the cell', (r) => void (share(r).Properties!.ServiceToken = 'arn:aws:lambda:eu-central-1:111111111111:function:x'), /its ServiceToken is not a Lambda function of this cell/],
])('%s -> file-share FAILS', (_name, edit, problem) => {
  const result = control(edit);
  expect(result.status).toBe('FAIL');
  expect(result.problems.join('\n')).toMatch(problem);
});
