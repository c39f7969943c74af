// The region guard's IAM role name and ARN: fixed and predictable, so the account's service control
// policy (`cellkit guard scp`) can exempt exactly this role. No imports: the synth path, the CLI and the
// guard's Lambda bundle (through region-check.ts) share it, and the synth path must not load the AWS SDK.

/** The only calls the guard makes: its role's read policy and the SCP's exemption for that role list exactly these. */
export const GUARD_APIS = ['kms:ListAliases', 'rds:DescribeDBInstances', 'fsx:DescribeFileSystems'] as const;

/** IAM role names are at most 64 characters ("IAM and AWS STS quotas", IAM User Guide). */
export const IAM_ROLE_NAME_MAX = 64;

/**
 * `cellkit-guard-<tenant>-<region>`. IAM role names are unique per account, not per region, so the region
 * is part of the name: a stack of the same tenant in a second region gets its own role and is refused by
 * the guard's check with a clear reason, not by an "already exists" error on the role. At most
 * 14 + 32 + 1 + 14 = 61 characters for a 32-character tenant id and a 14-character region code (the
 * longest form in regions.json today); a longer name is refused at synth with the reason below.
 */
export function guardRoleName(tenantId: string, region: string): string {
  const name = `cellkit-guard-${tenantId}-${region}`;
  if (name.length > IAM_ROLE_NAME_MAX) {
    throw new Error(`region guard role name ${name} for tenant "${tenantId}" in ${region} is ${name.length} characters; IAM allows ${IAM_ROLE_NAME_MAX}`);
  }
  return name;
}

/**
 * The role's ARN as `aws:PrincipalArn` reports it. For a role session this key holds the role's ARN,
 * not the session's ("AWS global condition context keys: aws:PrincipalArn", IAM User Guide), so a
 * Lambda running as the role matches it.
 */
export function guardRoleArn(account: string, tenantId: string, region: string): string {
  return `arn:aws:iam::${account}:role/${guardRoleName(tenantId, region)}`;
}
