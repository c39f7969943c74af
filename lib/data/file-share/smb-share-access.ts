// The SMB share Lambda's access: its IAM role and policies, its cdk-nag acknowledgments, its bundle.
import * as path from 'path';
import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { AwsSolutionsChecks, rules } from 'cdk-nag';
import { ANY_RESOURCE_FINDING, acknowledgeLambdaRules } from '../../compliance/nag-packs';
import { nagRuleId } from '../../compliance/nag-rule-id';
import { handlerBundleDir, handlerFolderInputs } from '../../lambda/handler-bundle';
import type { SmbShareProps } from './smb-share';

/** Where the handler's bundle is cached (see handlerBundleDir). */
const BUNDLE_CACHE = path.join(__dirname, '..', '..', '..', 'node_modules', '.cache', 'cellkit', 'smb-share');

/** The Lambda's role and its two managed policies (no AWS managed policy, no wildcard action). */
export function smbShareRole(
  scope: Construct, props: SmbShareProps, userSecret: secretsmanager.ISecret, logGroup: logs.ILogGroup,
): [iam.Role, iam.ManagedPolicy[]] {
  const region = Stack.of(scope).region;
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: 'cellkit: configures the SMB share on ONTAP and rotates its user password',
  });
  const policy = new iam.ManagedPolicy(scope, 'Policy', {
    roles: [role],
    description: 'Read the fsxadmin and SMB user secrets, rotate the SMB user secret, write its own log',
    statements: [
      new iam.PolicyStatement({ sid: 'ReadSecrets', actions: ['secretsmanager:GetSecretValue'], resources: [props.fsxAdminSecret.secretArn, userSecret.secretArn] }),
      new iam.PolicyStatement({
        sid: 'RotateUserSecret',
        actions: ['secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
        resources: [userSecret.secretArn],
      }),
      new iam.PolicyStatement({
        sid: 'DataKeyThroughSecretsManager',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
      }),
      new iam.PolicyStatement({ sid: 'OwnLog', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    ],
  });
  // AWS Lambda Developer Guide, "Giving Lambda functions access to resources in an Amazon VPC": these are the
  // actions of AWSLambdaVPCAccessExecutionRole, and GetRandomPassword, none of which IAM can scope to a resource.
  const unscoped = new iam.ManagedPolicy(scope, 'VpcAccessPolicy', {
    roles: [role],
    description: 'Lambda network interfaces in the cell VPC; random passwords from Secrets Manager',
    statements: [
      new iam.PolicyStatement({
        actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses', 'secretsmanager:GetRandomPassword'],
        resources: ['*'],
      }),
    ],
  });
  Validations.of(unscoped).acknowledge({
    id: nagRuleId(AwsSolutionsChecks, rules.iam.IAMNoWildcardPermissions, ANY_RESOURCE_FINDING),
    reason: 'Lambda needs these EC2 network-interface actions to run in the cell VPC (the AWS managed AWSLambdaVPCAccessExecutionRole grants the same on *), and secretsmanager:GetRandomPassword has no resource; IAM scopes none of them to a resource.',
  });
  return [role, [policy, unscoped]];
}

/** The framework packs' Lambda findings that do not apply to a custom resource / rotation function. */
export function acknowledgeLambdaFindings(fn: lambda.IFunction): void {
  acknowledgeLambdaRules(fn, {
    concurrency:
      'Invoked once per deployment by CloudFormation and on demand by Secrets Manager rotation; reserving concurrency would fail the first deployment in new accounts whose Lambda quota is 10.',
    dlq:
      'Invoked synchronously by CloudFormation (custom resource) and Secrets Manager (rotation), which both record failures; the handler answers CloudFormation with ONTAP\'s error, and the encrypted log keeps every call.',
  });
}

/** The handler's bundle, built once per checkout (the region guard's mechanism). */
export function smbShareBundleDir(cacheDir: string = BUNDLE_CACHE): string {
  const handlerDir = path.join(__dirname, 'handler');
  const inputs = () => handlerFolderInputs(handlerDir, [path.join(__dirname, '..', '..', 'lambda', 'cfn-response.ts')]);
  return handlerBundleDir({ name: 'smb-share', entry: path.join(handlerDir, 'index.ts'), inputs }, cacheDir);
}
