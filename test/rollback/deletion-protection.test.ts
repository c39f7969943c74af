// The DeletionProtection construct in a whole cell (it needs the database and the Vault load balancer).
import { Template } from 'aws-cdk-lib/assertions';
import { cellStack, nagFindings, teamTenant, tenant } from '../fixtures';

describe.each([['egress none', teamTenant()], ['egress nat', tenant()]] as const)('%s', (_n, t) => {
  const stack = cellStack(t);
  const json = Template.fromStack(stack).toJSON();
  const resources = json.Resources as Record<string, any>;
  const fn = Object.entries(resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('AWS679f53fac002430cb0da5b7982bd2287'))![1];

  test('its one function runs in the cell VPC (app subnets), on nodejs24.x, logging to a log group encrypted with the data key', () => {
    expect(fn.Properties.Runtime).toBe('nodejs24.x');
    expect(fn.Properties.VpcConfig.SubnetIds.map((s: any) => s.Ref)).toEqual([expect.stringMatching(/^NetworkVpcAppSubnet1/), expect.stringMatching(/^NetworkVpcAppSubnet2/), expect.stringMatching(/^NetworkVpcAppSubnet3/)]);
    const logGroup = resources[fn.Properties.LoggingConfig.LogGroup.Ref];
    expect(logGroup.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': ['KeysDataKey8F3FE3A4', 'Arn'] });
    expect(logGroup.DeletionPolicy).toBe('RetainExceptOnCreate');
  });

  test('its role may toggle exactly the cell database and the Vault load balancer, and write its own log', () => {
    const policies = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy' && r.Properties.Roles.some((x: any) => x.Ref.startsWith('DeletionProtectionRole')));
    expect(policies).toHaveLength(1);
    const statements = policies[0].Properties.PolicyDocument.Statement.map((s: any) => [s.Action, JSON.stringify(s.Resource)]);
    expect(statements).toEqual([
      ['rds:ModifyDBInstance', expect.stringContaining('DatabaseInstanceAA8A5FDE')],
      ['elasticloadbalancing:ModifyLoadBalancerAttributes', expect.stringContaining('VaultLoadBalancer87A009AB')],
      [['logs:CreateLogStream', 'logs:PutLogEvents'], expect.stringContaining('DeletionProtectionLogs')],
    ]);
    // No inline (default) policy was added to the role by AwsCustomResource.
    expect(Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes('DeletionProtectionRole'))).toEqual([]);
  });

  test('all four nag packs pass (the deletion-protection rules are acknowledged on the database and the load balancer, which this construct protects)', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});
