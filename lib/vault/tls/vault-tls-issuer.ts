import * as path from 'path';
import { CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { AwsSolutionsChecks, rules } from 'cdk-nag';
import { vaultTlsCaSecretName } from '../../cell/secret-names';
import { ANY_RESOURCE_FINDING, acknowledgeLambdaRules } from '../../compliance/nag-packs';
import { nagRuleId } from '../../compliance/nag-rule-id';
import { handlerBundleDir, handlerFolderInputs } from '../../lambda/handler-bundle';
import { emptySecret } from '../empty-secret';
import { TLS_ENV as ENV, TLS_POLICY, TlsIssuerProperties } from './handler/settings';

export interface VaultTlsIssuerProps {
  readonly tenantId: string;
  /** The cell VPC: the issuer runs in its app subnets and reaches Secrets Manager through its endpoint. */
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  /** The secret the Vault nodes read (JSON: certificate, private_key, ca); the issuer fills and rotates it. */
  readonly tlsSecret: secretsmanager.ISecret;
  /** Encrypts the CA secret and the issuer's log; the TLS secret is encrypted with it too. */
  readonly dataKey: kms.IKey;
  /** Name Vault clients and Raft peers verify, e.g. vault.<tenant>.cellkit.internal. */
  readonly serverName: string;
  /** The internal NLB's DNS name (a deploy-time token): also a name in the certificate. */
  readonly loadBalancerDnsName: string;
  /**
   * How often Secrets Manager renews the server certificate.
   * @default Duration.days(30) (certificates live 90 days)
   */
  readonly rotationInterval?: Duration;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Issues the cell's Vault TLS at deploy time: a private CA (kept in its own secret, readable by this
 * issuer only) and a server certificate written to the TLS secret, renewed by Secrets Manager rotation.
 * The private keys exist only in the Lambda's memory and in the two secrets, never in a template or log.
 */
export class VaultTlsIssuer extends Construct {
  readonly caSecret: secretsmanager.Secret;
  readonly function: lambda.Function;
  readonly securityGroup: ec2.SecurityGroup;
  readonly role: iam.Role;
  /** The custom resource that fills the TLS secret; whatever needs a certificate waits for it. */
  readonly certificate: CustomResource;
  readonly rotation: secretsmanager.CfnRotationSchedule;

  constructor(scope: Construct, id: string, props: VaultTlsIssuerProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const rotationInterval = props.rotationInterval ?? Duration.days(TLS_POLICY.rotationDays);
    const rotationDays = rotationInterval.toDays({ integral: false });
    const maxInterval = TLS_POLICY.serverValidityDays - TLS_POLICY.minRemainingDays;
    if (!Number.isInteger(rotationDays) || rotationDays < 1 || rotationDays > maxInterval) {
      throw new Error(`VaultTlsIssuer for tenant "${props.tenantId}": rotationInterval must be whole days from 1 to ${maxInterval} (certificates live ${TLS_POLICY.serverValidityDays} days); got ${rotationInterval.toHumanString()}`);
    }

    this.caSecret = emptySecret(this, 'CaSecret', {
      secretName: vaultTlsCaSecretName(props.tenantId),
      description: `cellkit ${props.tenantId}: Vault TLS CA (JSON: certificate, private_key), written by the TLS issuer only`,
      encryptionKey: props.dataKey,
      rotationReason:
        'The cell CA signs the Vault certificates that rotate every 30 days; clients and Raft peers trust this CA, so replacing its key is a planned re-trust (docs/vault-tls.md: replacing the CA), not an unattended rotation. It lives 10 years and only the issuer Lambda can read it.',
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.dataKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `cellkit ${props.tenantId}: Vault TLS issuer and rotation`,
    });
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      roles: [this.role],
      description: `cellkit ${props.tenantId}: Vault TLS issuer: its two secrets, the data key through Secrets Manager, its log, its network interfaces`,
      statements: [
        new iam.PolicyStatement({
          sid: 'RotateTlsSecret',
          actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
          resources: [props.tlsSecret.secretArn],
        }),
        new iam.PolicyStatement({ sid: 'KeepCa', actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], resources: [this.caSecret.secretArn] }),
        new iam.PolicyStatement({
          sid: 'DataKeyThroughSecretsManager',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [props.dataKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
        }),
        new iam.PolicyStatement({ sid: 'OwnLog', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
        // What AWSLambdaVPCAccessExecutionRole grants (Lambda Developer Guide, "Giving Lambda functions access to
        // resources in an Amazon VPC"), without its logs:* on every log group.
        new iam.PolicyStatement({
          sid: 'VpcNetworkInterfaces',
          actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
          resources: ['*'],
        }),
      ],
    });
    Validations.of(policy).acknowledge({
      id: nagRuleId(AwsSolutionsChecks, rules.iam.IAMNoWildcardPermissions, ANY_RESOURCE_FINDING),
      reason: 'Only the VpcNetworkInterfaces statement uses "*": Lambda creates and removes the function\'s network interfaces in the cell VPC with these EC2 actions, which the Lambda Developer Guide grants on "*" (AWSLambdaVPCAccessExecutionRole); every other statement names its secret, key or log group.',
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `cellkit ${props.tenantId}: Vault TLS issuer (HTTPS out only)`,
      allowAllOutbound: false,
    });
    // Secrets Manager through its interface endpoint, and CloudFormation's pre-signed S3 response URL through
    // the S3 gateway endpoint (egress "none") or the NAT gateway (egress "nat"). Nothing may connect in.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to the Secrets Manager endpoint and the CloudFormation response URL (S3)');

    const settings: TlsIssuerProperties = {
      TenantId: props.tenantId,
      TlsSecretArn: props.tlsSecret.secretArn,
      CaSecretArn: this.caSecret.secretArn,
      ServerName: props.serverName,
      LoadBalancerDnsName: props.loadBalancerDnsName,
    };
    this.function = new lambda.Function(this, 'Function', {
      description: `cellkit ${props.tenantId}: issues and rotates the Vault TLS certificate under the cell CA`,
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(tlsIssuerBundleDir()),
      role: this.role,
      logGroup,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [this.securityGroup],
      timeout: Duration.seconds(60),
      memorySize: 256,
      environment: {
        [ENV.tenantId]: settings.TenantId,
        [ENV.tlsSecretArn]: settings.TlsSecretArn,
        [ENV.caSecretArn]: settings.CaSecretArn,
        [ENV.serverName]: settings.ServerName,
        [ENV.loadBalancerDnsName]: settings.LoadBalancerDnsName,
      },
    });
    // Lambda checks at creation that the role may manage network interfaces.
    this.function.node.addDependency(policy);
    acknowledgeLambdaRules(this.function, {
      concurrency:
        'Invoked once per deployment by CloudFormation and once per rotation by Secrets Manager; reserving concurrency would fail the first deployment in new accounts whose Lambda quota is 10 (AWS keeps 10 executions unreserved).',
      dlq:
        'Invoked synchronously by CloudFormation (it always answers the custom resource) and by Secrets Manager rotation (which records a failed step and retries); failures land in the stack events, the secret\'s rotation status and the encrypted log. A dead-letter queue would only hold events both services have already handled.',
    });

    // The function must reach Secrets Manager (and, egress "none", the S3 response URL) through the VPC's endpoints.
    const endpoints = props.vpc.node.children.filter((c) => c instanceof ec2.InterfaceVpcEndpoint || c instanceof ec2.GatewayVpcEndpoint);
    this.certificate = new CustomResource(this, 'Certificate', {
      serviceToken: this.function.functionArn,
      resourceType: 'Custom::CellkitVaultTls',
      properties: { ...settings },
      // A function that cannot answer (no route to the response URL) fails the deploy in 10 minutes, not the default hour.
      serviceTimeout: Duration.minutes(10),
    });
    this.certificate.node.addDependency(...endpoints);

    // Secrets Manager invokes the function for this one secret only ("Permissions for rotation", Secrets Manager User Guide).
    const invoke = new lambda.CfnPermission(this, 'InvokedBySecretsManager', {
      action: 'lambda:InvokeFunction',
      functionName: this.function.functionArn,
      principal: 'secretsmanager.amazonaws.com',
      sourceArn: props.tlsSecret.secretArn,
    });
    // L1 on purpose: the L2 RotationSchedule adds an inline policy with secretsmanager:GetRandomPassword on "*"
    // and kms:ReEncrypt*/GenerateDataKey* grants; the managed policy above already holds exactly what is needed.
    this.rotation = new secretsmanager.CfnRotationSchedule(this, 'Rotation', {
      secretId: props.tlsSecret.secretArn,
      rotationLambdaArn: this.function.functionArn,
      rotationRules: { scheduleExpression: `rate(${rotationDays} days)` },
      // The first certificate comes from the custom resource; rotation starts on the schedule, never as a surprise on deploy.
      rotateImmediatelyOnUpdate: false,
    });
    this.rotation.node.addDependency(invoke, this.certificate);
  }
}

/** The issuer's handler bundle (esbuild, once per process, cached by the hash of its inputs). */
export function tlsIssuerBundleDir(cacheDir?: string): string {
  const handlerDir = path.join(__dirname, 'handler');
  return handlerBundleDir(
    {
      name: 'vault-tls',
      entry: path.join(handlerDir, 'index.ts'),
      inputs: () => handlerFolderInputs(handlerDir, [path.join(__dirname, '..', '..', 'lambda', 'cfn-response.ts')]),
    },
    cacheDir,
  );
}
