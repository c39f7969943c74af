// VaultBootstrapFunction (lib/vault/bootstrap/bootstrap-function.ts): the Lambda, its network and its bundle.
import * as fs from 'fs';
import * as path from 'path';
import { VAULT_BOOTSTRAP_BUNDLE_CACHE, vaultBootstrapBundleDir } from '../../../lib/vault/bootstrap/bootstrap-function';
import { bootstrapOfDev } from '../vault-stack';

const { dev, json, id, b } = bootstrapOfDev();

test('the function runs Node.js 24 in the app subnets of the cell VPC, with an encrypted log', () => {
  const fn = json.Resources[id(b.function)];
  expect(fn.Properties.Runtime).toBe('nodejs24.x');
  expect(fn.Properties.Timeout).toBe(900);
  const subnetIds = dev.network.vpc.selectSubnets(dev.network.appSubnets).subnetIds;
  expect(fn.Properties.VpcConfig.SubnetIds).toEqual(subnetIds.map((s) => ({ Ref: dev.stack.resolve(s).Ref })));
  expect(fn.Properties.VpcConfig.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [id(b.connections.securityGroups[0]), 'GroupId'] }]);
  const log = Object.values(json.Resources).find((r: any) => r.Type === 'AWS::Logs::LogGroup' && fn.Properties.LoggingConfig?.LogGroup?.Ref && json.Resources[fn.Properties.LoggingConfig.LogGroup.Ref] === r) as any;
  expect(log.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [id(dev.keys.dataKey), 'Arn'] });
});

test('network: out only to Vault (NLB and servers) on 8200 and HTTPS; Vault lets it in on 8200', () => {
  const sg = json.Resources[id(b.connections.securityGroups[0])];
  const egress = [
    ...(sg.Properties.SecurityGroupEgress ?? []),
    ...Object.values(json.Resources).filter((r: any) => r.Type === 'AWS::EC2::SecurityGroupEgress' && JSON.stringify(r.Properties.GroupId).includes(id(b.connections.securityGroups[0]))).map((r: any) => r.Properties),
  ];
  const ports = egress.map((e: any) => `${e.FromPort}-${e.DestinationSecurityGroupId ? JSON.stringify(e.DestinationSecurityGroupId['Fn::GetAtt'][0]) : e.CidrIp}`).sort();
  expect(ports).toEqual([`443-0.0.0.0/0`, `8200-"${id(dev.vault.loadBalancer.connections.securityGroups[0])}"`, `8200-"${id(dev.vault.securityGroup)}"`].sort());
  const ingress = Object.values(json.Resources).filter((r: any) => r.Type === 'AWS::EC2::SecurityGroupIngress' && JSON.stringify(r.Properties.SourceSecurityGroupId ?? '').includes(id(b.connections.securityGroups[0])));
  expect(ingress.map((r: any) => r.Properties.FromPort)).toEqual([8200, 8200]);
});

test('the handler bundle is built once, holds no CDK, and exports the handler', () => {
  const dir = vaultBootstrapBundleDir();
  expect(vaultBootstrapBundleDir()).toBe(dir);
  expect(dir.startsWith(VAULT_BOOTSTRAP_BUNDLE_CACHE)).toBe(true);
  const code = fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
  expect(code).not.toMatch(/aws-cdk-lib|constructs/);
  expect(code).toContain('sys/init');
  const lib = path.join(__dirname, '..', '..', '..', 'lib');
  const sources = [...fs.readdirSync(path.join(lib, 'vault', 'bootstrap', 'handler')).map((x) => path.join(lib, 'vault', 'bootstrap', 'handler', x)), path.join(lib, 'vault', 'bootstrap', 'vault-plan.ts'), path.join(lib, 'lambda', 'cfn-response.ts')];
  for (const f of sources) expect(fs.readFileSync(f, 'utf8')).not.toMatch(/from 'aws-cdk-lib|from 'constructs'/);
  // The bundle loads and exports the handler (the SDK client is only constructed, nothing is called).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loads the bundle just built, by path
  expect(typeof require(path.join(dir, 'index.js')).handler).toBe('function');
});
