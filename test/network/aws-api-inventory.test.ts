// The cell's AWS API inventory (lib/network/aws-api-inventory.ts) against the example tenants' templates.
// An egress "none" cell reaches AWS only through VPC endpoints, so every call made from inside the cell
// must have one (e.g. Vault's Raft auto-join calls ec2:DescribeInstances: hashicorp/go-discover provider/aws).
import { Template } from 'aws-cdk-lib/assertions';
import { CELL_AWS_APIS } from '../../lib/network/aws-api-inventory';
import { TenantRegistry, registryPaths } from '../../lib/registry/registry';
import { REPO_ROOT, cellStack } from '../fixtures';
import { userDataOf } from '../vault/vault-stack';

const registry = TenantRegistry.load(registryPaths(REPO_ROOT));
const cells = registry.tenants.map((t) => ({
  t,
  json: Template.fromStack(cellStack(t, { allowedRegions: registry.regions.codes })).toJSON() as { Resources: Record<string, any> },
}));
const none = cells.filter((c) => c.t.spec.egress === 'none');
const inventoryApis = new Set(CELL_AWS_APIS.map((a) => a.api));
const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : [x]);

test('the examples include an egress "none" cell (contoso)', () => {
  expect(none.map((c) => c.t.id)).toEqual(['contoso']);
});

describe.each(none.map((c) => [c.t.id, c] as const))('%s (egress none): every AWS API called inside the cell has a VPC endpoint', (_id, { t, json }) => {
  const endpoints = Object.values(json.Resources).filter((r) => r.Type === 'AWS::EC2::VPCEndpoint');
  const appSubnets = Object.entries(json.Resources)
    .filter(([id, r]) => r.Type === 'AWS::EC2::Subnet' && /^NetworkVpcAppSubnet\d/.test(id))
    .map(([id]) => ({ Ref: id }));

  test.each(CELL_AWS_APIS.map((a) => [a.api, a.caller, a] as const))('%s (%s)', (_api, _caller, a) => {
    if (a.endpoint === 's3') {
      // The gateway endpoint routes every route table of the VPC to S3.
      const gw = endpoints.filter((e) => e.Properties.VpcEndpointType === 'Gateway' && JSON.stringify(e.Properties.ServiceName).endsWith('.s3"]]}'));
      expect(gw).toHaveLength(1);
      return;
    }
    const match = endpoints.filter((e) => e.Properties.ServiceName === `com.amazonaws.${t.pin.region}.${a.endpoint}`);
    expect(match).toHaveLength(1);
    // Private DNS: SDKs, the CLI and Vault use the regional host name unchanged; in the subnets where callers run.
    expect(match[0].Properties).toMatchObject({ VpcEndpointType: 'Interface', PrivateDnsEnabled: true });
    expect(match[0].Properties.SubnetIds).toEqual(appSubnets);
  });

  test('the inventory covers every action the Vault role and the in-VPC function are granted', () => {
    const roles = Object.entries(json.Resources).filter(([id, r]) => r.Type === 'AWS::IAM::Role' && /^(VaultRole|DeletionProtectionRole)/.test(id)).map(([id]) => id);
    expect(roles).toHaveLength(2);
    const granted = Object.values(json.Resources)
      .filter((r) => r.Type === 'AWS::IAM::ManagedPolicy' && list(r.Properties.Roles).some((x: any) => roles.includes(x.Ref)))
      // Statements limited by kms:ViaService are used by Secrets Manager and S3 on the caller's behalf, outside the VPC.
      .flatMap((r) => r.Properties.PolicyDocument.Statement.filter((s: any) => !s.Condition?.StringEquals?.['kms:ViaService']).flatMap((s: any) => list(s.Action) as string[]));
    expect(granted.length).toBeGreaterThan(5);
    expect(granted.filter((a) => !inventoryApis.has(a))).toEqual([]);
  });

  test('the inventory covers every AWS CLI call in the node scripts and the bootstrap, and every call of the deletion-protection resources', () => {
    const scripts = userDataOf(json);
    const cli = [...scripts.matchAll(/(?:^|[\s(;|&])aws ([a-z0-9]+) ([a-z][a-z-]*)(?=\s)/gm)].map(([, svc, cmd]) => `${svc} ${cmd}`);
    expect(cli.length).toBeGreaterThan(3);
    const action: Record<string, string[]> = {
      'secretsmanager get-secret-value': ['secretsmanager:GetSecretValue'],
      'secretsmanager put-secret-value': ['secretsmanager:PutSecretValue'],
      's3 cp': ['s3:GetObject', 's3:PutObject'],
    };
    for (const call of new Set(cli)) {
      expect([call, action[call]?.every((a) => inventoryApis.has(a))]).toEqual([call, true]);
    }
    const sdkCalls = Object.values(json.Resources)
      .filter((r) => r.Type === 'Custom::CellkitDeletionProtection')
      .map((r) => JSON.parse(r.Properties.Create['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : 'X')).join('')) as { service: string; action: string });
    expect(sdkCalls.map((c) => c.action).sort()).toEqual(['ModifyDBInstance', 'ModifyLoadBalancerAttributes']);
    const prefix: Record<string, string> = { RDS: 'rds', ElasticLoadBalancingV2: 'elasticloadbalancing' };
    for (const c of sdkCalls) expect(inventoryApis).toContain(`${prefix[c.service]}:${c.action}`);
  });

  test('Vault auto-joins through EC2 (so the ec2 endpoint is needed) and seals through KMS', () => {
    const userData = userDataOf(json);
    expect(userData).toContain('provider=aws');
    expect(inventoryApis).toContain('ec2:DescribeInstances');
    expect(userData).toContain('"awskms"');
  });
});
