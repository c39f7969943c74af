import { CfnDeletionPolicy, Duration, Fn, RemovalPolicy, Size, SizeRoundingBehavior, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { FileShareAdmin, fileShareAdminSecretName } from '../cell/secret-names';
import { CELL_SIZING } from '../cell/sizing';
import { Sizing } from '../registry/tenant-spec';
import { SECRET_ROTATION_RULES } from '../compliance/nag-packs';
import { keyWithoutGrants } from '../keys/key-without-grants';
import { SmbShare } from './file-share/smb-share';
import { RETENTION_DAYS } from './retention-days';

/**
 * One deployment type for every sizing: FSx replaces a file system whose deployment type changes.
 * MULTI_AZ_1 keeps the share up through an AZ outage.
 */
export const FILE_SHARE_DEPLOYMENT_TYPE = 'MULTI_AZ_1';


/** MULTI_AZ_1 throughput tiers (MBps). */
const MULTI_AZ_1_THROUGHPUTS = [128, 256, 512, 1024, 2048, 4096];

/**
 * Ports admitted from clients: SMB (authenticated by user and password) and the SVM's ONTAP
 * REST API (authenticated by the vsadmin password). No NFS (AUTH_SYS trusts the client's claimed
 * uid: no password), no iSCSI, no SSH.
 */
export const FILE_SHARE_PORTS: ReadonlyArray<{ readonly port: ec2.Port; readonly description: string }> = [
  { port: ec2.Port.tcp(445), description: 'SMB' },
  { port: ec2.Port.tcp(443), description: 'ONTAP REST API (SVM management)' },
];

export const FILE_SHARE_BACKUP_DAYS = RETENTION_DAYS;
/** FSx keeps automatic backups at most this long. */
const MAX_FSX_BACKUP_DAYS = 90;

export interface CellFileShareProps {
  /** Tenant id: names the secrets (lib/cell/secret-names.ts). */
  readonly tenantId: string;
  readonly sizing: Sizing;
  readonly vpc: ec2.IVpc;
  /** The isolated data subnets; the file servers go into the first two. */
  readonly subnets: ec2.SubnetSelection;
  /** Subnets of the clients: FSx adds routes to the floating Multi-AZ endpoints in their route tables. */
  readonly clientSubnets: ec2.SubnetSelection;
  /** Encrypts the file system, its backups and the admin password secrets. */
  readonly encryptionKey: kms.IKey;
  /**
   * SSD capacity, whole GiB from 1024 to 196608; it can grow in place but never shrink.
   * @default Size.gibibytes(1024)
   */
  readonly storageCapacity?: Size;
  /**
   * How long FSx keeps automatic daily backups, whole days from 1 to 90.
   * @default Duration.days(RETENTION_DAYS), lib/data/retention-days.ts
   */
  readonly backupRetention?: Duration;
  /**
   * Daily automatic backup start, `HH:MM` UTC.
   * @default '01:00'
   */
  readonly dailyBackupStartTime?: string;
  /**
   * Size of the git volume (thin-provisioned), whole MiB from 20 to the SSD capacity.
   * @default Size.gibibytes(100)
   */
  readonly volumeSize?: Size;
  /** The Secrets Manager interface endpoint: the share's configuring Lambda reads its secrets through it. */
  readonly endpoints: ec2.IConnectable;
  /**
   * Leave NFS access to the volume's existing export policy.
   * @default false - NFS closed: the volume gets an export policy without rules
   */
  readonly nfs?: boolean;
}

/**
 * The company's file share for git working copies: FSx for NetApp ONTAP (Multi-AZ), one storage
 * virtual machine and one volume, password-protected admins, encrypted with the data key,
 * backed up daily for RETENTION_DAYS and retained when the stack is deleted. The volume is served as a
 * password-protected SMB share created at deploy time (`SmbShare`, docs/file-share.md).
 */
export class CellFileShare extends Construct implements ec2.IConnectable {
  readonly fileSystem: fsx.CfnFileSystem;
  readonly storageVirtualMachine: fsx.CfnStorageVirtualMachine;
  readonly volume: fsx.CfnVolume;
  /** Admits nothing until `allowFrom` adds a client. */
  readonly securityGroup: ec2.SecurityGroup;
  readonly connections: ec2.Connections;
  /** `fsxadmin`: ONTAP administrator of the whole file system. */
  readonly fsxAdminSecret: secretsmanager.Secret;
  /** `vsadmin`: administrator of the storage virtual machine (creates SMB users and shares). */
  readonly svmAdminSecret: secretsmanager.Secret;
  /** Where the volume is mounted in the SVM's namespace (the SMB share path). */
  readonly junctionPath = '/git';
  /** File system management endpoint (ONTAP CLI/REST as fsxadmin). */
  readonly managementDnsName: string;
  /** SVM endpoint for SMB and SVM management (vsadmin). */
  readonly svmDnsName: string;
  /** The password-protected SMB share of the git volume and its user's secret. */
  readonly smbShare: SmbShare;

  constructor(scope: Construct, id: string, props: CellFileShareProps) {
    super(scope, id);
    const what = `CellFileShare for tenant "${props.tenantId}"`;
    const storageCapacity = wholeUnits(props.storageCapacity ?? Size.gibibytes(1024), 'GiB');
    const backupDays = (props.backupRetention ?? Duration.days(FILE_SHARE_BACKUP_DAYS)).toDays({ integral: false });
    const backupStart = props.dailyBackupStartTime ?? '01:00';
    const volumeSizeMiB = wholeUnits(props.volumeSize ?? Size.gibibytes(100), 'MiB');
    // Only throughput changes with sizing (lib/cell/sizing.ts); SSD capacity can only grow, so it is one value.
    const throughput = CELL_SIZING[props.sizing].fileShare.throughputMBps;
    if (!Number.isInteger(storageCapacity) || storageCapacity < 1024 || storageCapacity > 196608) {
      throw new Error(`${what}: storageCapacity must be whole GiB from 1024 to 196608 (FSx for ONTAP SSD limits); got ${storageCapacity} GiB`);
    }
    if (!Number.isInteger(backupDays) || backupDays < 1 || backupDays > MAX_FSX_BACKUP_DAYS) {
      throw new Error(`${what}: backupRetention must be whole days from 1 to ${MAX_FSX_BACKUP_DAYS} (0 would disable backups); got ${backupDays} days`);
    }
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(backupStart)) {
      throw new Error(`${what}: dailyBackupStartTime must be HH:MM (00:00-23:59, UTC); got ${JSON.stringify(backupStart)}`);
    }
    if (!Number.isInteger(volumeSizeMiB) || volumeSizeMiB < 20 || volumeSizeMiB > storageCapacity * 1024) {
      throw new Error(`${what}: volumeSize must be whole MiB from 20 to ${storageCapacity * 1024} (at most the SSD capacity); got ${volumeSizeMiB} MiB`);
    }
    if (!MULTI_AZ_1_THROUGHPUTS.includes(throughput)) {
      throw new Error(`${what}: throughput for sizing "${props.sizing}" must be one of ${MULTI_AZ_1_THROUGHPUTS.join(', ')} MBps; got ${throughput}`); // guards edits to lib/cell/sizing.ts
    }
    const serverSubnets = props.vpc.selectSubnets(props.subnets).subnets;
    if (serverSubnets.length < 2) {
      throw new Error(`${what}: subnets must select at least 2 subnets in different AZs (Multi-AZ file servers); got ${serverSubnets.length}`);
    }
    const [preferred, standby] = serverSubnets;
    const routeTables = [...props.vpc.selectSubnets(props.clientSubnets).subnets, ...serverSubnets].map((s) => s.routeTable.routeTableId);
    const stack = Stack.of(this);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `cellkit ${props.tenantId}: FSx for ONTAP, SMB and SVM management from admitted security groups only`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup] });

    const secretsKey = keyWithoutGrants(this, props.encryptionKey);
    this.fsxAdminSecret = this.adminSecret('FsxAdminSecret', props.tenantId, secretsKey, 'fsxadmin');
    this.svmAdminSecret = this.adminSecret('SvmAdminSecret', props.tenantId, secretsKey, 'vsadmin');

    this.fileSystem = new fsx.CfnFileSystem(this, 'FileSystem', {
      fileSystemType: 'ONTAP',
      storageType: 'SSD',
      storageCapacity,
      kmsKeyId: props.encryptionKey.keyArn,
      subnetIds: [preferred.subnetId, standby.subnetId],
      securityGroupIds: [this.securityGroup.securityGroupId],
      ontapConfiguration: {
        deploymentType: FILE_SHARE_DEPLOYMENT_TYPE,
        preferredSubnetId: preferred.subnetId,
        routeTableIds: [...new Set(routeTables)],
        throughputCapacity: throughput,
        automaticBackupRetentionDays: backupDays,
        dailyAutomaticBackupStartTime: backupStart,
        weeklyMaintenanceStartTime: '7:03:00',
        fsxAdminPassword: dynamicReference(this.fsxAdminSecret),
      },
    });
    this.storageVirtualMachine = new fsx.CfnStorageVirtualMachine(this, 'StorageVirtualMachine', {
      fileSystemId: this.fileSystem.ref,
      name: 'cellkit',
      rootVolumeSecurityStyle: 'NTFS',
      svmAdminPassword: dynamicReference(this.svmAdminSecret),
    });
    this.volume = new fsx.CfnVolume(this, 'GitVolume', {
      name: 'git',
      volumeType: 'ONTAP',
      ontapConfiguration: {
        storageVirtualMachineId: this.storageVirtualMachine.ref,
        junctionPath: this.junctionPath,
        securityStyle: 'NTFS',
        sizeInMegabytes: String(volumeSizeMiB),
        storageEfficiencyEnabled: 'true',
        snapshotPolicy: 'default',
        copyTagsToBackups: 'true',
        tieringPolicy: { name: 'NONE' },
      },
    });
    // FSx has no Snapshot policy: keep everything on delete and replacement; its backups stay for their retention.
    // RetainExceptOnCreate: a failed first create deletes them, so the retry is not blocked (docs/deploy-rollback.md).
    for (const resource of [this.fileSystem, this.storageVirtualMachine, this.volume]) {
      resource.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE;
      resource.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
    }

    const suffix = `fsx.${stack.region}.${stack.urlSuffix}`;
    this.managementDnsName = Fn.join('.', ['management', this.fileSystem.ref, suffix]);
    this.svmDnsName = Fn.join('.', [this.storageVirtualMachine.attrStorageVirtualMachineId, this.fileSystem.ref, suffix]);

    this.smbShare = new SmbShare(this, 'SmbShare', {
      tenantId: props.tenantId,
      vpc: props.vpc,
      subnets: props.subnets,
      fileSystem: this,
      endpoints: props.endpoints,
      managementDnsName: this.managementDnsName,
      fsxAdminSecret: this.fsxAdminSecret,
      svmName: this.storageVirtualMachine.name,
      svmId: this.storageVirtualMachine.attrStorageVirtualMachineId,
      volumeName: this.volume.name,
      volumeId: this.volume.attrVolumeId,
      path: this.junctionPath,
      encryptionKey: props.encryptionKey,
      nfs: props.nfs,
    });
    this.smbShare.resource.node.addDependency(this.volume);
  }

  /** Admits a security group (e.g. the app plane's) to SMB and the SVM's management API. */
  allowFrom(peer: ec2.IConnectable, description: string): void {
    for (const { port, description: what } of FILE_SHARE_PORTS) {
      this.connections.allowFrom(peer, port, `${description}: ${what}`);
    }
  }

  private adminSecret(id: string, tenantId: string, encryptionKey: kms.IKey, username: FileShareAdmin): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, id, {
      secretName: fileShareAdminSecretName(tenantId, username),
      description: `cellkit ${tenantId}: ONTAP ${username} password of the FSx file share`,
      encryptionKey,
      // Kept with the retained file system; a failed first create deletes it (docs/deploy-rollback.md).
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      // ONTAP admin passwords: 8-50 characters; letters and digits avoid quoting problems in CLIs.
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username }),
        generateStringKey: 'password',
        passwordLength: 32,
        excludePunctuation: true,
        requireEachIncludedType: true,
      },
    });
    for (const rule of SECRET_ROTATION_RULES) {
      Validations.of(secret).acknowledge({
        id: rule,
        reason: `Secrets Manager has no rotation function for FSx for ONTAP admin passwords (${username}); the account changes it through fsx:Update${username === 'fsxadmin' ? 'FileSystem' : 'StorageVirtualMachine'} and this secret in one step. The secret is encrypted with the cell data key and reachable only through the VPC endpoint.`,
      });
    }
    return secret;
  }
}

/** `size` in GiB or MiB, a fraction when it is not whole (the caller refuses it with the prop's name). */
function wholeUnits(size: Size, unit: 'GiB' | 'MiB'): number {
  const opts = { rounding: SizeRoundingBehavior.NONE };
  return unit === 'GiB' ? size.toGibibytes(opts) : size.toMebibytes(opts);
}

/** `{{resolve:secretsmanager:...}}`: CloudFormation reads the password at deploy; templates never hold it. */
function dynamicReference(secret: secretsmanager.ISecret): string {
  return secret.secretValueFromJson('password').unsafeUnwrap();
}
