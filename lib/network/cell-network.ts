import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Egress } from '../registry/tenant-spec';
import { rules } from 'cdk-nag';
import { FRAMEWORK_NAG_PACKS } from '../compliance/nag-packs';
import { nagRuleIds } from '../compliance/nag-rule-id';

export const APP_SUBNETS = 'App';
export const DATA_SUBNETS = 'Data';

/**
 * Interface endpoints every cell has, so private and isolated subnets reach AWS without the internet.
 * Each serves at least one call listed in CELL_AWS_APIS (lib/network/aws-api-inventory.ts).
 */
export const INTERFACE_ENDPOINTS: Readonly<Record<string, ec2.InterfaceVpcEndpointAwsService>> = {
  Kms: ec2.InterfaceVpcEndpointAwsService.KMS,
  Ec2: ec2.InterfaceVpcEndpointAwsService.EC2,
  Rds: ec2.InterfaceVpcEndpointAwsService.RDS,
  ElasticLoadBalancing: ec2.InterfaceVpcEndpointAwsService.ELASTIC_LOAD_BALANCING,
  SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  Ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
  SsmMessages: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
  Ec2Messages: ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
  Sts: ec2.InterfaceVpcEndpointAwsService.STS,
  Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
};

export interface CellNetworkProps {
  /** The region's three availability zones, from regions.json (never looked up). */
  readonly availabilityZones: readonly string[];
  /** `nat`: NAT gateways in public subnets; `none`: no internet gateway at all. */
  readonly egress: Egress;
  /**
   * NAT gateways when egress is `nat`; must be 0 when it is `none`.
   * @default 1 for `nat`, 0 for `none`
   */
  readonly natGateways?: number;
  /** Encrypts the flow log group. */
  readonly logKey: kms.IKey;
  /**
   * How long flow logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * The VPC's address range.
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
}

/**
 * The cell's VPC: app subnets for Vault and the application, isolated data subnets for RDS and FSx,
 * AWS service endpoints, encrypted flow logs and a closed default security group.
 */
export class CellNetwork extends Construct {
  readonly vpc: ec2.Vpc;
  readonly appSubnets: ec2.SubnetSelection = { subnetGroupName: APP_SUBNETS };
  readonly dataSubnets: ec2.SubnetSelection = { subnetGroupName: DATA_SUBNETS };
  readonly flowLogGroup: logs.LogGroup;
  /**
   * Carried by the company's application plane. The data tier and Vault admit it; it has no
   * outbound rules beyond those the cell's connections add.
   */
  readonly appSecurityGroup: ec2.SecurityGroup;
  /** Shared by all interface endpoints: HTTPS from inside the VPC only. */
  readonly endpointSecurityGroup: ec2.SecurityGroup;
  /** The interface endpoints, by INTERFACE_ENDPOINTS key. */
  readonly interfaceEndpoints: Readonly<Record<string, ec2.InterfaceVpcEndpoint>>;
  readonly s3Endpoint: ec2.GatewayVpcEndpoint;

  constructor(scope: Construct, id: string, props: CellNetworkProps) {
    super(scope, id);
    const natGateways = props.natGateways ?? (props.egress === 'nat' ? 1 : 0);
    if (props.availabilityZones.length !== 3) {
      throw new Error(`CellNetwork: availabilityZones must list 3 zones; got ${JSON.stringify(props.availabilityZones)}`);
    }
    if (props.egress === 'none' && natGateways !== 0) {
      throw new Error(`CellNetwork: natGateways must be 0 when egress is "none" (no internet gateway); got ${natGateways}`);
    }
    if (props.egress === 'nat' && (natGateways < 1 || natGateways > props.availabilityZones.length)) {
      throw new Error(`CellNetwork: natGateways must be 1-${props.availabilityZones.length} when egress is "nat"; got ${natGateways}`);
    }

    const subnetConfiguration: ec2.SubnetConfiguration[] =
      props.egress === 'nat'
        ? [
            // Only NAT gateways live here; nothing launched in them gets a public IP.
            { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
            { name: APP_SUBNETS, subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
            { name: DATA_SUBNETS, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
          ]
        : [
            { name: APP_SUBNETS, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 },
            { name: DATA_SUBNETS, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
          ];

    const cidr = props.cidr ?? '10.0.0.0/16';
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      availabilityZones: [...props.availabilityZones],
      natGateways,
      subnetConfiguration,
      restrictDefaultSecurityGroup: true,
      createInternetGateway: props.egress === 'nat',
    });
    for (const subnet of [...this.vpc.publicSubnets, ...this.vpc.privateSubnets, ...this.vpc.isolatedSubnets]) {
      const cfnSubnet = subnet.node.defaultChild;
      if (!cfnSubnet) continue;
      Validations.of(cfnSubnet).acknowledge({
        id: 'CloudFormation-Validate::W3010',
        reason: 'Zone names come from regions.json so synth needs no AWS lookup and is deterministic; a cell spans exactly those three zones of its pinned region.',
      });
    }
    for (const subnet of this.vpc.publicSubnets) {
      const route = subnet.node.tryFindChild('DefaultRoute');
      if (!route) continue;
      for (const id of nagRuleIds(FRAMEWORK_NAG_PACKS, rules.vpc.VPCNoUnrestrictedRouteToIGW)) {
        Validations.of(route).acknowledge({
          id,
          reason: 'This route serves only the NAT gateway in this public subnet (egress "nat"): nothing else is launched here, the subnet assigns no public IPs, and app and data subnets have no route to the internet gateway.',
        });
      }
    }

    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      encryptionKey: props.logKey,
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    // A managed (not inline) policy scoped to this one log group.
    const flowLogRole = new iam.Role(this, 'FlowLogRole', {
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com'),
      description: 'Writes this cell\'s VPC flow logs to its encrypted log group',
    });
    new iam.ManagedPolicy(this, 'FlowLogPolicy', {
      roles: [flowLogRole],
      description: 'Write VPC flow logs to one log group',
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [this.flowLogGroup.logGroupArn],
        }),
      ],
    });
    new ec2.CfnFlowLog(this, 'FlowLog', {
      resourceId: this.vpc.vpcId,
      resourceType: 'VPC',
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logGroupName: this.flowLogGroup.logGroupName,
      deliverLogsPermissionArn: flowLogRole.roleArn,
    });

    this.s3Endpoint = this.vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'AWS service endpoints: HTTPS from inside the cell VPC',
      allowAllOutbound: false,
    });
    // The literal CIDR (not the VpcCidrBlock token) keeps the rule readable to auditors and nag.
    this.endpointSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), 'HTTPS from the cell VPC');
    this.appSecurityGroup = new ec2.SecurityGroup(this, 'AppSecurityGroup', {
      vpc: this.vpc,
      description: 'Company application plane: may reach the cell data tier and Vault',
      allowAllOutbound: false,
    });
    this.appSecurityGroup.connections.allowTo(this.endpointSecurityGroup, ec2.Port.tcp(443), 'AWS service endpoints');
    this.interfaceEndpoints = Object.fromEntries(
      Object.entries(INTERFACE_ENDPOINTS).map(([name, service]) => [
        name,
        this.vpc.addInterfaceEndpoint(name, {
          service, subnets: this.appSubnets, privateDnsEnabled: true, securityGroups: [this.endpointSecurityGroup], open: false,
        }),
      ]),
    );
  }
}
