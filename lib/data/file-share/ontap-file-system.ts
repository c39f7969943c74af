import { CfnDeletionPolicy, Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { FILE_SHARE_DEPLOYMENT_TYPE } from '../cell-file-share-props';
import { FileShareSettings } from './file-share-settings';

export interface OntapFileSystemProps {
  /** Checked sizes, backup window, throughput, subnets and route tables. */
  readonly settings: FileShareSettings;
  /** Encrypts the file system and its backups. */
  readonly encryptionKey: kms.IKey;
  /** The file servers' security group. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** `fsxadmin`'s password (JSON key `password`). */
  readonly fsxAdminSecret: secretsmanager.ISecret;
  /** `vsadmin`'s password (JSON key `password`). */
  readonly svmAdminSecret: secretsmanager.ISecret;
  /** Where the volume is mounted in the SVM's namespace (the SMB share path). */
  readonly junctionPath: string;
}

/**
 * FSx for NetApp ONTAP, Multi-AZ: the file system, its one storage virtual machine `cellkit` and its one
 * volume `git`, all retained on delete and replacement.
 *
 * Part of CellFileShare, not a construct of its own: `FileSystem`, `StorageVirtualMachine` and `GitVolume`
 * are created in the given scope, so their logical IDs stay the share's (docs/file-share.md, "How the code
 * is split").
 */
export class OntapFileSystem {
  readonly fileSystem: fsx.CfnFileSystem;
  readonly storageVirtualMachine: fsx.CfnStorageVirtualMachine;
  readonly volume: fsx.CfnVolume;
  /** File system management endpoint (ONTAP CLI/REST as fsxadmin). */
  readonly managementDnsName: string;
  /** SVM endpoint for SMB and SVM management (vsadmin). */
  readonly svmDnsName: string;

  constructor(scope: Construct, props: OntapFileSystemProps) {
    const { settings } = props;
    const [preferred, standby] = settings.serverSubnets;
    this.fileSystem = new fsx.CfnFileSystem(scope, 'FileSystem', {
      fileSystemType: 'ONTAP',
      storageType: 'SSD',
      storageCapacity: settings.storageCapacityGiB,
      kmsKeyId: props.encryptionKey.keyArn,
      subnetIds: [preferred.subnetId, standby.subnetId],
      securityGroupIds: [props.securityGroup.securityGroupId],
      ontapConfiguration: {
        deploymentType: FILE_SHARE_DEPLOYMENT_TYPE,
        preferredSubnetId: preferred.subnetId,
        routeTableIds: [...settings.routeTableIds],
        throughputCapacity: settings.throughputMBps,
        automaticBackupRetentionDays: settings.backupDays,
        dailyAutomaticBackupStartTime: settings.backupStart,
        weeklyMaintenanceStartTime: '7:03:00',
        fsxAdminPassword: dynamicReference(props.fsxAdminSecret),
      },
    });
    this.storageVirtualMachine = new fsx.CfnStorageVirtualMachine(scope, 'StorageVirtualMachine', {
      fileSystemId: this.fileSystem.ref,
      name: 'cellkit',
      rootVolumeSecurityStyle: 'NTFS',
      svmAdminPassword: dynamicReference(props.svmAdminSecret),
    });
    this.volume = new fsx.CfnVolume(scope, 'GitVolume', {
      name: 'git',
      volumeType: 'ONTAP',
      ontapConfiguration: {
        storageVirtualMachineId: this.storageVirtualMachine.ref,
        junctionPath: props.junctionPath,
        securityStyle: 'NTFS',
        sizeInMegabytes: String(settings.volumeSizeMiB),
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

    const stack = Stack.of(scope);
    const suffix = `fsx.${stack.region}.${stack.urlSuffix}`;
    this.managementDnsName = Fn.join('.', ['management', this.fileSystem.ref, suffix]);
    this.svmDnsName = Fn.join('.', [this.storageVirtualMachine.attrStorageVirtualMachineId, this.fileSystem.ref, suffix]);
  }
}

/** `{{resolve:secretsmanager:...}}`: CloudFormation reads the password at deploy; templates never hold it. */
function dynamicReference(secret: secretsmanager.ISecret): string {
  return secret.secretValueFromJson('password').unsafeUnwrap();
}
