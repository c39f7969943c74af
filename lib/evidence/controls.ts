// The written promises, each checked against one synthesized cell template.
import { SynthesizedCell } from './cloud-assembly';
import { DELETION_PROTECTION_TYPE } from '../rollback/deletion-protection-type';
import { ALLOWED_REGION_COUNT } from '../registry/regions';
import { RETENTION_DAYS } from '../data/retention-days';
import { isKnownType } from './resource-types';
import { CfnResource, TemplateModel, prop, showValue } from './template-model';

export type Status = 'PASS' | 'FAIL';

/** One fact read from the template: which resource, which property, what value. */
export interface Evidence {
  readonly resource: string;
  readonly property: string;
  readonly value: string;
}

export interface ControlResult {
  readonly id: string;
  readonly title: string;
  readonly status: Status;
  readonly evidence: readonly Evidence[];
  readonly problems: readonly string[];
}

/** What a control sees: the template plus the facts every control needs. */
export class CellContext {
  readonly model: TemplateModel;
  readonly dataKey?: string;
  readonly sealKey?: string;
  /** Every KMS key defined in the cell's own template. */
  readonly cellKeys: readonly string[];

  constructor(readonly cell: SynthesizedCell) {
    this.model = new TemplateModel(cell.template);
    this.cellKeys = this.model.ofType('AWS::KMS::Key').map(([id]) => id);
    this.dataKey = this.keyForAlias(`alias/cellkit/${cell.cell.tenant}/data`);
    this.sealKey = this.keyForAlias(`alias/cellkit/${cell.cell.tenant}/seal`);
  }

  private keyForAlias(name: string): string | undefined {
    const alias = this.model.ofType('AWS::KMS::Alias').find(([, r]) => prop(r, 'Properties.AliasName') === name);
    return alias ? this.model.references(prop(alias[1], 'Properties.TargetKeyId')).find((id) => this.cellKeys.includes(id)) : undefined;
  }

  /** True when `value` points at one of the cell's own KMS keys. */
  usesCellKey(value: unknown): boolean {
    return this.model.references(value).some((id) => this.cellKeys.includes(id));
  }

  /** Subnets with a route to an internet gateway, or that hand out public IPs. */
  get publicSubnets(): Set<string> {
    this.publicSubnetIds ??= this.findPublicSubnets();
    return this.publicSubnetIds;
  }

  private publicSubnetIds?: Set<string>;

  private findPublicSubnets(): Set<string> {
    const m = this.model;
    const igwTables = new Set(
      m.ofType('AWS::EC2::Route').filter(([, r]) => prop(r, 'Properties.GatewayId') !== undefined).flatMap(([, r]) => m.references(prop(r, 'Properties.RouteTableId'))),
    );
    const result = new Set<string>();
    for (const [, assoc] of m.ofType('AWS::EC2::SubnetRouteTableAssociation')) {
      if (m.references(prop(assoc, 'Properties.RouteTableId')).some((t) => igwTables.has(t))) m.references(prop(assoc, 'Properties.SubnetId')).forEach((s) => result.add(s));
    }
    for (const [id, subnet] of m.ofType('AWS::EC2::Subnet')) if (prop(subnet, 'Properties.MapPublicIpOnLaunch') === true) result.add(id);
    return result;
  }

  /** Ingress rules of a security group: inline ones and separate AWS::EC2::SecurityGroupIngress resources. */
  ingressOf(sg: string): Record<string, unknown>[] {
    const inline = (prop(this.model.get(sg), 'Properties.SecurityGroupIngress') as Record<string, unknown>[] | undefined) ?? [];
    const separate = this.model
      .ofType('AWS::EC2::SecurityGroupIngress')
      .filter(([, r]) => this.model.refersTo(prop(r, 'Properties.GroupId'), sg))
      .map(([, r]) => r.Properties ?? {});
    return [...inline, ...separate];
  }
}

/** Collects evidence and problems for one control. */
class Check {
  readonly evidence: Evidence[] = [];
  readonly problems: string[] = [];
  see(resource: string, property: string, value: unknown): void {
    this.evidence.push({ resource, property, value: typeof value === 'string' ? value : showValue(value) });
  }
  require(ok: boolean, problem: string): boolean {
    if (!ok) this.problems.push(problem);
    return ok;
  }
}

