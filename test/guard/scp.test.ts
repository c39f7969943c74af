import { CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CellkitConfigError } from '../../lib/registry/errors';
import { GUARD_APIS, guardRoleArn, guardRoleName } from '../../lib/guard/guard-role';
import { RegionGuard } from '../../lib/guard/region-guard';
import { SCP_GLOBAL_EXEMPTIONS, SCP_MAX_CHARS, regionPinScp, renderScp } from '../../lib/guard/scp';
import { TenantRegistry, registryPaths } from '../../lib/registry/registry';
import { REPO_ROOT, cellStack, teamTenant, tenant } from '../fixtures';

interface Statement {
  Sid: string;
  Effect: string;
  NotAction: string[];
  Resource: string;
  Action?: unknown;
  Condition: Record<string, Record<string, string[]>>;
}
interface Scp {
  Version: string;
  Statement: Statement[];
}

/** IAM's wildcard match for actions and ARNs: `*` any run of characters, `?` one; actions ignore case. */
const like = (pattern: string, value: string, ignoreCase = false) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, ignoreCase ? 'i' : '').test(value);

/**
 * Whether the SCP denies a request, by the documented evaluation rules ("Policy evaluation logic" and
 * "IAM JSON policy elements: Condition operators", IAM User Guide): a Deny statement applies when the
 * action is not in its NotAction and every condition operator holds; several values of one key are ORed,
 * and a negated operator (StringNotEquals, ArnNotLike) holds when the value matches none of them.
 */
function denies(scp: Scp, request: { action: string; region: string; principalArn: string }): boolean {
  const context: Record<string, string> = { 'aws:requestedregion': request.region, 'aws:principalarn': request.principalArn };
  const ops: Record<string, (values: string[], v: string) => boolean> = {
    StringNotEquals: (values, v) => !values.includes(v),
    ArnLike: (values, v) => values.some((p) => like(p, v)),
    ArnNotLike: (values, v) => !values.some((p) => like(p, v)),
  };
  return scp.Statement.some((s) => {
    if (s.Effect !== 'Deny' || s.NotAction.some((a) => like(a, request.action, true))) return false;
    return Object.entries(s.Condition).every(([op, keys]) => {
      if (!ops[op]) throw new Error(`test evaluator: no operator ${op}`);
      return Object.entries(keys).every(([key, values]) => ops[op](values, context[key.toLowerCase()]));
    });
  });
}

