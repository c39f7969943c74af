import * as path from 'path';
import { DescribeStacksCommand, StackStatus } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { cellStackName } from '../../cell/cell-stack';
import { describeError } from '../../guard/region-check';
import { AssemblyError, bootstrapRequirement } from '../bootstrap-requirement';
import { ReadinessCheck, bootstrapCommand, fail, pass, unknown } from '../check';

/** `cdk bootstrap`'s default stack name ("Bootstrapping your environment", AWS CDK Developer Guide). */
export const TOOLKIT_STACK = 'CDKToolkit';

/** Statuses in which a stack's resources are in place and usable. */
const USABLE: ReadonlySet<string> = new Set<StackStatus>(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE']);

/**
 * The pinned region is bootstrapped with a version the synthesized stack accepts: the CDKToolkit stack
 * is there and usable, and the version parameter that the template's CheckBootstrapVersion rule reads
 * is at least what the cloud assembly requires.
 */
export const cdkBootstrap: ReadinessCheck = {
  name: 'cdk-bootstrap',
  description: 'the pinned region is bootstrapped (CDKToolkit stack usable, bootstrap version at least what the synthesized stack requires)',
  async run(ctx) {
    const { tenant } = ctx;
    const region = tenant.pin.region;
    const where = `account ${tenant.spec.account}, ${region}`;
    const stackName = cellStackName(tenant.id);
    let required;
    try {
      required = bootstrapRequirement(ctx.cdkOut, stackName, `aws://${tenant.spec.account}/${region}`);
    } catch (e) {
      if (!(e instanceof AssemblyError || e instanceof SyntaxError || (e as NodeJS.ErrnoException).code === 'ENOENT')) throw e;
      return unknown(`cannot tell which bootstrap version ${stackName} needs: ${(e as Error).message}`, `npx cdk synth -q -c tenant=${tenant.id}${path.resolve(ctx.cdkOut) === path.resolve('cdk.out') ? '' : ` -o ${ctx.cdkOut}`}`);
    }

    let status: string | undefined;
    try {
      const { Stacks } = await ctx.clients.cloudFormation(region).send(new DescribeStacksCommand({ StackName: TOOLKIT_STACK }));
      status = Stacks?.[0]?.StackStatus;
    } catch (e) {
      // DescribeStacks answers a missing stack with a ValidationError "Stack with id X does not exist" (CloudFormation API Reference).
      if ((e as Error).name === 'ValidationError' && /does not exist/.test((e as Error).message)) {
        return fail(`no ${TOOLKIT_STACK} stack in ${where}: the region is not bootstrapped`, bootstrapCommand(ctx));
      }
      return unknown(`cannot read the ${TOOLKIT_STACK} stack in ${where} (cloudformation:DescribeStacks: ${describeError(e)})`);
    }
    if (!status) return unknown(`cloudformation:DescribeStacks returned no status for ${TOOLKIT_STACK} in ${where}`);
    if (status.endsWith('_IN_PROGRESS')) return unknown(`the ${TOOLKIT_STACK} stack in ${where} is ${status}`, 'wait for it to finish and run again');
    if (!USABLE.has(status)) {
      return fail(
        `the ${TOOLKIT_STACK} stack in ${where} is ${status}, so its bucket and roles cannot be relied on`,
        `read its events in the CloudFormation console; ${status === 'ROLLBACK_COMPLETE' ? `delete it (aws cloudformation delete-stack --stack-name ${TOOLKIT_STACK} --region ${region}), then ` : ''}run ${bootstrapCommand(ctx)}`,
      );
    }

    let deployed: string | undefined;
    try {
      deployed = (await ctx.clients.ssm(region).send(new GetParameterCommand({ Name: required.ssmParameter }))).Parameter?.Value;
    } catch (e) {
      if ((e as Error).name === 'ParameterNotFound') {
        return fail(`the ${TOOLKIT_STACK} stack in ${where} has no version parameter ${required.ssmParameter} (bootstrapped with another qualifier or an old CDK)`, bootstrapCommand(ctx));
      }
      return unknown(`cannot read ${required.ssmParameter} in ${where} (ssm:GetParameter: ${describeError(e)})`);
    }
    const version = Number(deployed);
    if (!Number.isInteger(version)) return fail(`${required.ssmParameter} in ${where} holds ${JSON.stringify(deployed ?? null)}, not a bootstrap version`, bootstrapCommand(ctx));
    if (version < required.version) {
      return fail(`the bootstrap in ${where} is version ${version}; ${stackName} needs ${required.version} (${required.sources.join(', ')})`, `${bootstrapCommand(ctx)} (upgrades the bootstrap stack in place)`);
    }
    return pass(`${where} is bootstrapped: ${TOOLKIT_STACK} ${status}, version ${version} (${stackName} needs ${required.version} or later)`);
  },
};