export interface Control {
  readonly id: string;
  readonly title: string;
  evaluate(ctx: CellContext, check: Check): void;
}

const DYNAMIC_SECRET = '{{resolve:secretsmanager:';
const isDynamicSecretRef = (v: unknown) => JSON.stringify(v ?? '').includes(DYNAMIC_SECRET);

/** Resource types that hold data or keys: never deleted by a stack delete or replacement. */
export const STATEFUL_TYPES = [
  'AWS::KMS::Key',
  'AWS::RDS::DBInstance',
  'AWS::FSx::FileSystem',
  'AWS::FSx::Volume',
  'AWS::Backup::BackupVault',
  'AWS::S3::Bucket',
  'AWS::Logs::LogGroup',
  'AWS::EC2::Volume',
];

const GUARD_TYPE = /^Custom::\w*RegionGuard$/;

export const CONTROLS: readonly Control[] = [
  {
    id: 'region-pinned',
    title: `The cell's region is one of the ${ALLOWED_REGION_COUNT} allowed regions of regions.json and equals its pin`,
    evaluate(ctx, c) {
      const { cell } = ctx;
      c.see('(stack)', 'deploy environment (cdk.out manifest)', `aws://${cell.account}/${cell.region}`);
      c.see('(template)', 'Metadata.cellkit.pinnedRegion', `${cell.cell.pinnedRegion} (pinned ${cell.cell.pinnedAt})`);
      c.see('(template)', 'Metadata.cellkit.allowedRegions', cell.cell.allowedRegions.join(', '));
      c.require(cell.cell.allowedRegions.length === ALLOWED_REGION_COUNT, `the allowed region list has ${cell.cell.allowedRegions.length} entries, not ${ALLOWED_REGION_COUNT}`);
      c.require(cell.cell.allowedRegions.includes(cell.region), `deploy region ${cell.region} is not one of the allowed regions`);
      c.require(cell.region === cell.cell.pinnedRegion, `deploy region ${cell.region} differs from the pin ${cell.cell.pinnedRegion}`);
      for (const [id, subnet] of ctx.model.ofType('AWS::EC2::Subnet')) {
        const az = prop(subnet, 'Properties.AvailabilityZone');
        c.require(typeof az === 'string' && az.startsWith(cell.cell.pinnedRegion), `subnet ${id} is in ${showValue(az)}, outside ${cell.cell.pinnedRegion}`);
      }
    },
  },
  {
    id: 'own-database',
    title: 'The company has its own PostgreSQL database, encrypted with its own key, TLS enforced, in isolated subnets',
    evaluate(ctx, c) {
      const dbs = ctx.model.ofType('AWS::RDS::DBInstance');
      if (!c.require(dbs.length === 1, `expected exactly one RDS instance, found ${dbs.length}`)) return;
      const [id, db] = dbs[0];
      c.see(id, 'Engine', prop(db, 'Properties.Engine'));
      c.see(id, 'StorageEncrypted', prop(db, 'Properties.StorageEncrypted'));
      c.see(id, 'KmsKeyId', prop(db, 'Properties.KmsKeyId'));
      c.require(prop(db, 'Properties.Engine') === 'postgres', 'the database engine is not postgres');
      c.require(prop(db, 'Properties.StorageEncrypted') === true, 'storage encryption is off');
      c.require(ctx.dataKey !== undefined && ctx.model.refersTo(prop(db, 'Properties.KmsKeyId'), ctx.dataKey), "storage is not encrypted with the cell's data key");
      c.require(prop(db, 'Properties.PubliclyAccessible') !== true, 'the database is publicly accessible');
      const pg = ctx.model.references(prop(db, 'Properties.DBParameterGroupName'))[0];
      const ssl = prop(ctx.model.get(pg), 'Properties.Parameters') as Record<string, unknown> | undefined;
      c.see(pg ?? '(none)', "Parameters['rds.force_ssl']", ssl?.['rds.force_ssl']);
      c.require(String(ssl?.['rds.force_ssl']) === '1', 'TLS is not enforced (rds.force_ssl is not 1)');
      const group = ctx.model.references(prop(db, 'Properties.DBSubnetGroupName'))[0];
      const subnets = ctx.model.references(prop(ctx.model.get(group), 'Properties.SubnetIds'));
      c.see(group ?? '(none)', 'SubnetIds', subnets.join(', '));
      const publicOnes = subnets.filter((s) => ctx.publicSubnets.has(s));
      c.require(subnets.length > 0 && publicOnes.length === 0, `the database subnet group includes public subnets: ${publicOnes.join(', ') || '(no subnets)'}`);
    },
  },
  {
    id: 'database-credentials',
    title: 'Database credentials are generated, unique to the company, never in plain text, and held by Vault',
    evaluate(ctx, c) {
      const [id, db] = ctx.model.ofType('AWS::RDS::DBInstance')[0] ?? [];
      if (!c.require(db !== undefined, 'no database in the template')) return;
      const user = prop(db, 'Properties.MasterUsername');
      const password = prop(db, 'Properties.MasterUserPassword');
      c.see(id, 'MasterUsername', user);
      c.see(id, 'MasterUserPassword', password);
      c.require(isDynamicSecretRef(password), 'the master password is not a Secrets Manager dynamic reference');
      const secretId = ctx.model.references(password).find((r) => ctx.model.get(r)?.Type === 'AWS::SecretsManager::Secret');
      const secret = secretId ? ctx.model.get(secretId) : undefined;
      if (!c.require(secret !== undefined, 'the password does not come from a secret in this cell')) return;
      const generate = prop(secret, 'Properties.GenerateSecretString') as { SecretStringTemplate?: string; GenerateStringKey?: string } | undefined;
      c.see(secretId!, 'GenerateSecretString', generate);
      c.see(secretId!, 'KmsKeyId', prop(secret, 'Properties.KmsKeyId'));
      c.require(generate?.GenerateStringKey === 'password' && prop(secret, 'Properties.SecretString') === undefined, 'the password is not generated by Secrets Manager');
      c.require(ctx.usesCellKey(prop(secret, 'Properties.KmsKeyId')), "the secret is not encrypted with the cell's key");
      const username = (JSON.parse(generate?.SecretStringTemplate ?? '{}') as { username?: string }).username ?? '';
      c.require(/^cellkit_[a-z0-9]{8}$/.test(username) && (user === username || isDynamicSecretRef(user)), `the username ${JSON.stringify(username)} does not carry the company's random suffix, or differs from the database's`);
      // The Vault bootstrap (custom resource) configures the database secrets engine with this secret, then rotate-root.
      // Directly, or through the secret's attachment to the instance (whose Ref is the same secret ARN).
      const isMasterSecret = (id: string) => id === secretId || (ctx.model.get(id)?.Type === 'AWS::SecretsManager::SecretTargetAttachment' && ctx.model.refersTo(prop(ctx.model.get(id), 'Properties.SecretId'), secretId!));
      const vault = ctx.model.ofType('Custom::CellkitVaultBootstrap').find(([, r]) => ctx.model.references(prop(r, 'Properties.Database.MasterSecretArn')).some(isMasterSecret));
      c.see(vault?.[0] ?? '(none)', 'Database.MasterSecretArn', vault ? 'handed to the Vault bootstrap: database secrets engine, then rotate-root' : '(absent)');
      c.require(vault !== undefined, 'no Vault bootstrap hands the credentials to Vault (database secrets engine + rotate-root)');
    },
  },
  {
    id: 'vault-seal',
    title: 'Vault is sealed with a KMS key rotated every 365 days, usable only by Vault',
    evaluate(ctx, c) {
      const key = ctx.sealKey;
      if (!c.require(key !== undefined, `no seal key (alias/cellkit/${ctx.cell.cell.tenant}/seal) in the template`)) return;
      const k = ctx.model.get(key!);
      c.see(key!, 'EnableKeyRotation', prop(k, 'Properties.EnableKeyRotation'));
      c.see(key!, 'RotationPeriodInDays', prop(k, 'Properties.RotationPeriodInDays'));
      c.see(key!, 'DeletionPolicy', k?.DeletionPolicy);
      c.require(prop(k, 'Properties.EnableKeyRotation') === true, 'seal key rotation is off');
      c.require(prop(k, 'Properties.RotationPeriodInDays') === 365, `seal key rotation period is ${showValue(prop(k, 'Properties.RotationPeriodInDays'))} days, not 365`);
      c.require(k?.DeletionPolicy === 'Retain' || k?.DeletionPolicy === 'RetainExceptOnCreate', 'the seal key is not retained on stack delete');
      const sealConfig = ctx.model.resources.find(([id, r]) => id !== key && JSON.stringify(r.Properties ?? {}).includes('awskms') && ctx.model.refersTo(r.Properties, key!));
      c.see(sealConfig?.[0] ?? '(none)', 'Vault seal', sealConfig ? 'seal "awskms" with this key' : '(absent)');
      c.require(sealConfig !== undefined, 'no Vault configuration seals with this key (seal "awskms")');
      const grants = policyStatementsOn(ctx, key!);
      const actions = [...new Set(grants.flatMap((s) => ([] as string[]).concat(s.Action as string | string[])))].sort();
      c.see('(IAM policies)', `actions on ${key}`, actions.join(', ') || '(none)');
      c.require(actions.join(',') === 'kms:Decrypt,kms:DescribeKey,kms:Encrypt', `IAM grants on the seal key are [${actions.join(', ')}], not exactly kms:Encrypt, kms:Decrypt, kms:DescribeKey`);
    },
  },
  {
    id: 'encryption-at-rest',
    title: "All data at rest (database, file share, volumes, logs, backups, snapshots, secrets) uses the cell's keys",
    evaluate(ctx, c) {
      const check = (id: string, property: string, value: unknown, extra = true) => {
        c.see(id, property, value);
        c.require(extra && ctx.usesCellKey(value), `${id}: ${property} does not use one of the cell's KMS keys`);
      };
      const m = ctx.model;
      for (const [id, r] of m.ofType('AWS::RDS::DBInstance')) {
        check(id, 'KmsKeyId', prop(r, 'Properties.KmsKeyId'), prop(r, 'Properties.StorageEncrypted') === true);
        if (prop(r, 'Properties.EnablePerformanceInsights') === true) check(id, 'PerformanceInsightsKMSKeyId', prop(r, 'Properties.PerformanceInsightsKMSKeyId'));
      }
      for (const [id, r] of m.ofType('AWS::FSx::FileSystem')) check(id, 'KmsKeyId', prop(r, 'Properties.KmsKeyId'));
      for (const [id, r] of m.ofType('AWS::Logs::LogGroup')) check(id, 'KmsKeyId', prop(r, 'Properties.KmsKeyId'));
      for (const [id, r] of m.ofType('AWS::Backup::BackupVault')) check(id, 'EncryptionKeyArn', prop(r, 'Properties.EncryptionKeyArn'));
      for (const [id, r] of m.ofType('AWS::SecretsManager::Secret')) check(id, 'KmsKeyId', prop(r, 'Properties.KmsKeyId'));
      for (const [id, r] of m.ofType('AWS::EC2::Volume')) check(id, 'KmsKeyId', prop(r, 'Properties.KmsKeyId'), prop(r, 'Properties.Encrypted') === true);
      for (const [id, r] of m.ofType('AWS::SQS::Queue')) check(id, 'KmsMasterKeyId', prop(r, 'Properties.KmsMasterKeyId'));
      for (const [id, r] of m.ofType('AWS::S3::Bucket')) {
        const rules = (prop(r, 'Properties.BucketEncryption.ServerSideEncryptionConfiguration') as { ServerSideEncryptionByDefault?: { SSEAlgorithm?: string; KMSMasterKeyID?: unknown } }[] | undefined) ?? [];
        const sse = rules[0]?.ServerSideEncryptionByDefault;
        check(id, 'BucketEncryption', sse, sse?.SSEAlgorithm === 'aws:kms');
      }
      for (const [id, r] of m.ofType('AWS::EC2::LaunchTemplate')) {
        const mappings = (prop(r, 'Properties.LaunchTemplateData.BlockDeviceMappings') as { DeviceName?: string; Ebs?: { Encrypted?: boolean; KmsKeyId?: unknown } }[] | undefined) ?? [];
        c.require(mappings.length > 0, `${id}: launch template maps no volumes explicitly, so they may be unencrypted`);
        for (const bd of mappings) check(id, `BlockDeviceMappings[${bd.DeviceName}].Ebs.KmsKeyId`, bd.Ebs?.KmsKeyId, bd.Ebs?.Encrypted === true);
      }
      for (const [id, r] of m.ofType('AWS::FSx::Volume')) {
        // ONTAP volumes are encrypted with their file system's key: follow the volume to its SVM, then its file system.
        const svm = m.references(prop(r, 'Properties.OntapConfiguration.StorageVirtualMachineId'))[0];
        const fileSystem = m.references(prop(m.get(svm), 'Properties.FileSystemId'))[0];
        check(id, 'file system KmsKeyId (via its storage virtual machine)', prop(m.get(fileSystem), 'Properties.KmsKeyId'), fileSystem !== undefined);
      }
      for (const [id, r] of m.resources.filter(([, x]) => !isKnownType(x.Type))) {
        c.see(id, 'Type', r.Type);
        c.require(false, `${id}: resource type ${r.Type} is not known to this control, so whether it stores data unencrypted is unchecked; classify it in lib/evidence/resource-types.ts`);
      }
    },
  },
  {
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
  },
  {
    id: 'retention-90-days',
    title: `Deleted data is kept ${RETENTION_DAYS} days, and no stateful resource can be destroyed by a stack delete`,
    evaluate(ctx, c) {
      const m = ctx.model;
      const plans = m.ofType('AWS::Backup::BackupPlan');
      const rules = plans.flatMap(([id, p]) => ((prop(p, 'Properties.BackupPlan.BackupPlanRule') as { RuleName?: string; Lifecycle?: { DeleteAfterDays?: number } }[] | undefined) ?? []).map((r) => ({ id, r })));
      for (const { id, r } of rules) c.see(id, `rule ${r.RuleName}: Lifecycle.DeleteAfterDays`, r.Lifecycle?.DeleteAfterDays);
      c.require(rules.length > 0, 'no AWS Backup plan rule');
      c.require(rules.every(({ r }) => r.Lifecycle?.DeleteAfterDays === RETENTION_DAYS), `backup rules must keep recovery points ${RETENTION_DAYS} days`);
      const selected = m.ofType('AWS::Backup::BackupSelection').flatMap(([, s]) => m.references(prop(s, 'Properties.BackupSelection.Resources')));
      for (const type of ['AWS::RDS::DBInstance', 'AWS::FSx::FileSystem']) {
        const ids = m.ofType(type).map(([id]) => id);
        const volumes = type === 'AWS::FSx::FileSystem' ? m.ofType('AWS::FSx::Volume').map(([id]) => id) : [];
        const covered = ids.length > 0 && (ids.some((id) => selected.includes(id)) || volumes.some((v) => selected.includes(v)));
        c.see('(backup selection)', type, covered ? 'backed up daily' : 'not selected');
        c.require(covered, `${type} is not in a backup selection`);
      }
      for (const [id, fs] of m.ofType('AWS::FSx::FileSystem')) {
        const days = prop(fs, 'Properties.OntapConfiguration.AutomaticBackupRetentionDays');
        c.see(id, 'AutomaticBackupRetentionDays', days);
        c.require(days === RETENTION_DAYS, `${id}: automatic backups are kept ${showValue(days)} days, not ${RETENTION_DAYS}`);
      }
      for (const [id, b] of m.ofType('AWS::S3::Bucket')) {
        const lifecycle = (prop(b, 'Properties.LifecycleConfiguration.Rules') as { Status?: string; ExpirationInDays?: number; NoncurrentVersionExpiration?: { NoncurrentDays?: number } }[] | undefined) ?? [];
        const ok = lifecycle.some((r) => r.Status === 'Enabled' && r.ExpirationInDays === RETENTION_DAYS);
        c.see(id, 'LifecycleConfiguration', lifecycle);
        c.require(ok, `${id}: objects do not expire after ${RETENTION_DAYS} days`);
      }
      for (const [id, db] of m.ofType('AWS::RDS::DBInstance')) {
        // Either in the template, or turned on right after create by a custom resource that only a create
        // rollback deletes (docs/deploy-rollback.md): that keeps a failed first deploy retryable.
        const after = m.ofType(DELETION_PROTECTION_TYPE).find(([, r]) => r.DeletionPolicy === 'RetainExceptOnCreate' && m.refersTo(prop(r, 'Properties.Create'), id) && JSON.stringify(prop(r, 'Properties.Create')).includes('\\"DeletionProtection\\":true'));
        c.see(id, 'DeletionProtection', prop(db, 'Properties.DeletionProtection') ?? (after ? `on after create (${after[0]})` : undefined));
        c.require(prop(db, 'Properties.DeletionProtection') === true || after !== undefined, `${id}: deletion protection is off`);
      }
      for (const [id, r] of m.resources.filter(([, x]) => STATEFUL_TYPES.includes(x.Type))) {
        const keep = (p: string | undefined) => p === 'Retain' || p === 'Snapshot' || p === 'RetainExceptOnCreate';
        c.see(id, `${r.Type} DeletionPolicy/UpdateReplacePolicy`, `${r.DeletionPolicy ?? '(Delete)'}/${r.UpdateReplacePolicy ?? '(Delete)'}`);
        c.require(keep(r.DeletionPolicy) && keep(r.UpdateReplacePolicy), `${id} (${r.Type}) would be destroyed: DeletionPolicy ${r.DeletionPolicy ?? 'Delete'}, UpdateReplacePolicy ${r.UpdateReplacePolicy ?? 'Delete'}`);
      }
    },
  },
  {
    id: 'region-guard',
    title: 'The deploy-time region guard is present and runs before anything else is created',
    evaluate(ctx, c) {
      const m = ctx.model;
      const guards = m.resources.filter(([, r]) => GUARD_TYPE.test(r.Type));
      if (!c.require(guards.length === 1, `expected one region guard custom resource, found ${guards.length}`)) return;
      const [guard, resource] = guards[0];
      c.see(guard, 'Properties', { ...(resource.Properties ?? {}), ServiceToken: undefined });
      // The guard's own resources are what it depends on (transitively); everything else must wait for it.
      const own = new Set<string>([guard]);
      const visit = (id: string) => {
        const r = m.get(id);
        for (const d of [...m.dependsOn(id), ...m.references(r?.Properties)]) if (!own.has(d) && m.get(d)) (own.add(d), visit(d));
      };
      visit(guard);
      const waiting = m.resources.filter(([id, r]) => !own.has(id) && r.Type !== 'AWS::CDK::Metadata');
      const early = waiting.filter(([id]) => !m.dependsOn(id).includes(guard)).map(([id]) => id);
      c.see(guard, 'resources that wait for it', `${waiting.length - early.length} of ${waiting.length} (its own ${own.size - 1} excluded)`);
      c.require(early.length === 0, `${early.length} resources do not wait for the guard: ${early.slice(0, 5).join(', ')}${early.length > 5 ? ', ...' : ''}`);
    },
  },
];

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

function policyStatementsOn(ctx: CellContext, key: string): Record<string, unknown>[] {
  const m = ctx.model;
  return [...m.ofType('AWS::IAM::Policy'), ...m.ofType('AWS::IAM::ManagedPolicy'), ...m.ofType('AWS::IAM::Role')].flatMap(([, r]: [string, CfnResource]) => {
    const docs = [prop(r, 'Properties.PolicyDocument'), ...(((prop(r, 'Properties.Policies') as { PolicyDocument: unknown }[] | undefined) ?? []).map((p) => p.PolicyDocument))];
    return docs.flatMap((d) => ((d as { Statement?: Record<string, unknown>[] } | undefined)?.Statement ?? []).filter((s) => m.refersTo(s.Resource, key)));
  });
}

export function evaluate(cell: SynthesizedCell): ControlResult[] {
  const ctx = new CellContext(cell);
  return CONTROLS.map((control) => {
    const check = new Check();
    try {
      control.evaluate(ctx, check);
    } catch (e) {
      check.require(false, `the control could not read the template: ${(e as Error).message}`);
    }
    return { id: control.id, title: control.title, status: check.problems.length ? 'FAIL' : 'PASS', evidence: check.evidence, problems: check.problems };
  });
}
