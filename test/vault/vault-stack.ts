// Builds the Vault cluster the way cell-stack.ts wires it, in a stack of its own, with a
// stand-in database target (the data tier is not imported here).
import { spawnSync } from 'child_process';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Template } from 'aws-cdk-lib/assertions';
import { CellKeys } from '../../lib/keys/cell-keys';
import { CellNetwork } from '../../lib/network/cell-network';
import { Tenant } from '../../lib/registry/registry';
import { VaultCluster, VaultClusterProps } from '../../lib/vault/vault-cluster';
import { teamTenant, tenant } from '../fixtures';

class TestStack extends Stack {
  constructor(app: App, id: string, private readonly zones: readonly string[], env: { account: string; region: string }) {
    super(app, id, { env });
  }
  get availabilityZones(): string[] {
    return [...this.zones];
  }
}

export interface VaultTestStack {
  readonly stack: Stack;
  readonly keys: CellKeys;
  readonly network: CellNetwork;
  readonly databaseSecret: secretsmanager.Secret;
  readonly databaseSecurityGroup: ec2.SecurityGroup;
  readonly vault: VaultCluster;
}

export function vaultStack(t: Tenant, overrides: Partial<VaultClusterProps> = {}): VaultTestStack {
  const app = new App();
  const stack = new TestStack(app, `Vault-${t.id}`, t.region.availabilityZones, { account: t.spec.account, region: t.pin.region });
  const keys = new CellKeys(stack, 'Keys', { tenantId: t.id });
  const network = new CellNetwork(stack, 'Network', { availabilityZones: t.region.availabilityZones, egress: t.spec.egress, logKey: keys.dataKey });
  const databaseSecret = new secretsmanager.Secret(stack, 'DatabaseSecret', { encryptionKey: keys.dataKey });
  for (const id of ['AwsSolutions-SMG4', 'HIPAA.Security-SecretsManagerRotationEnabled', 'NIST.800.53.R5-SecretsManagerRotationEnabled']) {
    Validations.of(databaseSecret).acknowledge({ id, reason: 'Test stand-in for the data tier\'s master secret.' });
  }
  const databaseSecurityGroup = new ec2.SecurityGroup(stack, 'DatabaseSecurityGroup', { vpc: network.vpc, allowAllOutbound: false, description: 'stand-in database' });
  const vault = new VaultCluster(stack, 'Vault', {
    tenantId: t.id,
    vpc: network.vpc,
    vpcSubnets: network.appSubnets,
    clientSecurityGroup: network.appSecurityGroup,
    sealKey: keys.sealKey,
    dataKey: keys.dataKey,
    egress: t.spec.egress,
    nodes: t.spec.sizing === 'prod' ? 5 : 3,
    recovery: t.spec.vault ? { pgpKeys: t.spec.vault.recoveryPgpKeys, threshold: t.spec.vault.recoveryThreshold } : undefined,
    database: {
      hostname: 'db.example.internal',
      port: 5432,
      databaseName: 'company',
      masterSecret: databaseSecret,
      connections: databaseSecurityGroup,
    },
    ...overrides,
  });
  // In a cell, DeletionProtection (lib/rollback) turns the load balancer's protection on after create.
  for (const id of ['HIPAA.Security-ELBDeletionProtectionEnabled', 'NIST.800.53.R5-ELBDeletionProtectionEnabled']) {
    Validations.of(vault.loadBalancer).acknowledge({ id, reason: 'Test stand-in: in a cell, DeletionProtection turns it on right after create (test/rollback).' });
  }
  return { stack, keys, network, databaseSecret, databaseSecurityGroup, vault };
}

/** Resolves the intrinsics CDK puts in scripts into readable placeholders (`<LogicalId>`, `<LogicalId.Attr>`). */
export function resolveFn(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  const v = value as Record<string, unknown>;
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(resolveFn).join(sep);
  }
  if ('Fn::Base64' in v) return resolveFn(v['Fn::Base64']);
  if ('Ref' in v) {
    const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com', 'AWS::Region': 'REGION', 'AWS::AccountId': 'ACCOUNT' };
    const ref = v.Ref as string;
    return pseudo[ref] ?? `<${ref}>`;
  }
  if ('Fn::GetAtt' in v) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  throw new Error(`unexpected intrinsic in script: ${JSON.stringify(value)}`);
}

/** The launch template's user data, resolved. */
export function userDataOf(template: Record<string, any>): string {
  const lts = Object.values(template.Resources).filter((r: any) => r.Type === 'AWS::EC2::LaunchTemplate') as any[];
  if (lts.length !== 1) throw new Error(`expected one launch template, found ${lts.length}`);
  return resolveFn(lts[0].Properties.LaunchTemplateData.UserData);
}

/** A file the user data writes (quoted heredoc), by path. */
export function writtenFile(userData: string, path: string): string {
  const start = `cat > ${path} <<'CELLKIT_EOF'\n`;
  const i = userData.indexOf(start);
  if (i < 0) throw new Error(`user data writes no ${path}`);
  const body = userData.slice(i + start.length);
  return `${body.slice(0, body.indexOf('\nCELLKIT_EOF\n'))}\n`;
}

/** Runs shellcheck on a script; null when shellcheck is absent and CI is not set (CI=true fails instead). */
export function shellcheck(script: string): string | null {
  const r = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '-'], { input: script, encoding: 'utf8' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    if (process.env.CI === 'true') throw new Error('shellcheck is not installed, and CI=true requires it: apt-get install -y shellcheck');
    return null;
  }
  return r.status === 0 ? '' : `${r.stdout}${r.stderr}`;
}

/** The logical ID of an L2 construct's resource. */
export const logicalId = (stack: Stack, c: { node: { defaultChild?: unknown } }): string => stack.getLogicalId(c.node.defaultChild as never);

/** A value or a list of them, as a list (IAM Action and Resource take both). */
export const list = (x: unknown): any[] => (Array.isArray(x) ? x : [x]);

/** Every IAM statement of the template's policies and roles, with the logical ID of its holder as `id`. */
export function statementsOf(t: Template): any[] {
  return Object.entries(t.toJSON().Resources as Record<string, any>)
    .filter(([, r]) => ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::Role'].includes(r.Type))
    .flatMap(([id, r]) => [
      ...(r.Properties.PolicyDocument?.Statement ?? []),
      ...(r.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement),
    ].map((s: any) => ({ id, ...s })));
}

/** The two Vault test stacks every part's test reads: tenant() and teamTenant(). */
export function prodAndDev() {
  const prod = vaultStack(tenant()); // ap-southeast-2, nat, 5 nodes
  const dev = vaultStack(teamTenant()); // eu-west-2, none, 3 nodes
  return { prod, dev, prodT: Template.fromStack(prod.stack), devT: Template.fromStack(dev.stack) };
}

/** The bootstrap of teamTenant()'s Vault, what the bootstrap's and its parts' tests read. */
export function bootstrapOfDev() {
  const dev = vaultStack(teamTenant());
  const json = Template.fromStack(dev.stack).toJSON() as { Resources: Record<string, any> };
  const id = (c: { node: { defaultChild?: unknown } } | any): string => dev.stack.getLogicalId((c.node.defaultChild ?? c) as never);
  return { dev, json, id, b: dev.vault.bootstrap };
}
