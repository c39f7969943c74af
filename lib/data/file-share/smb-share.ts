import { CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { fileShareSmbUserSecretName } from '../../cell/secret-names';
import { SECRET_ROTATION_RULES } from '../../compliance/nag-packs';
import { keyWithoutGrants } from '../../keys/key-without-grants';
import type { SmbShareProperties } from './handler';
import { ADMINISTRATORS, qualifiedUser } from './handler/share';
import { acknowledgeLambdaFindings, smbShareBundleDir, smbShareRole } from './smb-share-access';

export const SMB_SHARE_RESOURCE_TYPE = 'Custom::CellkitSmbShare';
/** The CIFS server's NetBIOS name (1-15 characters), also the domain of its local users. */
export const CIFS_SERVER_NAME = 'CELLKIT';
/** Has a hyphen, which the generated password (letters and digits) never contains: ONTAP refuses a password that contains the user name. */
export const SMB_USER_NAME = 'git-service';
/** An export policy without rules: NFS clients are refused. */
export const CLOSED_EXPORT_POLICY = 'cellkit-no-nfs';


export interface SmbShareProps {
  readonly tenantId: string;
  readonly vpc: ec2.IVpc;
  /** Subnets of the configuring Lambda (the cell's data subnets: no route out but the VPC and S3). */
  readonly subnets: ec2.SubnetSelection;
  /** The file system: the Lambda is admitted to its management endpoint on 443. */
  readonly fileSystem: ec2.IConnectable;
  /** The Secrets Manager interface endpoint. */
  readonly endpoints: ec2.IConnectable;
  /** File system management endpoint (DNS name). */
  readonly managementDnsName: string;
  /** `fsxadmin`'s secret (JSON `username`, `password`): the Lambda authenticates to ONTAP with it. */
  readonly fsxAdminSecret: secretsmanager.ISecret;
  /** The SVM (its name and id) and the volume to share. */
  readonly svmName: string;
  readonly svmId: string;
  readonly volumeName: string;
  readonly volumeId: string;
  /** The volume's junction path. */
  readonly path: string;
  /** Encrypts the user's secret and the Lambda's log. */
  readonly encryptionKey: kms.IKey;
  /**
   * Leave NFS to the volume's existing export policy instead of closing it.
   * @default false - the volume gets an export policy without rules
   */
  readonly nfs?: boolean;
  /**
   * How long the Lambda's log is kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The password-protected SMB share of the git volume, created on ONTAP at deploy time by a Lambda-backed
 * custom resource in the cell's VPC: a workgroup CIFS server, one local user whose generated password lives
 * in Secrets Manager (data key), an SMB 3 encrypted share that only that user and administrators may use,
 * NFS closed. The same Lambda rotates the user's password on demand. See docs/file-share.md.
 */
export class SmbShare extends Construct {
  /** The company user's credentials: JSON `username`, `domain`, `share`, `password`. */
  readonly userSecret: secretsmanager.Secret;
  readonly securityGroup: ec2.SecurityGroup;
  readonly function: lambda.Function;
  readonly resource: CustomResource;
  readonly rotation: secretsmanager.CfnRotationSchedule;

  constructor(scope: Construct, id: string, props: SmbShareProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(props.svmName)) throw new Error(`SmbShare for tenant "${props.tenantId}": svmName must be 1-31 lowercase letters, digits or hyphens; got ${JSON.stringify(props.svmName)}`);
    if (!props.path.startsWith('/')) throw new Error(`SmbShare for tenant "${props.tenantId}": path must be the volume's junction path, starting with "/"; got ${JSON.stringify(props.path)}`);
    const secretsKey = keyWithoutGrants(this, props.encryptionKey);

    this.userSecret = new secretsmanager.Secret(this, 'UserSecret', {
      secretName: fileShareSmbUserSecretName(props.tenantId),
      description: `cellkit ${props.tenantId}: SMB user of the git share (Vault KV integrations/file-share holds a copy)`,
      encryptionKey: secretsKey,
      // ONTAP's local-user password complexity: 3 of 4 character classes, 6+ characters, not the user name.
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: SMB_USER_NAME, domain: CIFS_SERVER_NAME, share: props.volumeName }),
        generateStringKey: 'password',
        passwordLength: 32,
        excludePunctuation: true,
        requireEachIncludedType: true,
      },
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `cellkit ${props.tenantId}: SMB share configuration: ONTAP management endpoint, Secrets Manager, CloudFormation response`,
      allowAllOutbound: false,
    });
    this.securityGroup.connections.allowTo(props.fileSystem, ec2.Port.tcp(443), 'ONTAP REST API on the file system management endpoint');
    this.securityGroup.connections.allowTo(props.endpoints, ec2.Port.tcp(443), 'Secrets Manager interface endpoint');
    // CloudFormation's response URL is an S3 address: its prefix list ID cannot be known at synth without a lookup.
    // The data subnets route only inside the VPC and to the S3 gateway endpoint, so this reaches nothing else.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'CloudFormation response URL (S3 gateway endpoint; data subnets have no other route out)');

    const logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    const [role, policies] = smbShareRole(this, props, this.userSecret, logGroup);
    this.function = new lambda.Function(this, 'Function', {
      description: `cellkit ${props.tenantId}: configures and rotates the password-protected SMB share on ONTAP`,
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(smbShareBundleDir()),
      role,
      logGroup,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [this.securityGroup],
      timeout: Duration.minutes(15),
      memorySize: 256,
      environment: { MANAGEMENT_ENDPOINT: props.managementDnsName, FSX_ADMIN_SECRET_ARN: props.fsxAdminSecret.secretArn, SVM_NAME: props.svmName },
    });
    // Lambda needs the network-interface actions while it is created in the VPC.
    this.function.node.addDependency(...policies);
    acknowledgeLambdaFindings(this.function);

    const user = { cifsServerName: CIFS_SERVER_NAME, userName: SMB_USER_NAME };
    const properties: SmbShareProperties & Record<string, unknown> = {
      ManagementEndpoint: props.managementDnsName,
      FsxAdminSecretArn: props.fsxAdminSecret.secretArn,
      UserSecretArn: this.userSecret.secretArn,
      SvmName: props.svmName,
      StorageVirtualMachineId: props.svmId,
      VolumeName: props.volumeName,
      VolumeId: props.volumeId,
      ShareName: props.volumeName,
      Path: props.path,
      CifsServerName: CIFS_SERVER_NAME,
      Workgroup: CIFS_SERVER_NAME,
      UserName: SMB_USER_NAME,
      ShareAcl: `${qualifiedUser(user)}:full_control,${ADMINISTRATORS}:full_control`,
      SmbEncryption: 'required',
      Smb1: 'disabled',
      GuestAccess: 'refused',
      NfsEnabled: props.nfs ? 'true' : 'false',
      ExportPolicyName: CLOSED_EXPORT_POLICY,
    };
    this.resource = new CustomResource(this, 'Share', {
      serviceToken: this.function.functionArn,
      resourceType: SMB_SHARE_RESOURCE_TYPE,
      properties,
      serviceTimeout: Duration.minutes(20),
    });
    // The first call must find its way: the VPC's endpoints and routes, and every security group rule on the path.
    this.resource.node.addDependency(
      props.vpc, this.securityGroup, ...props.fileSystem.connections.securityGroups, ...props.endpoints.connections.securityGroups,
    );

    // On demand only (no RotationRules): `aws secretsmanager rotate-secret`, then refresh Vault (docs/file-share.md).
    this.function.addPermission('SecretsManagerRotates', {
      principal: new iam.ServicePrincipal('secretsmanager.amazonaws.com'),
      sourceAccount: stack.account,
    });
    this.rotation = new secretsmanager.CfnRotationSchedule(this, 'Rotation', {
      secretId: this.userSecret.secretArn,
      rotationLambdaArn: this.function.functionArn,
      rotateImmediatelyOnUpdate: false,
    });
    this.rotation.node.addDependency(this.resource, this.function.permissionsNode.findChild('SecretsManagerRotates'));
    for (const rule of SECRET_ROTATION_RULES) {
      Validations.of(this.userSecret).acknowledge({
        id: rule,
        reason: 'Rotation is configured (this Lambda, on ONTAP) but runs on demand, not on a schedule: Vault KV integrations/file-share holds a copy the git service mounts with, so an operator rotates and then deploys, and the Vault bootstrap copies the new password (docs/file-share.md). Nothing rotates by surprise.',
      });
    }
  }
}
