import * as path from 'path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AwsSolutionsChecks, rules } from 'cdk-nag';
import { acknowledgeLambdaRules, awsManagedPolicyFinding } from '../../compliance/nag-packs';
import { nagRuleId } from '../../compliance/nag-rule-id';
import { HANDLER_BUNDLE_CACHE, handlerBundleDir, handlerFolderInputs } from '../../lambda/handler-bundle';
import { VAULT_API_PORT } from '../vault-config';
import { VaultBootstrapProps } from '../vault-bootstrap-props';

/** Lambda's maximum run time (Lambda quotas: "Function timeout: 900 seconds (15 minutes)"). */
export const FUNCTION_TIMEOUT = Duration.minutes(15);

export type VaultBootstrapFunctionProps = Pick<VaultBootstrapProps, 'tenantId' | 'encryptionKey' | 'vpc' | 'vpcSubnets' | 'vaultPeers' | 'logRetention'> & {
  /** The function's role (its policy is attached by VaultBootstrapPolicy). */
  readonly role: iam.Role;
};

/**
 * The bootstrap Lambda in the cell's VPC: its security group (out only to Vault on 8200 and to HTTPS), its
 * encrypted log and the function running the bundled handler (lib/vault/bootstrap/handler/).
 *
 * Part of VaultBootstrap, not a construct of its own: `SecurityGroup`, `Logs` and `Function` are created in the
 * given scope, so their logical IDs stay the bootstrap's (docs/vault-bootstrap.md, "How the code is split").
 */
export class VaultBootstrapFunction {
  readonly function: lambda.Function;
  readonly connections: ec2.Connections;

  constructor(scope: Construct, props: VaultBootstrapFunctionProps) {
    const securityGroup = new ec2.SecurityGroup(scope, 'SecurityGroup', {
      vpc: props.vpc,
      description: `cellkit ${props.tenantId}: Vault bootstrap function`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [securityGroup] });
    for (const peer of props.vaultPeers) this.connections.allowTo(peer, ec2.Port.tcp(VAULT_API_PORT), 'Vault bootstrap to the Vault API');
    // Interface endpoints (Secrets Manager) and the S3 pre-signed URL CloudFormation takes the answer on.
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS endpoints and the CloudFormation response URL (S3)');

    const logGroup = new logs.LogGroup(scope, 'Logs', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    this.function = new lambda.Function(scope, 'Function', {
      description: `cellkit ${props.tenantId}: initialises and configures Vault during the deploy`,
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(vaultBootstrapBundleDir()),
      role: props.role,
      logGroup,
      timeout: FUNCTION_TIMEOUT,
      memorySize: 256,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: this.connections.securityGroups,
    });
    Validations.of(props.role).acknowledge({
      id: nagRuleId(AwsSolutionsChecks, rules.iam.IAMNoManagedPolicies, awsManagedPolicyFinding('service-role/AWSLambdaVPCAccessExecutionRole')),
      reason: 'CDK attaches the AWS-managed policy every VPC Lambda needs for its network interfaces (ec2:CreateNetworkInterface and friends, which IAM cannot scope to a resource) and its log; AWS keeps it minimal.',
    });
    acknowledgeLambdaRules(this.function, {
      concurrency:
        'CloudFormation invokes it once per deployment of this stack; reserving concurrency would fail the first deployment in new accounts whose Lambda quota is 10 (AWS keeps 10 executions unreserved).',
      dlq:
        'Invoked only by CloudFormation as a custom resource; the handler always answers CloudFormation before its timeout, and the stack events and the encrypted log record every failure. A dead-letter queue would hold events of deployments CloudFormation has already failed.',
    });
  }
}

/** Where bootstrap bundles are cached (see lib/lambda/handler-bundle.ts). */
export const VAULT_BOOTSTRAP_BUNDLE_CACHE = path.join(HANDLER_BUNDLE_CACHE, 'vault-bootstrap');

/** The bootstrap handler, bundled once per process (cached by the hash of its inputs). */
export function vaultBootstrapBundleDir(cacheDir: string = VAULT_BOOTSTRAP_BUNDLE_CACHE): string {
  const handlerDir = path.join(__dirname, 'handler');
  const inputs = () => handlerFolderInputs(handlerDir, [path.join(__dirname, 'vault-plan.ts'), path.join(__dirname, '..', '..', 'lambda', 'cfn-response.ts')]);
  return handlerBundleDir({ name: 'vault-bootstrap', entry: path.join(handlerDir, 'index.ts'), inputs }, cacheDir);
}
