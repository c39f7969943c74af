import { CfnResource, Duration, Tags, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, rules } from 'cdk-nag';
import { Construct } from 'constructs';
import { nagRuleId, nagRuleIds } from '../../compliance/nag-rule-id';
import { VAULT_JOIN_TAG, vaultClusterError } from './node-constants';

export interface VaultServerGroupProps {
  readonly tenantId: string;
  readonly vpc: ec2.IVpc;
  /** The three AZs' private app subnets. */
  readonly vpcSubnets: ec2.SubnetSelection;
  /** Every node launches from it. */
  readonly launchTemplate: ec2.ILaunchTemplate;
  /**
   * Instance types the group may launch, first preferred: at least two distinct types of the same size
   * (Control Tower CT.AUTOSCALING.PR.6), each a Nitro type (CT.AUTOSCALING.PR.11).
   */
  readonly instanceTypes: readonly ec2.InstanceType[];
  /** Servers in the Raft cluster: min = max = desired. */
  readonly nodes: 3 | 5;
}

/**
 * The Vault servers' Auto Scaling group: a fixed number of on-demand nodes over the app subnets, from the
 * one launch template through a mixed instances policy, replaced on ELB health checks, tagged for Raft
 * auto-join. It has no update policy that replaces instances: nodes are rolled by an operator
 * (docs/vault-upgrades.md).
 *
 * Part of VaultCluster, not a construct of its own: `Servers` is created in the given scope, so its
 * logical ID stays the cluster's (docs/vault.md, "How the cluster code is split").
 */
export class VaultServerGroup {
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;

  constructor(scope: Construct, props: VaultServerGroupProps) {
    const typeNames = props.instanceTypes.map(String);
    if (new Set(typeNames).size < 2 || new Set(typeNames).size !== typeNames.length) {
      throw vaultClusterError(props.tenantId, `instanceTypes must list at least two distinct instance types (Control Tower CT.AUTOSCALING.PR.6); got [${typeNames.join(', ')}]`);
    }
    this.autoScalingGroup = new autoscaling.AutoScalingGroup(scope, 'Servers', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      mixedInstancesPolicy: {
        launchTemplate: props.launchTemplate,
        launchTemplateOverrides: props.instanceTypes.map((instanceType) => ({ instanceType })),
        instancesDistribution: { onDemandPercentageAboveBaseCapacity: 100 },
      },
      minCapacity: props.nodes,
      maxCapacity: props.nodes,
      desiredCapacity: props.nodes,
      // ELB health checks replace a node whose Vault stops answering; the target group's check counts
      // sealed and uninitialised nodes as alive (VaultLoadBalancer), so a KMS outage or a cell awaiting
      // bootstrap never makes the group replace its Raft replicas.
      healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
        gracePeriod: Duration.minutes(10), additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
      }),
    });
    // VPCZoneIdentifier alone places the group; AvailabilityZones names the same zones explicitly
    // (Control Tower CT.AUTOSCALING.PR.1; the EC2 Auto Scaling API requires the subnets to lie in them).
    const resource = this.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup;
    resource.availabilityZones = props.vpc.selectSubnets(props.vpcSubnets).availabilityZones;
    Tags.of(this.autoScalingGroup).add(VAULT_JOIN_TAG, props.tenantId);
    this.acknowledge();
  }

  private acknowledge(): void {
    const group = this.autoScalingGroup;
    Validations.of(group.node.defaultChild as CfnResource).acknowledge({
      id: 'CloudFormation-Validate::W3010',
      reason: 'The group names the zones of its subnets (Control Tower CT.AUTOSCALING.PR.1); they come from regions.json, like the subnets\' zones, so synth needs no AWS lookup.',
    });
    Validations.of(group).acknowledge({
      id: 'Annotation::@aws-cdk/aws-autoscaling:desiredCapacitySet',
      reason: 'Intended: the Raft cluster has a fixed size, so every deploy resets the group to exactly the node count.',
    });
    // cdk-nag reads IMDSv2 and volume encryption from an ASG's LaunchTemplate property only, not from a
    // MixedInstancesPolicy; the launch template it references requires both (test/vault/cluster/node-launch-template.test.ts).
    const imdsAndEncryption = [
      nagRuleId(AwsSolutionsChecks, rules.ec2.EC2EBSVolumeEncrypted),
      ...nagRuleIds([HIPAASecurityChecks, NIST80053R5Checks], rules.ec2.EC2IMDSv2Enabled),
    ];
    for (const id of imdsAndEncryption) {
      Validations.of(group).acknowledge({
        id,
        reason: 'The group launches only from its launch template (through the mixed instances policy that Control Tower CT.AUTOSCALING.PR.6 asks for), which requires IMDSv2 (hop limit 1) and encrypts every EBS volume with the cell data key; cdk-nag does not follow a MixedInstancesPolicy to its launch template.',
      });
    }
    Validations.of(group).acknowledge({
      id: nagRuleId(AwsSolutionsChecks, rules.autoscaling.AutoScalingGroupScalingNotifications),
      reason:
        'The group never scales (min = max = desired); its only events are node replacements, recorded in the Auto Scaling activity history and CloudTrail, and watched through Vault\'s own health (NLB target health, autopilot state).',
    });
  }
}
