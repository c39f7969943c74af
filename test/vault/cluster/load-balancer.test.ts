// VaultLoadBalancer (lib/vault/cluster/load-balancer.ts): the internal NLB in front of the Vault servers.
import { Match } from 'aws-cdk-lib/assertions';
import { VAULT_HEALTH_CHECK_PATH } from '../../../lib/vault/vault-cluster';
import { prodAndDev } from '../vault-stack';

const { prodT, devT } = prodAndDev();

test('internal NLB, TCP 8200 passthrough, HTTPS liveness check that keeps sealed and uninitialised nodes (no replacement)', () => {
  prodT.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
    Type: 'network', Scheme: 'internal',
  });
  // Deletion protection is turned on after create by the cell's DeletionProtection (test/rollback), never in the
  // template: a protected load balancer would make a failed first deploy end in ROLLBACK_FAILED.
  const lb = Object.values(prodT.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))[0];
  expect(lb.Properties.LoadBalancerAttributes).not.toContainEqual({ Key: 'deletion_protection.enabled', Value: 'true' });
  prodT.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 8200, Protocol: 'TCP' });
  prodT.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
    Port: 8200, Protocol: 'TCP', TargetType: 'instance',
    HealthCheckProtocol: 'HTTPS', HealthCheckPort: '8200', HealthCheckPath: '/v1/sys/health?standbyok=true&sealedcode=200&uninitcode=200&haunhealthycode=200', Matcher: { HttpCode: '200' },
  });
  expect(VAULT_HEALTH_CHECK_PATH).toBe('/v1/sys/health?standbyok=true&sealedcode=200&uninitcode=200&haunhealthycode=200');
});

test.each([['prod', prodT], ['dev', devT]] as const)('%s: the NLB\'s security group lets in only the application plane and the bootstrap on 8200, and out only to the servers', (_n, t) => {
  const onLb = (type: string) => Object.values(t.findResources(type)).map((r: any) => r.Properties).filter((r) => JSON.stringify(r.GroupId).includes('VaultLoadBalancerSecurityGroup'));
  const peer = (r: any) => (r.SourceSecurityGroupId ?? r.DestinationSecurityGroupId)['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, '');
  expect(onLb('AWS::EC2::SecurityGroupIngress').map((r) => [r.FromPort, r.ToPort, peer(r)]).sort()).toEqual([[8200, 8200, 'NetworkAppSecurityGroup'], [8200, 8200, 'VaultBootstrapSecurityGroup']]);
  expect(onLb('AWS::EC2::SecurityGroupEgress').map((r) => [r.FromPort, r.ToPort, peer(r)])).toEqual([[8200, 8200, 'VaultSecurityGroup']]);
  t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Type: 'network', Scheme: 'internal', LoadBalancerAttributes: Match.arrayWith([{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }]) });
});
