import { CellkitConfigError } from '../../lib/registry/errors';
import { SCP_GLOBAL_EXEMPTIONS, SCP_MAX_CHARS, regionPinScp, renderScp } from '../../lib/guard/scp';
import { teamTenant, tenant } from '../fixtures';

interface Scp {
  Version: string;
  Statement: { Sid: string; Effect: string; NotAction: string[]; Resource: string; Action?: unknown; Condition: Record<string, Record<string, string[]>> }[];
}

describe('regionPinScp', () => {
  const acme = tenant();
  const globex = teamTenant({ account: '210987654321' });

  test('denies every non-global action outside the pinned region, for the whole account', () => {
    const scp = regionPinScp(acme, [acme, globex]) as Scp;
    expect(scp.Version).toBe('2012-10-17');
    expect(scp.Statement).toHaveLength(1);
    const [s] = scp.Statement;
    expect(s).toEqual({
      Sid: 'CellkitDenyOutsideApSoutheast2',
      Effect: 'Deny',
      NotAction: [...SCP_GLOBAL_EXEMPTIONS],
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:RequestedRegion': ['ap-southeast-2'] } },
    });
    expect(s.Action).toBeUndefined();
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
    expect(scp.Statement[0].Condition.ArnNotLike).toEqual({ 'aws:PrincipalARN': ['arn:aws:iam::*:role/BreakGlass'] });
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