describe('regionPinScp', () => {
  const acme = tenant();
  const globex = teamTenant({ account: '210987654321' });

  const guardArn = 'arn:aws:iam::123456789012:role/cellkit-guard-acme-ap-southeast-2';

  test("denies every non-global action outside the pinned region, to everyone but the guard's role, which may only read there", () => {
    const scp = regionPinScp(acme, [acme, globex]) as Scp;
    expect(scp.Version).toBe('2012-10-17');
    expect(scp.Statement).toEqual([
      {
        Sid: 'CellkitDenyOutsideApSoutheast2',
        Effect: 'Deny',
        NotAction: [...SCP_GLOBAL_EXEMPTIONS],
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:RequestedRegion': ['ap-southeast-2'] }, ArnNotLike: { 'aws:PrincipalARN': [guardArn] } },
      },
      {
        Sid: 'CellkitGuardOnlyReadsOutsideApSoutheast2',
        Effect: 'Deny',
        NotAction: ['kms:ListAliases', 'rds:DescribeDBInstances', 'fsx:DescribeFileSystems'],
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:RequestedRegion': ['ap-southeast-2'] }, ArnLike: { 'aws:PrincipalARN': [guardArn] } },
      },
    ]);
    expect(guardArn).toBe(guardRoleArn('123456789012', 'acme', 'ap-southeast-2'));
  });

  test("evaluated: the guard's role reads other regions; nobody else acts there; everyone acts in the pin", () => {
    const scp = regionPinScp(acme, [acme]) as Scp;
    const alice = 'arn:aws:iam::123456789012:role/deployer';
    for (const region of ['eu-west-1', 'us-east-1']) {
      for (const action of GUARD_APIS) {
        expect(denies(scp, { action, region, principalArn: guardArn })).toBe(false);
        expect(denies(scp, { action, region, principalArn: alice })).toBe(true);
      }
      for (const action of ['kms:CreateKey', 'rds:CreateDBInstance', 'fsx:DeleteFileSystem', 'ec2:RunInstances', 'iam:CreateRole', 'sts:AssumeRole']) {
        expect(denies(scp, { action, region, principalArn: guardArn })).toBe(true);
      }
      expect(denies(scp, { action: 'iam:CreateRole', region, principalArn: alice })).toBe(false);
    }
    // The guard role of another tenant, or of this tenant in another region, is not exempt.
    expect(denies(scp, { action: 'kms:ListAliases', region: 'eu-west-1', principalArn: 'arn:aws:iam::123456789012:role/cellkit-guard-acme-eu-west-1' })).toBe(true);
    expect(denies(scp, { action: 'kms:ListAliases', region: 'eu-west-1', principalArn: 'arn:aws:iam::123456789012:role/cellkit-guard-acme-corp-ap-southeast-2' })).toBe(true);
    for (const principalArn of [guardArn, alice]) expect(denies(scp, { action: 'kms:CreateKey', region: 'ap-southeast-2', principalArn })).toBe(false);
  });

  test('exempts the global services of AWS example but not KMS, nor the services a cell stores data in', () => {
    expect(SCP_GLOBAL_EXEMPTIONS).toEqual(expect.arrayContaining(['iam:*', 'organizations:*', 'sts:*', 'route53:*', 'cloudfront:*', 'support:*', 'budgets:*', 'waf:*', 'health:*', 'trustedadvisor:*']));
    for (const service of ['kms', 'rds', 'fsx', 'ec2', 's3', 'secretsmanager', 'backup', 'logs', 'lambda', 'cloudformation']) {
      expect(SCP_GLOBAL_EXEMPTIONS.filter((a) => a === '*' || a === `${service}:*`)).toEqual([]);
    }
    expect(new Set(SCP_GLOBAL_EXEMPTIONS).size).toBe(SCP_GLOBAL_EXEMPTIONS.length);
    for (const a of SCP_GLOBAL_EXEMPTIONS) expect(a).toMatch(/^[a-z0-9-]+:[A-Za-z*]+$/);
  });

  test('can exempt named break-glass principals, and refuses anything but IAM role or user ARNs', () => {
    const scp = regionPinScp(acme, [acme], { exemptPrincipalArns: ['arn:aws:iam::*:role/BreakGlass'] }) as Scp;
    expect(scp.Statement[0].Condition.ArnNotLike).toEqual({ 'aws:PrincipalARN': [guardArn, 'arn:aws:iam::*:role/BreakGlass'] });
    expect(denies(scp, { action: 'kms:CreateKey', region: 'eu-west-1', principalArn: 'arn:aws:iam::123456789012:role/BreakGlass' })).toBe(false);
    expect(() => regionPinScp(acme, [acme], { exemptPrincipalArns: ['*'] })).toThrow('exempt principal: must be an IAM role or user ARN such as arn:aws:iam::*:role/BreakGlass; got *');
  });

  test('refuses a tenant whose account another tenant shares', () => {
    const sharing = teamTenant();
    const attempt = () => regionPinScp(acme, [acme, sharing]);
    expect(attempt).toThrow(CellkitConfigError);
    expect(attempt).toThrow('tenant "acme": account 123456789012 is shared with tenant "globex" (pinned to eu-west-2); a service control policy applies to the whole account');
  });

  test('is rendered as JSON within the SCP size limit', () => {
    const text = renderScp(regionPinScp(acme, [acme], { exemptPrincipalArns: ['arn:aws:iam::*:role/BreakGlass'] }));
    expect(text.length).toBeLessThanOrEqual(SCP_MAX_CHARS);
    expect(JSON.parse(text)).toEqual(regionPinScp(acme, [acme], { exemptPrincipalArns: ['arn:aws:iam::*:role/BreakGlass'] }));
    expect(() => renderScp({ NotAction: 'x'.repeat(SCP_MAX_CHARS) })).toThrow(`AWS Organizations allows ${SCP_MAX_CHARS}`);
  });
});

describe("the SCP and the guard's role in both example tenants' templates", () => {
  const registry = TenantRegistry.load(registryPaths(REPO_ROOT));

  test.each(['northwind', 'contoso'])('%s: the role the SCP exempts is exactly the guard role of the template', (id) => {
    const t = registry.tenants.find((x) => x.id === id)!;
    const stack = cellStack(t);
    const guard = stack.node.findChild('RegionGuard') as RegionGuard;
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
    const roleName = `cellkit-guard-${id}-${t.pin.region}`;
    expect(resources[stack.getLogicalId(guard.role.node.defaultChild as CfnResource)].Properties.RoleName).toBe(roleName);
    // The only role with that name in the stack.
    expect(Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === roleName)).toHaveLength(1);
    const scp = regionPinScp(t, registry.tenants) as Scp;
    const roleArn = `arn:aws:iam::${t.spec.account}:role/${roleName}`;
    expect(scp.Statement[0].Condition.ArnNotLike['aws:PrincipalARN']).toEqual([roleArn]);
    expect(scp.Statement[1].Condition.ArnLike['aws:PrincipalARN']).toEqual([roleArn]);
    const other = t.pin.region === 'eu-west-1' ? 'us-east-1' : 'eu-west-1';
    for (const action of GUARD_APIS) expect(denies(scp, { action, region: other, principalArn: roleArn })).toBe(false);
  });
});

describe('guardRoleName', () => {
  test('is fixed by tenant and region and stays within the 64 characters IAM allows', () => {
    expect(guardRoleName('acme', 'ap-southeast-2')).toBe('cellkit-guard-acme-ap-southeast-2');
    expect(guardRoleName('a'.repeat(32), 'ap-southeast-2')).toHaveLength(61);
    expect(() => guardRoleName('a'.repeat(32), 'ap-southeast-2-extra')).toThrow(`region guard role name cellkit-guard-${'a'.repeat(32)}-ap-southeast-2-extra for tenant "${'a'.repeat(32)}" in ap-southeast-2-extra is 67 characters; IAM allows 64`);
  });
});
