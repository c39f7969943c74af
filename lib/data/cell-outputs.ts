import { CfnOutput } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { CellDatabase } from './cell-database';
import { CellFileShare } from './cell-file-share';

export interface CellOutputsProps {
  readonly tenantId: string;
  readonly database: CellDatabase;
  readonly fileShare: CellFileShare;
  readonly appSecurityGroup: ec2.ISecurityGroup;
}

export interface OutputEntry {
  /** Parameter path under `/cellkit/<tenant>/`, e.g. `database/endpoint`. */
  readonly path: string;
  /** Stack output id, e.g. `DatabaseEndpoint`. */
  readonly outputId: string;
  readonly value: string;
  readonly description: string;
}

/**
 * The data tier's contract with the application plane: SSM String parameters under
 * `/cellkit/<tenant>/...` and the same values as stack outputs. Identifiers and ARNs only, never secrets.
 */
export class CellOutputs extends Construct {
  readonly entries: readonly OutputEntry[];
  readonly parameters: ssm.StringParameter[];

  constructor(scope: Construct, id: string, props: CellOutputsProps) {
    super(scope, id);
    const { database, fileShare } = props;
    this.entries = [
      { path: 'database/endpoint', outputId: 'DatabaseEndpoint', value: database.hostname, description: 'PostgreSQL host name (TLS required)' },
      { path: 'database/port', outputId: 'DatabasePort', value: String(database.port), description: 'PostgreSQL port' },
      { path: 'database/name', outputId: 'DatabaseName', value: database.databaseName, description: 'PostgreSQL database name' },
      { path: 'database/secret-arn', outputId: 'DatabaseSecretArn', value: database.secret.secretArn, description: 'ARN of the master credential secret (bootstrap; Vault takes it over)' },
      { path: 'database/security-group-id', outputId: 'DatabaseSecurityGroupId', value: database.securityGroup.securityGroupId, description: 'Security group of the database' },
      { path: 'file-share/file-system-id', outputId: 'FileShareFileSystemId', value: fileShare.fileSystem.ref, description: 'FSx for ONTAP file system id' },
      { path: 'file-share/management-dns-name', outputId: 'FileShareManagementDnsName', value: fileShare.managementDnsName, description: 'File system management endpoint (fsxadmin)' },
      { path: 'file-share/svm-id', outputId: 'FileShareSvmId', value: fileShare.storageVirtualMachine.attrStorageVirtualMachineId, description: 'Storage virtual machine id' },
      { path: 'file-share/svm-dns-name', outputId: 'FileShareSvmDnsName', value: fileShare.svmDnsName, description: 'SVM endpoint: SMB and SVM management (vsadmin)' },
      { path: 'file-share/junction-path', outputId: 'FileShareJunctionPath', value: fileShare.junctionPath, description: 'Path of the git volume in the SVM namespace' },
      { path: 'file-share/volume-id', outputId: 'FileShareVolumeId', value: fileShare.volume.attrVolumeId, description: 'FSx volume id of the git volume' },
      { path: 'file-share/svm-admin-secret-arn', outputId: 'FileShareSvmAdminSecretArn', value: fileShare.svmAdminSecret.secretArn, description: 'ARN of the vsadmin password secret' },
      { path: 'file-share/fsx-admin-secret-arn', outputId: 'FileShareFsxAdminSecretArn', value: fileShare.fsxAdminSecret.secretArn, description: 'ARN of the fsxadmin password secret' },
      { path: 'file-share/security-group-id', outputId: 'FileShareSecurityGroupId', value: fileShare.securityGroup.securityGroupId, description: 'Security group of the file share' },
      { path: 'network/app-security-group-id', outputId: 'AppSecurityGroupId', value: props.appSecurityGroup.securityGroupId, description: 'Security group the application plane must carry' },
    ];
    this.parameters = this.entries.map((entry) => {
      new CfnOutput(this, entry.outputId, { value: entry.value, description: entry.description });
      return new ssm.StringParameter(this, `${entry.outputId}Parameter`, {
        parameterName: `/cellkit/${props.tenantId}/${entry.path}`,
        stringValue: entry.value,
        description: entry.description,
      });
    });
  }
}
