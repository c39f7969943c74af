import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describeError } from '../../guard/region-check';
import { ReadinessCheck, fail, pass, unknown } from '../check';

/** The credentials must belong to the tenant's account: every other answer would describe another account. */
export const credentialsAccount: ReadinessCheck = {
  name: 'credentials-account',
  description: "the AWS credentials belong to the tenant's account (sts:GetCallerIdentity)",
  gate: true,
  async run(ctx) {
    const account = ctx.tenant.spec.account;
    let identity: { Account?: string; Arn?: string };
    try {
      identity = await ctx.clients.sts(ctx.tenant.pin.region).send(new GetCallerIdentityCommand({}));
    } catch (e) {
      return unknown(`cannot tell which account the credentials belong to (sts:GetCallerIdentity: ${describeError(e)})`, `sign in to account ${account} (AWS_PROFILE, aws sso login) and run again`);
    }
    if (identity.Account !== account) {
      return fail(`the credentials (${identity.Arn ?? 'unknown principal'}) are for account ${identity.Account ?? '(none returned)'}, but tenant "${ctx.tenant.id}" lives in account ${account}`, `use credentials for account ${account}`);
    }
    return pass(`the credentials (${identity.Arn}) belong to account ${account}`);
  },
};
