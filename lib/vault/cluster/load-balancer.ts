import { Duration, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { rules } from 'cdk-nag';
import { FRAMEWORK_NAG_PACKS, NAG_PACKS } from '../../compliance/nag-packs';
import { nagRuleIds } from '../../compliance/nag-rule-id';
import { VAULT_API_PORT } from '../vault-config';

/** Liveness for the NLB and the Auto Scaling group's ELB health check (Vault API docs, "/sys/health"). */
export const VAULT_HEALTH_CHECK_PATH = '/v1/sys/health?standbyok=true&sealedcode=200&uninitcode=200&haunhealthycode=200';

export interface VaultLoadBalancerProps {
  readonly tenantId: string;
  readonly vpc: ec2.IVpc;
  /** The three AZs' private app subnets. */
  readonly vpcSubnets: ec2.SubnetSelection;
  /** The company's application plane: may reach the NLB on 8200. */
  readonly clientSecurityGroup: ec2.ISecurityGroup;
  /** The Vault servers: the listener's targets. */
  readonly servers: autoscaling.AutoScalingGroup;
  /** The servers' side: lets the NLB in on 8200 (traffic and health checks). */
  readonly serverConnections: ec2.IConnectable;
}

/**
 * The internal Network Load Balancer in front of Vault: TCP 8200 passed through, so TLS ends on the
 * servers; cross-zone; an HTTPS health check that counts sealed and uninitialised nodes as alive. Deletion
 * protection is turned on after create by the cell's DeletionProtection (lib/rollback), never in the template.
 *
 * Part of VaultCluster, not a construct of its own: `LoadBalancerSecurityGroup` and `LoadBalancer` are created
 * in the given scope, so their logical IDs stay the cluster's (docs/vault.md, "How the cluster code is split").
 */
export class VaultLoadBalancer {
  readonly loadBalancer: elbv2.NetworkLoadBalancer;
  /** TCP 8200; the bootstrap waits for it. */
  readonly listener: elbv2.NetworkListener;

  constructor(scope: Construct, props: VaultLoadBalancerProps) {
    const securityGroup = new ec2.SecurityGroup(scope, 'LoadBalancerSecurityGroup', {
      vpc: props.vpc,
      description: `cellkit ${props.tenantId}: Vault internal NLB`,
      allowAllOutbound: false,
    });
    this.loadBalancer = new elbv2.NetworkLoadBalancer(scope, 'LoadBalancer', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      internetFacing: false,
      crossZoneEnabled: true,
      // Turned on right after create by DeletionProtection (lib/rollback): a create rollback can delete it.
      securityGroups: [securityGroup],
    });
    this.loadBalancer.connections.allowFrom(props.clientSecurityGroup, ec2.Port.tcp(VAULT_API_PORT), 'Vault API from the application plane');
    props.serverConnections.connections.allowFrom(this.loadBalancer, ec2.Port.tcp(VAULT_API_PORT), 'Vault API and health checks from the NLB');
    this.listener = this.loadBalancer.addListener('Api', { port: VAULT_API_PORT, protocol: elbv2.Protocol.TCP });
    for (const id of nagRuleIds(FRAMEWORK_NAG_PACKS, rules.elb.ELBv2ACMCertificateRequired)) {
      Validations.of(this.listener).acknowledge({
        id,
        reason:
          'TLS is end-to-end: it terminates on the Vault servers (TLS 1.2+, company CA certificate from Secrets Manager), so the NLB never sees plaintext. An ACM certificate here would decrypt Vault traffic at the load balancer.',
      });
    }
    this.listener.addTargets('Servers', {
      port: VAULT_API_PORT,
      protocol: elbv2.Protocol.TCP,
      targets: [props.servers],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        protocol: elbv2.Protocol.HTTPS,
        port: String(VAULT_API_PORT),
        // The group replaces nodes on this check, so it asks "is Vault serving HTTPS?", not "is it
        // unsealed?": active and standby answer 200, and sealedcode/uninitcode/haunhealthycode make sealed
        // (default 503), uninitialised (501) and leaderless standbys (474, Vault >= 1.19) answer 200 too;
        // a node removed from Raft (530) is replaced. Vault API docs, "/sys/health".
        path: VAULT_HEALTH_CHECK_PATH,
        healthyHttpCodes: '200',
        interval: Duration.seconds(10),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
      },
    });
    for (const id of nagRuleIds(NAG_PACKS, rules.elb.ELBLoggingEnabled)) {
      Validations.of(this.loadBalancer).acknowledge({
        id,
        reason:
          'NLB access logs exist only for TLS listeners; this NLB passes TCP through so TLS ends on Vault and there would be nothing to log. Every request is recorded by Vault\'s two audit devices (shipped to an encrypted log group) and every connection by the VPC flow logs.',
      });
    }
  }
}
