// Evidence control: the SMB share opens only with the company user's password, and the file system is private and encrypted.
import { CellContext, Check, Control, isDynamicSecretRef } from '../control';
import { prop, showValue } from '../template-model';

export const fileShare: Control = {
  id: 'file-share',
  title: 'The file share is an SMB share that only a password-protected user can open (no guest, SMB 3 encryption, NFS closed), encrypted with the data key, reachable only from inside the cell',
  evaluate(ctx, c) {
    const m = ctx.model;
    smbShare(ctx, c);
    const systems = m.ofType('AWS::FSx::FileSystem');
    if (!c.require(systems.length === 1, `expected exactly one FSx file system, found ${systems.length}`)) return;
    const [id, fs] = systems[0];
    c.see(id, 'FileSystemType', prop(fs, 'Properties.FileSystemType'));
    c.see(id, 'OntapConfiguration.FsxAdminPassword', prop(fs, 'Properties.OntapConfiguration.FsxAdminPassword'));
    c.require(isDynamicSecretRef(prop(fs, 'Properties.OntapConfiguration.FsxAdminPassword')), 'the file system admin password is not a Secrets Manager dynamic reference');
    c.require(ctx.dataKey !== undefined && m.refersTo(prop(fs, 'Properties.KmsKeyId'), ctx.dataKey), "the file share is not encrypted with the cell's data key");
    const svms = m.ofType('AWS::FSx::StorageVirtualMachine');
    c.require(svms.length > 0, 'no storage virtual machine');
    for (const [svm, r] of svms) {
      c.see(svm, 'SvmAdminPassword', prop(r, 'Properties.SvmAdminPassword'));
      c.require(isDynamicSecretRef(prop(r, 'Properties.SvmAdminPassword')), `${svm}: the SVM admin password is not a Secrets Manager dynamic reference`);
    }
    const subnets = m.references(prop(fs, 'Properties.SubnetIds'));
    const publicOnes = subnets.filter((s) => ctx.publicSubnets.has(s));
    c.see(id, 'SubnetIds', subnets.join(', '));
    c.require(publicOnes.length === 0, `the file share is in public subnets: ${publicOnes.join(', ')}`);
    const groups = m.references(prop(fs, 'Properties.SecurityGroupIds'));
    c.require(groups.length > 0, 'the file share has no security group of the cell');
    for (const sg of groups) {
      const rules = ctx.ingressOf(sg);
      c.see(sg, 'ingress', rules.map((r) => `${r.IpProtocol}/${r.FromPort}-${r.ToPort} from ${showValue(r.SourceSecurityGroupId ?? r.CidrIp ?? r.CidrIpv6 ?? r.SourcePrefixListId)}`).join('; ') || '(none)');
      for (const r of rules) {
        c.require(r.SourceSecurityGroupId !== undefined && m.references(r.SourceSecurityGroupId).length > 0, `${sg} admits traffic from outside the cell's security groups: ${showValue(r)}`);
      }
    }
  },
};

const SMB_SHARE_TYPE = /^Custom::\w*SmbShare$/;
/** Share ACL principals that let someone in without the company user's password. */
const OPEN_PRINCIPALS = /^(everyone|guest|guests|builtin\\guests|nt authority\\anonymous logon|anonymous logon|nt authority\\authenticated users|authenticated users|.*\\guest)$/i;

/** The SMB share custom resource: wired to the SVM and a generated user secret; no guest, encryption required, NFS closed. */
function smbShare(ctx: CellContext, c: Check): void {
  const m = ctx.model;
  const shares = m.resources.filter(([, r]) => SMB_SHARE_TYPE.test(r.Type));
  if (!c.require(shares.length === 1, `expected one SMB share custom resource (Custom::CellkitSmbShare), found ${shares.length}: no password-protected SMB share is created`)) return;
  const [id, share] = shares[0];
  const p = (name: string) => prop(share, `Properties.${name}`);
  c.see(id, 'share', `\\\\<SVM SMB endpoint>\\${String(p('ShareName'))} = volume path ${String(p('Path'))} on SVM ${String(p('SvmName'))}`);
  c.see(id, 'ShareAcl', p('ShareAcl'));
  c.see(id, 'SmbEncryption / Smb1 / GuestAccess', `${showValue(p('SmbEncryption'))} / ${showValue(p('Smb1'))} / ${showValue(p('GuestAccess'))}`);
  c.see(id, 'NfsEnabled / ExportPolicyName', `${showValue(p('NfsEnabled'))} / ${showValue(p('ExportPolicyName'))}`);
  const fn = m.references(p('ServiceToken')).find((r) => m.get(r)?.Type === 'AWS::Lambda::Function');
  c.require(fn !== undefined, `${id}: its ServiceToken is not a Lambda function of this cell, so nothing configures the share`);
  const svm = m.references(p('StorageVirtualMachineId')).find((r) => m.get(r)?.Type === 'AWS::FSx::StorageVirtualMachine');
  c.require(svm !== undefined && prop(m.get(svm), 'Properties.Name') === p('SvmName'), `${id}: not wired to this cell's storage virtual machine`);
  const secretId = m.references(p('UserSecretArn')).find((r) => m.get(r)?.Type === 'AWS::SecretsManager::Secret');
  const secret = secretId ? m.get(secretId) : undefined;
  const generate = prop(secret, 'Properties.GenerateSecretString') as { GenerateStringKey?: string; SecretStringTemplate?: string } | undefined;
  c.see(secretId ?? '(none)', 'GenerateSecretString', generate);
  const generated = generate?.GenerateStringKey === 'password' && prop(secret, 'Properties.SecretString') === undefined && ctx.usesCellKey(prop(secret, 'Properties.KmsKeyId'));
  c.require(secret !== undefined && generated, `${id}: the SMB user's password is not a generated Secrets Manager secret encrypted with the cell's key`);
  const user = `${p('CifsServerName')}\\${p('UserName')}`.toLowerCase();
  const acl = String(p('ShareAcl') ?? '').split(',').filter(Boolean).map((e) => e.slice(0, e.lastIndexOf(':')));
  c.require(typeof p('UserName') === 'string' && acl.some((a) => a.toLowerCase() === user), `${id}: the share ACL does not grant the company's password-protected user ${user}`);
  const open = acl.filter((a) => OPEN_PRINCIPALS.test(a));
  c.require(open.length === 0, `${id}: guest access is possible: the share ACL grants ${open.join(', ')}`);
  c.require(p('GuestAccess') === 'refused', `${id}: guest access is possible: GuestAccess is ${showValue(p('GuestAccess'))}, not "refused"`);
  c.require(p('SmbEncryption') === 'required' && p('Smb1') === 'disabled', `${id}: SMB 3 encryption is not required or SMB1 is not disabled (SmbEncryption ${showValue(p('SmbEncryption'))}, Smb1 ${showValue(p('Smb1'))})`);
  c.require(p('NfsEnabled') === 'false' && typeof p('ExportPolicyName') === 'string' && p('ExportPolicyName') !== '', `${id}: NFS is open (NfsEnabled ${showValue(p('NfsEnabled'))}): NFS has no password`);
}
