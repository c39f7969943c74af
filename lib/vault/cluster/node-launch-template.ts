import { Size, SizeRoundingBehavior, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { AMI_ID_PATTERN, AmiFile, VAULT_IMAGE } from '../vault-image';
import { VAULT_DATA_DEVICE, vaultClusterError } from './node-constants';

/**
 * A gp3 volume in a launch template holds 1 to 16,384 GiB (Amazon EC2 API Reference,
 * LaunchTemplateEbsBlockDeviceRequest, VolumeSize: "gp2 and gp3: 1 - 16,384 GiB").
 */
const GP3_MAX = Size.tebibytes(16);

export interface VaultLaunchTemplateProps {
  readonly tenantId: string;
  /** The preferred instance type; the Auto Scaling group overrides it with its list. */
  readonly instanceType: ec2.InstanceType;
  /** The node role; the launch template adds its instance profile. */
  readonly role: iam.IRole;
  readonly securityGroup: ec2.ISecurityGroup;
  /** The first-boot script (VaultNodeUserData). */
  readonly userData: string;
  /** Encrypts the root and Raft volumes. */
  readonly dataKey: kms.IKey;
  /**
   * Where the nodes' image comes from: a region listed in `pins` launches exactly that (fetched) AMI;
   * any other region resolves `parameter` (Amazon Linux 2023) at deploy time.
   * @default VAULT_IMAGE (lib/vault/amis.json)
   */
  readonly image?: AmiFile;
  /** The Raft data volume, whole GiB from 1 GiB to 16 TiB (gp3). @default Size.gibibytes(50) */
  readonly dataVolumeSize?: Size;
}

/**
 * The Vault servers' launch template: the image, IMDSv2 with hop limit 1, no public IP, no key pair,
 * detailed monitoring, an encrypted gp3 root volume and a separate encrypted gp3 Raft volume kept when
 * the instance goes (Raft data outlives its server).
 *
 * Part of VaultCluster, not a construct of its own: `LaunchTemplate` is created in the given scope, so
 * its logical ID stays the cluster's (docs/vault.md, "How the cluster code is split").
 */
export class VaultLaunchTemplate {
  readonly launchTemplate: ec2.LaunchTemplate;

  constructor(scope: Construct, props: VaultLaunchTemplateProps) {
    const dataVolumeSize = props.dataVolumeSize ?? Size.gibibytes(50);
    const gib = dataVolumeSize.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
    if (!Number.isInteger(gib) || gib < 1 || gib > GP3_MAX.toGibibytes()) {
      throw vaultClusterError(props.tenantId, `dataVolumeSize must be a whole number of GiB from 1 GiB to 16 TiB (gp3); got ${gib} GiB`);
    }
    const machineImage = vaultMachineImage(props.tenantId, Stack.of(scope).region, props.image ?? VAULT_IMAGE);
    const volume = (sizeGib: number, deleteOnTermination: boolean) =>
      ec2.BlockDeviceVolume.ebs(sizeGib, { encrypted: true, kmsKey: props.dataKey, volumeType: ec2.EbsDeviceVolumeType.GP3, deleteOnTermination });
    this.launchTemplate = new ec2.LaunchTemplate(scope, 'LaunchTemplate', {
      machineImage,
      instanceType: props.instanceType,
      role: props.role,
      securityGroup: props.securityGroup,
      userData: ec2.UserData.custom(props.userData),
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      associatePublicIpAddress: false,
      detailedMonitoring: true,
      blockDevices: [
        { deviceName: '/dev/xvda', volume: volume(20, true) },
        // Kept when an instance goes: Raft data outlives its server (clean up once the cluster is healthy).
        { deviceName: VAULT_DATA_DEVICE, volume: volume(gib, false) },
      ],
    });
  }
}

/**
 * The nodes' image. A pinned region gets its literal, fetched AMI ID. Any other region gets a
 * CloudFormation parameter of type `AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>` whose default
 * is AWS's public Amazon Linux 2023 parameter: CloudFormation reads it at each deploy (CloudFormation
 * user guide, "Specify existing resources at runtime with CloudFormation-supplied parameter types",
 * Systems Manager parameter types), so synth stays offline and no made-up ID is ever in a template.
 * A parameter rather than a `{{resolve:ssm:...}}` reference: CloudFormation validates that the value is
 * an EC2 image ID and records what it resolved with the stack (DescribeStacks `ResolvedValue`), so
 * operators can see which image each deploy used. A new image only changes the launch template: the
 * group has no AutoScalingRollingUpdate/ReplacingUpdate policy, so running nodes keep running (EC2 Auto
 * Scaling API reference, LaunchTemplate: "existing Amazon EC2 instances continue to run"; CloudFormation
 * UpdatePolicy attribute). Nodes are rolled by an operator (docs/vault-nodes.md).
 */
function vaultMachineImage(tenantId: string, region: string, image: AmiFile): ec2.IMachineImage {
  if (Token.isUnresolved(region)) throw vaultClusterError(tenantId, 'the stack needs a concrete region (env.region) to pick the node image');
  const pin = Object.prototype.hasOwnProperty.call(image.pins, region) ? image.pins[region] : undefined;
  if (!pin) return ec2.MachineImage.fromSsmParameter(image.parameter);
  if (!AMI_ID_PATTERN.test(pin.imageId)) {
    throw vaultClusterError(
      tenantId,
      `the pinned image for ${region} (lib/vault/amis.json, pins.${region}.imageId) must be "ami-" and 8 or 17 hex digits; got "${pin.imageId}". Re-pin with \`cellkit amis pin --region ${region}\``,
    );
  }
  return ec2.MachineImage.genericLinux({ [region]: pin.imageId });
}
