import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CellFileShareProps, FILE_SHARE_PORTS } from './cell-file-share-props';
import { FileShareAdminSecrets } from './file-share/admin-secrets';
import { FileShareSettings } from './file-share/file-share-settings';
import { OntapFileSystem } from './file-share/ontap-file-system';
import { SmbShare } from './file-share/smb-share';

export { FILE_SHARE_BACKUP_DAYS, FILE_SHARE_DEPLOYMENT_TYPE, FILE_SHARE_PORTS } from './cell-file-share-props';
export type { CellFileShareProps } from './cell-file-share-props';

/**
 * The company's file share for git working copies: FSx for NetApp ONTAP (Multi-AZ), one storage
 * virtual machine and one volume, password-protected admins, encrypted with the data key,
 * backed up daily for RETENTION_DAYS and retained when the stack is deleted. The volume is served as a
 * password-protected SMB share created at deploy time (`SmbShare`, docs/file-share.md).
 *
 * The constructor checks the props (`FileShareSettings`) before it creates anything, then composes the
 * parts in lib/data/file-share/ (admin secrets, ONTAP file system). Those parts are classes that create
 * their resources in this construct's scope under fixed ids, not child constructs: a child would add a
 * level to every construct path and so change every logical ID, which would replace the retained file
 * system on deploy. Their order below is the order of the resources in the template. See
 * docs/file-share.md, "How the code is split".
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
    const settings = new FileShareSettings(props);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `cellkit ${props.tenantId}: FSx for ONTAP, SMB and SVM management from admitted security groups only`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup] });

    const admins = new FileShareAdminSecrets(this, props);
    this.fsxAdminSecret = admins.fsxAdminSecret;
    this.svmAdminSecret = admins.svmAdminSecret;
    const ontap = new OntapFileSystem(this, {
      settings,
      encryptionKey: props.encryptionKey,
      securityGroup: this.securityGroup,
      fsxAdminSecret: this.fsxAdminSecret,
      svmAdminSecret: this.svmAdminSecret,
      junctionPath: this.junctionPath,
    });
    this.fileSystem = ontap.fileSystem;
    this.storageVirtualMachine = ontap.storageVirtualMachine;
    this.volume = ontap.volume;
    this.managementDnsName = ontap.managementDnsName;
    this.svmDnsName = ontap.svmDnsName;

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
}
