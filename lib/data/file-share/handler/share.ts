// What the custom resource does on ONTAP, idempotently: a workgroup CIFS server, one local user, one
// encrypted share of the git volume that only that user (and administrators) may use, NFS closed.
// Every endpoint used here is listed, with its reference page, in docs/file-share.md ("ONTAP calls").
import { OntapClient, enc } from './ontap';

/** What the share looks like; the custom resource's properties (set by the SmbShare construct). */
export interface ShareSpec {
  readonly svmName: string;
  readonly volumeName: string;
  readonly shareName: string;
  /** Junction path of the volume, the share's path. */
  readonly path: string;
  /** CIFS server (NetBIOS) name, also the local users' domain. */
  readonly cifsServerName: string;
  readonly workgroup: string;
  /** The company's local SMB user, without the domain. */
  readonly userName: string;
  /** When false, the volume gets an export policy without rules: no NFS client is admitted. */
  readonly nfsEnabled: boolean;
  readonly exportPolicyName: string;
}

/** The share as configured: no secret in it, returned to CloudFormation and logged. */
export interface ShareState {
  readonly svmUuid: string;
  readonly share: string;
  readonly encryption: boolean;
  readonly acl: string[];
  readonly exportPolicy: string;
  readonly created: string[];
}

/** Share-level access: the company user and the SVM's administrators, full control; nobody else. */
export const ADMINISTRATORS = 'BUILTIN\\Administrators';

export const qualifiedUser = (spec: Pick<ShareSpec, 'cifsServerName' | 'userName'>) => `${spec.cifsServerName}\\${spec.userName}`;

interface CifsService {
  name?: string;
  workgroup?: string;
  ad_domain?: { fqdn?: string };
  security?: { smb_encryption?: boolean; restrict_anonymous?: string };
}
interface LocalUser {
  sid: string;
  name: string;
  account_disabled?: boolean;
}
interface Acl {
  user_or_group: string;
  type: string;
  permission: string;
}

/** Refuses anonymous (null session) access and requires SMB 3 encryption for every session. */
const SECURITY = { smb_encryption: true, restrict_anonymous: 'no_access' } as const;

