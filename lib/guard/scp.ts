// `cellkit guard scp`: an AWS Organizations service control policy pinning a tenant's account to its region.
import { CellkitConfigError } from '../registry/errors';
import { Tenant } from '../registry/registry';
import { GUARD_APIS, guardRoleArn } from './guard-role';

/**
 * Global services exempted from the region deny, after AWS's example "Deny access to AWS based on
 * the requested AWS Region" (AWS Organizations User Guide). Their endpoints live in us-east-1 (or
 * us-west-2), so denying them by region would break IAM, billing and support. One deliberate
 * difference: `kms:*` is not exempt. KMS is regional; AWS exempts it only for use with global
 * services such as CloudFront, which a cell does not use, and a KMS key outside the pin is exactly
 * what the region guard looks for.
 */
export const SCP_GLOBAL_EXEMPTIONS: readonly string[] = [
  'a4b:*', 'access-analyzer:*', 'account:*', 'acm:*', 'activate:*', 'artifact:*', 'aws-marketplace-management:*', 'aws-marketplace:*', 'aws-portal:*',
  'billing:*', 'billingconductor:*', 'budgets:*', 'ce:*', 'chatbot:*', 'chime:*', 'cloudfront:*', 'cloudtrail:LookupEvents', 'compute-optimizer:*',
  'config:*', 'consoleapp:*', 'consolidatedbilling:*', 'cur:*', 'datapipeline:GetAccountLimits', 'devicefarm:*', 'directconnect:*',
  'ec2:DescribeRegions', 'ec2:DescribeTransitGateways', 'ec2:DescribeVpnGateways', 'ecr-public:*', 'fms:*', 'freetier:*', 'globalaccelerator:*',
  'health:*', 'iam:*', 'importexport:*', 'invoicing:*', 'iq:*', 'license-manager:ListReceivedLicenses', 'lightsail:Get*', 'mobileanalytics:*',
  'networkmanager:*', 'notifications-contacts:*', 'notifications:*', 'organizations:*', 'payments:*', 'pricing:*', 'quicksight:DescribeAccountSubscription',
  'resource-explorer-2:*', 'route53-recovery-cluster:*', 'route53-recovery-control-config:*', 'route53-recovery-readiness:*', 'route53:*', 'route53domains:*',
  's3:CreateMultiRegionAccessPoint', 's3:DeleteMultiRegionAccessPoint', 's3:DescribeMultiRegionAccessPointOperation', 's3:GetAccountPublicAccessBlock',
  's3:GetBucketLocation', 's3:GetBucketPolicyStatus', 's3:GetBucketPublicAccessBlock', 's3:GetMultiRegionAccessPoint', 's3:GetMultiRegionAccessPointPolicy',
  's3:GetMultiRegionAccessPointPolicyStatus', 's3:GetStorageLensConfiguration', 's3:GetStorageLensDashboard', 's3:ListAllMyBuckets',
  's3:ListMultiRegionAccessPoints', 's3:ListStorageLensConfigurations', 's3:PutAccountPublicAccessBlock', 's3:PutMultiRegionAccessPointPolicy',
  'savingsplans:*', 'shield:*', 'sso:*', 'sts:*', 'support:*', 'supportapp:*', 'supportplans:*', 'sustainability:*', 'tag:GetResources', 'tax:*',
  'trustedadvisor:*', 'vendor-insights:ListEntitledSecurityProfiles', 'waf-regional:*', 'waf:*', 'wafv2:*',
];

/** AWS Organizations' limit on a service control policy document. */
export const SCP_MAX_CHARS = 5120;

export interface RegionPinScpOptions {
  /**
   * Principal ARNs (wildcards allowed, e.g. a break-glass role) the policy does not apply to.
   * @default - none: the policy applies to every principal of the account
   */
  readonly exemptPrincipalArns?: readonly string[];
}

/**
 * The SCP for a tenant's dedicated account: deny every action outside its pinned region, global
 * services excepted. Refused when another tenant shares the account, since an SCP applies to the
 * whole account.
 *
 * The region guard's own role (a fixed name, see guard-role.ts) must call KMS, RDS and FSx in the
 * other allowed regions, so the first statement exempts exactly that role ARN (`ArnNotLike
 * aws:PrincipalARN`, as in AWS's region-deny example, AWS Organizations User Guide, "SCP examples:
 * General examples"), and a second statement denies that role everything outside the pinned region
 * but those three read calls: whoever holds the role, it can only read elsewhere.
 */
export function regionPinScp(tenant: Tenant, allTenants: readonly Tenant[], options: RegionPinScpOptions = {}): object {
  const account = tenant.spec.account;
  const sharing = allTenants.filter((t) => t.id !== tenant.id && t.spec.account === account).map((t) => `"${t.id}" (pinned to ${t.pin.region})`);
  if (sharing.length) {
    throw new CellkitConfigError([`tenant "${tenant.id}": account ${account} is shared with tenant ${sharing.join(', ')}; a service control policy applies to the whole account, so it is written only for tenants with a dedicated account`]);
  }
  const exempt = options.exemptPrincipalArns ?? [];
  const bad = exempt.filter((a) => !/^arn:aws[a-z-]*:iam::(\d{12}|\*):(role|user)\/\S+$/.test(a));
  if (bad.length) throw new CellkitConfigError([`exempt principal: must be an IAM role or user ARN such as arn:aws:iam::*:role/BreakGlass; got ${bad.join(', ')}`]);
  const region = tenant.pin.region;
  const guardRole = guardRoleArn(account, tenant.id, region);
  const outside = { 'aws:RequestedRegion': [region] };
  const suffix = region.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: `CellkitDenyOutside${suffix}`,
        Effect: 'Deny',
        NotAction: [...SCP_GLOBAL_EXEMPTIONS],
        Resource: '*',
        Condition: { StringNotEquals: outside, ArnNotLike: { 'aws:PrincipalARN': [guardRole, ...exempt] } },
      },
      {
        Sid: `CellkitGuardOnlyReadsOutside${suffix}`,
        Effect: 'Deny',
        NotAction: [...GUARD_APIS],
        Resource: '*',
        Condition: { StringNotEquals: outside, ArnLike: { 'aws:PrincipalARN': [guardRole] } },
      },
    ],
  };
}

/** The policy as written to disk; compact if the readable form would exceed the SCP size limit. */
export function renderScp(policy: object): string {
  const pretty = JSON.stringify(policy, null, 2);
  if (pretty.length <= SCP_MAX_CHARS) return `${pretty}\n`;
  const compact = JSON.stringify(policy);
  if (compact.length > SCP_MAX_CHARS) throw new CellkitConfigError([`the service control policy is ${compact.length} characters; AWS Organizations allows ${SCP_MAX_CHARS}`]);
  return `${compact}\n`;
}
