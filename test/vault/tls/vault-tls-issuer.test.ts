import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SECRET_ROTATION_RULES } from '../../../lib/compliance/nag-packs';
import { TLS_ENV } from '../../../lib/vault/tls/handler/settings';
import { VaultTlsIssuer, tlsIssuerBundleDir } from '../../../lib/vault/tls/vault-tls-issuer';
import { cellStack, nagFindings, teamTenant, tenant } from '../../fixtures';
import { vaultStack } from '../vault-stack';

type Resources = Record<string, { Type: string; Properties?: any; DependsOn?: string[]; Metadata?: any }>;
const ofType = (json: { Resources: Resources }, type: string) => Object.entries(json.Resources).filter(([, r]) => r.Type === type);
const only = (json: { Resources: Resources }, type: string) => {
  const found = ofType(json, type);
  expect(found).toHaveLength(1);
  return found[0];
};
/** A real PEM block (header, base64 body, footer), not just the marker strings the handler's code contains. */
/** JSON files escape the line breaks as \\n, so those count as whitespace too. */
const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----(?:\s|\\[nr])+(?:[A-Za-z0-9+/=\s]|\\[nr]){40,}-----END [A-Z0-9 ]+-----/;

describe.each([
  ['nat', tenant()],
  ['none', teamTenant()],
])('TLS issuer, egress %s', (_, t) => {
  const s = vaultStack(t);
  const json = Template.fromStack(s.stack).toJSON() as { Resources: Resources };
  const tlsSecretId = s.stack.getLogicalId(s.vault.tlsSecret.node.defaultChild as never);
  const issuer = s.vault.tlsIssuer!;
  const fnId = s.stack.getLogicalId(issuer.function.node.defaultChild as never);

  test('the custom resource gets both secrets, the server name and the NLB DNS name (a deploy-time attribute)', () => {
    const [, cr] = only(json, 'Custom::CellkitVaultTls');
    expect(cr.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [fnId, 'Arn'] },
      // Fails a deploy whose function cannot answer in 10 minutes instead of CloudFormation's default hour.
      ServiceTimeout: '600',
      TenantId: t.id,
      TlsSecretArn: { Ref: tlsSecretId },
      CaSecretArn: { Ref: s.stack.getLogicalId(issuer.caSecret.node.defaultChild as never) },
      ServerName: `vault.${t.id}.cellkit.internal`,
      LoadBalancerDnsName: { 'Fn::GetAtt': [s.stack.getLogicalId(s.vault.loadBalancer.node.defaultChild as never), 'DNSName'] },
    });
  });

  test('the custom resource waits for the Secrets Manager endpoint and the S3 gateway endpoint', () => {
    const [, cr] = only(json, 'Custom::CellkitVaultTls');
    const endpoints = ofType(json, 'AWS::EC2::VPCEndpoint').map(([id]) => id);
    expect(endpoints.find((id) => id.includes('SecretsManager'))).toBeDefined();
    expect(endpoints.find((id) => id.includes('S3'))).toBeDefined();
    expect(cr.DependsOn).toEqual(expect.arrayContaining(endpoints));
  });

  test('the Lambda runs in the app subnets, Node.js 24, HTTPS out only, log encrypted with the data key', () => {
    const fn = json.Resources[fnId];
    expect(fn.Properties.Runtime).toBe('nodejs24.x');
    const appSubnets = s.stack.resolve(s.network.vpc.selectSubnets(s.network.appSubnets).subnetIds);
    expect(fn.Properties.VpcConfig.SubnetIds).toEqual(appSubnets);
    const [sgId] = fn.Properties.VpcConfig.SecurityGroupIds.map((x: { 'Fn::GetAtt': string[] }) => x['Fn::GetAtt'][0]);
    const sg = json.Resources[sgId].Properties;
    expect(sg.SecurityGroupEgress).toEqual([{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: expect.stringContaining('HTTPS') }]);
    expect(ofType(json, 'AWS::EC2::SecurityGroupIngress').filter(([, r]) => JSON.stringify(r.Properties.GroupId).includes(sgId))).toEqual([]);
    const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref;
    expect(json.Resources[logGroupId].Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [s.stack.getLogicalId(s.keys.dataKey.node.defaultChild as never), 'Arn'] });
    expect(Object.keys(fn.Properties.Environment.Variables).sort()).toEqual(Object.values(TLS_ENV).sort());
  });

  test('least privilege: exact secrets, data key only through Secrets Manager, "*" only for the network interfaces', () => {
    const policies = ofType(json, 'AWS::IAM::ManagedPolicy').filter(([, r]) => JSON.stringify(r.Properties.Roles).includes(s.stack.getLogicalId(issuer.role.node.defaultChild as never)));
    expect(policies).toHaveLength(1);
    const statements = policies[0][1].Properties.PolicyDocument.Statement as { Sid: string; Action: string[]; Resource: unknown; Condition?: unknown }[];
    const bySid = Object.fromEntries(statements.map((st) => [st.Sid, st]));
    expect(bySid.RotateTlsSecret.Resource).toEqual({ Ref: tlsSecretId });
    expect(bySid.KeepCa.Resource).toEqual({ Ref: s.stack.getLogicalId(issuer.caSecret.node.defaultChild as never) });
    expect(bySid.DataKeyThroughSecretsManager).toMatchObject({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${t.pin.region}.amazonaws.com` } } });
    expect(statements.filter((st) => st.Resource === '*').map((st) => st.Sid)).toEqual(['VpcNetworkInterfaces']);
    for (const st of statements) for (const a of [st.Action].flat()) expect(a).not.toContain('*');
    // No inline policies on the issuer's role.
    expect(ofType(json, 'AWS::IAM::Policy').filter(([, r]) => JSON.stringify(r.Properties.Roles).includes(s.stack.getLogicalId(issuer.role.node.defaultChild as never)))).toEqual([]);
  });

  test('Secrets Manager rotation of the TLS secret every 30 days, only after the first certificate, never on deploy', () => {
    const [, rotation] = only(json, 'AWS::SecretsManager::RotationSchedule');
    expect(rotation.Properties).toEqual({
      SecretId: { Ref: tlsSecretId },
      RotationLambdaARN: { 'Fn::GetAtt': [fnId, 'Arn'] },
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      RotateImmediatelyOnUpdate: false,
    });
    expect(rotation.DependsOn).toEqual(expect.arrayContaining([only(json, 'Custom::CellkitVaultTls')[0]]));
    const permissions = ofType(json, 'AWS::Lambda::Permission').filter(([, r]) => r.Properties.Principal === 'secretsmanager.amazonaws.com');
    expect(permissions.map(([, r]) => r.Properties)).toEqual([{ Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, Principal: 'secretsmanager.amazonaws.com', SourceArn: { Ref: tlsSecretId } }]);
  });

  test('rotation, not an acknowledgment, satisfies the packs\' rotation rules for the TLS secret', () => {
    const again = vaultStack(t);
    again.vault.tlsIssuer!.node.tryRemoveChild('Rotation');
    // Without the schedule, exactly the three rotation rules fire (on the TLS secret: nothing else changed).
    const rotationFindings = nagFindings(again.stack).map((f) => f.rule);
    expect(rotationFindings.sort()).toEqual([...SECRET_ROTATION_RULES].sort());
  });

  test('the CA secret is empty in the template, retained, encrypted with the data key; its logical id is locked', () => {
    const caId = s.stack.getLogicalId(issuer.caSecret.node.defaultChild as never);
    expect(caId).toBe('VaultTlsCaSecret5D60BD07');
    expect(tlsSecretId).toBe('VaultTlsSecretFF200135');
    const ca = json.Resources[caId] as { Properties: Record<string, unknown>; DeletionPolicy?: string };
    expect(ca.Properties).not.toHaveProperty('SecretString');
    expect(ca.Properties).not.toHaveProperty('GenerateSecretString');
    expect(ca.DeletionPolicy).toBe('Retain');
    expect(ca.Properties.Name).toBe(`/cellkit/${t.id}/vault/tls-ca`);
  });

  test('no key or certificate material in the template', () => {
    expect(JSON.stringify(json)).not.toMatch(PEM_BLOCK);
  });

  test('the four nag packs pass with no unacknowledged finding', () => {
    expect(nagFindings(s.stack)).toEqual([]);
  });
});

test('tls "operator": no issuer, no rotation, the TLS secret keeps its rotation acknowledgment', () => {
  const s = vaultStack(tenant(), { tls: 'operator' });
  const json = Template.fromStack(s.stack).toJSON() as { Resources: Resources };
  expect(s.vault.tlsIssuer).toBeUndefined();
  expect(ofType(json, 'Custom::CellkitVaultTls')).toEqual([]);
  expect(ofType(json, 'AWS::SecretsManager::RotationSchedule')).toEqual([]);
  expect(json.Resources.VaultTlsSecretFF200135.Properties.Description).toContain('set by an operator');
  expect(nagFindings(s.stack)).toEqual([]);
});

test('bad tls mode and rotation intervals are refused, naming the tenant, the field and what is allowed', () => {
  expect(() => vaultStack(tenant(), { tls: 'acme' as never })).toThrow('VaultCluster for tenant "acme": tls must be "cellkit" or "operator"; got "acme"');
  for (const interval of [Duration.days(0), Duration.days(61), Duration.hours(36)]) {
    const s = vaultStack(tenant(), { tls: 'operator' });
    expect(
      () =>
        new VaultTlsIssuer(s.vault, 'Other', {
          tenantId: 'acme',
          vpc: s.network.vpc,
          vpcSubnets: s.network.appSubnets,
          tlsSecret: s.vault.tlsSecret,
          dataKey: s.keys.dataKey,
          serverName: 'vault.acme.cellkit.internal',
          loadBalancerDnsName: s.vault.loadBalancer.loadBalancerDnsName,
          rotationInterval: interval,
        }),
    ).toThrow(/VaultTlsIssuer for tenant "acme": rotationInterval must be whole days from 1 to 60 \(certificates live 90 days\); got /);
  }
});

test('cdk.out of a whole cell (templates and assets) holds no PEM block; the scan finds one when present', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-pem-scan-'));
  try {
    const stack = cellStack(teamTenant());
    const assembly = (stack.node.root as import('aws-cdk-lib').App).synth({ outdir: out } as never);
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(assembly.directory);
    expect(files.some((f) => f.endsWith('.template.json'))).toBe(true);
    expect(files.some((f) => f.endsWith('index.js'))).toBe(true);
    for (const f of files) expect([f, PEM_BLOCK.test(fs.readFileSync(f, 'utf8'))]).toEqual([f, false]);
    const planted = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg1234567890abcdefABCDEF\n-----END PRIVATE KEY-----';
    expect(PEM_BLOCK.test(JSON.stringify({ x: planted }))).toBe(true);
    expect(PEM_BLOCK.test(planted)).toBe(true);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('the tenant spec\'s vault.tls reaches the cell: "operator" leaves out the issuer, the default has it', () => {
  const base = tenant();
  const operator = Template.fromStack(cellStack(tenant({ vault: { ...base.spec.vault!, tls: 'operator' } }))).toJSON() as { Resources: Resources };
  expect(ofType(operator, 'Custom::CellkitVaultTls')).toEqual([]);
  const byDefault = Template.fromStack(cellStack(base)).toJSON() as { Resources: Resources };
  expect(ofType(byDefault, 'Custom::CellkitVaultTls')).toHaveLength(1);
});

test('the bundled handler loads on its own (SDK, @peculiar/x509 and its Reflect polyfill are inside) and exports handler', () => {
  const dir = tlsIssuerBundleDir();
  expect(tlsIssuerBundleDir()).toBe(dir); // once per process
  const script = `const m = require(${JSON.stringify(path.join(dir, 'index.js'))}); process.stdout.write(typeof m.handler);`;
  // A bare node in an empty folder: nothing outside the bundle can be resolved.
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-bundle-'));
  try {
    const out = execFileSync(process.execPath, ['-e', script], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-2', NODE_PATH: '' } });
    expect(out).toBe('function');
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});