export async function configureShare(ontap: OntapClient, spec: ShareSpec, newUserPassword: () => Promise<string>): Promise<ShareState> {
  const created: string[] = [];
  const svmUuid = await findSvm(ontap, spec.svmName);
  const volume = (await ontap.list<{ uuid: string; nas?: { export_policy?: { name?: string } } }>(`/api/storage/volumes?svm.uuid=${svmUuid}&name=${enc(spec.volumeName)}&fields=nas.export_policy.name`))[0];
  if (!volume) throw new Error(`ONTAP has no volume "${spec.volumeName}" on SVM "${spec.svmName}"`);

  // 1. CIFS server in workgroup mode (no Active Directory).
  const cifs = (await ontap.list<CifsService>(`/api/protocols/cifs/services?svm.uuid=${svmUuid}&fields=name,workgroup,ad_domain,security`))[0];
  if (!cifs) {
    await ontap.change('POST', '/api/protocols/cifs/services', { svm: { uuid: svmUuid }, name: spec.cifsServerName, workgroup: spec.workgroup, enabled: true, security: SECURITY });
    created.push('cifs-server');
  } else {
    if (cifs.ad_domain?.fqdn || (cifs.name ?? '').toUpperCase() !== spec.cifsServerName.toUpperCase()) {
      throw new Error(`SVM "${spec.svmName}" already has CIFS server ${JSON.stringify(cifs.name)}${cifs.ad_domain?.fqdn ? ` in domain ${cifs.ad_domain.fqdn}` : ''}; cellkit expects workgroup server "${spec.cifsServerName}" and changes nothing it did not create`);
    }
    if (cifs.security?.smb_encryption !== true || cifs.security?.restrict_anonymous !== 'no_access') {
      await ontap.change('PATCH', `/api/protocols/cifs/services/${svmUuid}`, { security: SECURITY });
    }
  }
  // 2. SMB 1.0 off (ONTAP's CLI option, reached through the REST CLI passthrough) and no guest mapping.
  const options = `/api/private/cli/vserver/cifs/options?vserver=${enc(spec.svmName)}`;
  const current = (await ontap.list<{ smb1_enabled?: boolean; guest_unix_user?: string }>(`${options}&fields=smb1_enabled,guest_unix_user`))[0];
  if (current?.guest_unix_user) {
    throw new Error(`SVM "${spec.svmName}": CIFS option guest-unix-user is "${current.guest_unix_user}", which logs unknown users in as guests; remove it (vserver cifs options modify -guest-unix-user -)`);
  }
  if (current?.smb1_enabled !== false) await ontap.change('PATCH', options, { smb1_enabled: false });

  // 3. The company's local user; an existing user's password is never changed here (rotation does that).
  const user = qualifiedUser(spec);
  const existing = (await ontap.list<LocalUser>(`/api/protocols/cifs/local-users?svm.uuid=${svmUuid}&name=${enc(user)}&fields=sid,account_disabled`))[0];
  if (!existing) {
    await ontap.change('POST', '/api/protocols/cifs/local-users', {
      svm: { uuid: svmUuid },
      name: user,
      password: await newUserPassword(),
      full_name: 'cellkit git service',
      description: 'The company git service; password in Secrets Manager and Vault',
      account_disabled: false,
    });
    created.push('local-user');
  } else if (existing.account_disabled) {
    await ontap.change('PATCH', `/api/protocols/cifs/local-users/${svmUuid}/${enc(existing.sid)}`, { account_disabled: false });
  }

  // 4. The share, encrypted; then its ACL reduced to exactly the user and administrators.
  const shareUrl = `/api/protocols/cifs/shares/${svmUuid}/${enc(spec.shareName)}`;
  const share = (await ontap.list<{ path?: string; encryption?: boolean }>(`/api/protocols/cifs/shares?svm.uuid=${svmUuid}&name=${enc(spec.shareName)}&fields=path,encryption`))[0];
  const wanted: Acl[] = [user, ADMINISTRATORS].map((u) => ({ user_or_group: u, type: 'windows', permission: 'full_control' }));
  if (!share) {
    await ontap.change('POST', '/api/protocols/cifs/shares', { svm: { uuid: svmUuid }, name: spec.shareName, path: spec.path, encryption: true, acls: wanted });
    created.push('share');
  } else {
    if (share.path !== spec.path) throw new Error(`share "${spec.shareName}" exists with path ${JSON.stringify(share.path)}, expected ${spec.path}; cellkit does not move shares`);
    if (share.encryption !== true) await ontap.change('PATCH', shareUrl, { encryption: true });
  }
  // ONTAP adds "Everyone / Full Control" to every new share: remove every entry that is not wanted.
  const acls = await ontap.list<Acl>(`${shareUrl}/acls?fields=permission`);
  const same = (a: Acl, b: Acl) => a.user_or_group.toLowerCase() === b.user_or_group.toLowerCase() && a.type === b.type;
  for (const acl of acls) {
    if (!wanted.some((w) => same(w, acl) && w.permission === acl.permission)) await ontap.change('DELETE', `${shareUrl}/acls/${enc(acl.user_or_group)}/${enc(acl.type)}`);
  }
  for (const w of wanted) {
    if (!acls.some((a) => same(w, a) && a.permission === w.permission)) await ontap.change('POST', `${shareUrl}/acls`, w);
  }

  // 5. NFS: a policy without rules admits no client (ONTAP denies NFS access that no rule grants).
  let exportPolicy = volume.nas?.export_policy?.name ?? '(none)';
  if (!spec.nfsEnabled) {
    const policies = `/api/protocols/nfs/export-policies`;
    const policy = (await ontap.list<{ id: number; rules?: unknown[] }>(`${policies}?svm.uuid=${svmUuid}&name=${enc(spec.exportPolicyName)}&fields=rules`))[0];
    if (!policy) {
      await ontap.change('POST', policies, { name: spec.exportPolicyName, svm: { uuid: svmUuid } });
      created.push('export-policy');
    } else if ((policy.rules ?? []).length > 0) {
      throw new Error(`export policy "${spec.exportPolicyName}" has ${policy.rules!.length} rule(s); cellkit's closed policy must have none (remove them, or enable NFS in the tenant spec)`);
    }
    if (exportPolicy !== spec.exportPolicyName) await ontap.change('PATCH', `/api/storage/volumes/${volume.uuid}`, { nas: { export_policy: { name: spec.exportPolicyName } } });
    exportPolicy = spec.exportPolicyName;
  }
  return { svmUuid, share: spec.shareName, encryption: true, acl: wanted.map((w) => `${w.user_or_group}:${w.permission}`), exportPolicy, created };
}

/** Sets the local user's password (rotation's setSecret step). */
export async function setUserPassword(ontap: OntapClient, spec: Pick<ShareSpec, 'svmName' | 'cifsServerName' | 'userName'>, password: string): Promise<void> {
  const sid = await userSid(ontap, spec);
  await ontap.change('PATCH', `/api/protocols/cifs/local-users/${sid.svmUuid}/${enc(sid.sid)}`, { password });
}

/** The local user exists and is enabled (rotation's testSecret step; see docs/file-share.md for its limit). */
export async function checkUser(ontap: OntapClient, spec: Pick<ShareSpec, 'svmName' | 'cifsServerName' | 'userName'>): Promise<void> {
  const { disabled } = await userSid(ontap, spec);
  if (disabled) throw new Error(`local user ${qualifiedUser(spec)} is disabled`);
}

async function userSid(ontap: OntapClient, spec: Pick<ShareSpec, 'svmName' | 'cifsServerName' | 'userName'>): Promise<{ svmUuid: string; sid: string; disabled: boolean }> {
  const svmUuid = await findSvm(ontap, spec.svmName);
  const user = (await ontap.list<LocalUser>(`/api/protocols/cifs/local-users?svm.uuid=${svmUuid}&name=${enc(qualifiedUser(spec))}&fields=sid,account_disabled`))[0];
  if (!user) throw new Error(`ONTAP has no local user ${qualifiedUser(spec)} on SVM "${spec.svmName}"`);
  return { svmUuid, sid: user.sid, disabled: user.account_disabled === true };
}

async function findSvm(ontap: OntapClient, name: string): Promise<string> {
  const svm = (await ontap.list<{ uuid: string }>(`/api/svm/svms?name=${enc(name)}&fields=uuid`))[0];
  if (!svm) throw new Error(`ONTAP has no SVM named "${name}"`);
  return svm.uuid;
}
