import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CellNetwork, CellNetworkProps, INTERFACE_ENDPOINTS } from '../../lib/network/cell-network';
import { template, teamTenant, tenant } from '../fixtures';

describe('CellNetwork', () => {
  let nat: Template; // prod enterprise tenant in Sydney, egress nat
  let none: Template; // dev team tenant in London, egress none
  beforeAll(() => {
    nat = template(tenant());
    none = template(teamTenant());
  });

  test('spans the three AZs of the pinned region from regions.json', () => {
    const azs = (t: Template) => Object.values(t.findResources('AWS::EC2::Subnet')).map((s) => s.Properties.AvailabilityZone);
    expect(new Set(azs(nat))).toEqual(new Set(['ap-southeast-2a', 'ap-southeast-2b', 'ap-southeast-2c']));
    expect(new Set(azs(none))).toEqual(new Set(['eu-west-2a', 'eu-west-2b', 'eu-west-2c']));
  });

  test('app and data subnets in every AZ; public subnets only with NAT egress', () => {
    const names = (t: Template) =>
      Object.values(t.findResources('AWS::EC2::Subnet')).map((s) => (s.Properties.Tags as { Key: string; Value: string }[]).find((x) => x.Key === 'aws-cdk:subnet-name')!.Value).sort();
    expect(names(nat)).toEqual(['App', 'App', 'App', 'Data', 'Data', 'Data', 'Public', 'Public', 'Public']);
    expect(names(none)).toEqual(['App', 'App', 'App', 'Data', 'Data', 'Data']);
  });

  test('no subnet auto-assigns public IPs', () => {
    for (const t of [nat, none]) {
      for (const s of Object.values(t.findResources('AWS::EC2::Subnet'))) expect(s.Properties.MapPublicIpOnLaunch).toBe(false);
    }
  });

  test('NAT egress: one NAT gateway per AZ for prod; data subnets have no default route', () => {
    nat.resourceCountIs('AWS::EC2::NatGateway', 3);
    nat.resourceCountIs('AWS::EC2::InternetGateway', 1);
    const routes = Object.entries(nat.findResources('AWS::EC2::Route'));
    expect(routes.filter(([id]) => id.includes('Data'))).toEqual([]);
    expect(routes.filter(([id]) => id.includes('App')).every(([, r]) => r.Properties.NatGatewayId)).toBe(true);
  });

  test('NAT egress for dev sizing uses one NAT gateway', () => {
    const t = template(tenant({ sizing: 'dev' }));
    t.resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  test('egress none: no internet gateway, no NAT, no route out at all', () => {
    none.resourceCountIs('AWS::EC2::InternetGateway', 0);
    none.resourceCountIs('AWS::EC2::NatGateway', 0);
    none.resourceCountIs('AWS::EC2::Route', 0);
  });

  test('flow logs of all traffic go to a KMS-encrypted, retained log group with a retention period', () => {
    for (const t of [nat, none]) {
      t.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
      t.hasResource('AWS::Logs::LogGroup', {
        Properties: { KmsKeyId: { 'Fn::GetAtt': ['KeysDataKey8F3FE3A4', 'Arn'] }, RetentionInDays: 365 },
        DeletionPolicy: 'RetainExceptOnCreate',
      });
      // The flow log role's permissions are a managed policy scoped to that log group.
      t.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: { Statement: [Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkFlowLogs'), 'Arn'] } })] },
      });
    }
  });

  test('the default security group is closed', () => {
    for (const t of [nat, none]) t.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  test('interface endpoints for KMS, EC2, RDS, Elastic Load Balancing, Secrets Manager, SSM, ssmmessages, ec2messages, STS and Logs, plus an S3 gateway (what each serves: test/network/aws-api-inventory.test.ts)', () => {
    for (const [t, region] of [
      [nat, 'ap-southeast-2'],
      [none, 'eu-west-2'],
    ] as const) {
      const endpoints = Object.values(t.findResources('AWS::EC2::VPCEndpoint'));
      const interfaces = endpoints.filter((e) => e.Properties.VpcEndpointType === 'Interface');
      expect(interfaces.map((e) => JSON.stringify(e.Properties.ServiceName)).sort()).toEqual(
        ['kms', 'ec2', 'rds', 'elasticloadbalancing', 'secretsmanager', 'ssm', 'ssmmessages', 'ec2messages', 'sts', 'logs'].map((s) => JSON.stringify(`com.amazonaws.${region}.${s}`)).sort(),
      );
      for (const e of interfaces) expect(e.Properties.PrivateDnsEnabled).toBe(true);
      const gateways = endpoints.filter((e) => e.Properties.VpcEndpointType === 'Gateway');
      expect(gateways).toHaveLength(1);
      expect(JSON.stringify(gateways[0].Properties.ServiceName)).toContain('.s3');
    }
    expect(Object.keys(INTERFACE_ENDPOINTS)).toHaveLength(10);
  });

  test('endpoints admit HTTPS from the VPC only', () => {
    none.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'AWS service endpoints: HTTPS from inside the cell VPC',
      SecurityGroupIngress: [{ CidrIp: '10.0.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: 'HTTPS from the cell VPC' }],
    });
  });

  describe('refuses bad props', () => {
    const make = (props: Partial<CellNetworkProps>) => {
      const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-2' } });
      const key = new kms.Key(stack, 'K');
      return () => new CellNetwork(stack, 'Network', { availabilityZones: ['eu-west-2a', 'eu-west-2b', 'eu-west-2c'], egress: 'nat', logKey: key, ...props });
    };
    test.each([
      ['NAT gateways with egress none', { egress: 'none' as const, natGateways: 1 }, /CellNetwork: natGateways must be 0 when egress is "none" \(no internet gateway\); got 1/],
      ['four NAT gateways over three AZs', { natGateways: 4 }, /CellNetwork: natGateways must be 1-3 when egress is "nat"; got 4/],
      ['zero NAT gateways with egress nat', { natGateways: 0 }, /natGateways must be 1-3 when egress is "nat"; got 0/],
      ['two AZs', { availabilityZones: ['eu-west-2a', 'eu-west-2b'] }, /CellNetwork: availabilityZones must list 3 zones; got \["eu-west-2a","eu-west-2b"\]/],
    ])('%s', (_what, props, message) => {
      expect(make(props)).toThrow(message);
    });
  });
});
