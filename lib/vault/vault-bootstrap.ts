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
import { vaultRecoveryKeysSecretName } from '../cell/secret-names';
import { acknowledgeLambdaRules, awsManagedPolicyFinding } from '../compliance/nag-packs';
import { nagRuleId } from '../compliance/nag-rule-id';
import { HANDLER_BUNDLE_CACHE, handlerBundleDir, handlerFolderInputs } from '../lambda/handler-bundle';
import type { BootstrapProperties } from './bootstrap/handler';
import { emptySecret } from './empty-secret';
import { VAULT_API_PORT } from './vault-config';

/** Lambda's maximum run time (Lambda quotas: "Function timeout: 900 seconds (15 minutes)"). */
const FUNCTION_TIMEOUT = Duration.minutes(15);

export interface VaultBootstrapProps {
  readonly tenantId: string;
  /** Encrypts the recovery-shares secret and the function's log. */
  readonly encryptionKey: kms.IKey;
  readonly vpc: ec2.IVpc;
  /** The app subnets the function runs in (no public IP, reaches Vault's NLB). */
  readonly vpcSubnets: ec2.SubnetSelection;
  /** `https://<NLB DNS name>:8200`. */
  readonly vaultAddress: string;
  /** What the function connects to on 8200: the NLB and (client IPs are preserved) the Vault servers. */
  readonly vaultPeers: readonly ec2.IConnectable[];
  /** Name in Vault's certificate; also the AWS auth server-id header value. */
  readonly tlsServerName: string;
  /** JSON { certificate, private_key, ca }; the function reads only `ca`. */
  readonly tlsSecret: secretsmanager.ISecret;
  /** Raft voters the cluster must have. */
  readonly nodes: 3 | 5;
  /** Operators' base64 PGP public keys (or `keybase:<name>`): one recovery share each. Required. */
  readonly recoveryPgpKeys?: readonly string[];
  readonly recoveryThreshold?: number;
  /** The Vault servers' instance role (Vault role cellkit-snapshot). */
  readonly vaultRoleArn: string;
  readonly applicationRoleArn: string;
  readonly operatorRoleArn: string;
  /** Where the file audit device writes on the nodes. */
  readonly auditLogPath: string;
  readonly database: {
    readonly hostname: string;
    readonly port: string;
    readonly databaseName: string;
    /** Master credentials: handed to Vault once, then rotated by Vault (rotate-root). */
    readonly masterSecret: secretsmanager.ISecret;
  };
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The file share's SMB user secret (JSON: username, domain, share, password): the bootstrap copies it into
   * Vault's KV (`integrations/file-share`) for the application plane.
   * @default - no file share credentials are copied into Vault
   */
  readonly fileShareSecret?: secretsmanager.ISecret;
}

/**
 * Initialises and configures the cell's Vault during `cdk deploy`: a custom resource whose Lambda
 * (in the cell's VPC) talks to Vault's HTTP API through the internal NLB over TLS verified against
 * the cell CA. The PGP-encrypted recovery shares land in their own secret; the root token is
 * revoked and never written anywhere. See docs/vault-bootstrap.md.
 */
export class VaultBootstrap extends Construct implements ec2.IConnectable {
  readonly recoverySecret: secretsmanager.Secret;
  readonly role: iam.Role;
  /** The function's one managed policy. */
  readonly policy: iam.ManagedPolicy;
  readonly function: lambda.Function;
  readonly connections: ec2.Connections;
  /** The custom resource; it must depend on the Vault servers and the TLS issuer. */
  readonly run: CustomResource;

  constructor(scope: Construct, id: string, props: VaultBootstrapProps) {
    super(scope, id);
    const { pgpKeys, threshold } = validateRecovery(props.tenantId, props.recoveryPgpKeys, props.recoveryThreshold);
    this.recoverySecret = emptySecret(this, 'RecoverySecret', {
      secretName: vaultRecoveryKeysSecretName(props.tenantId),
      description: `cellkit ${props.tenantId}: Vault recovery key shares, each PGP-encrypted to one operator key (written once by the bootstrap)`,
      encryptionKey: props.encryptionKey,
      rotationReason:
        'Holds Vault recovery shares that are PGP-encrypted to named operators; they change only through "vault operator rekey -target=recovery" with a quorum of operators, which no rotation Lambda can perform.',
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `cellkit ${props.tenantId}: Vault bootstrap (reads the CA and the master secret, writes the recovery shares)`,
    });
    this.policy = this.createPolicy(props);
    this.connections = this.createNetwork(props);
    this.function = this.createFunction(props);
    const properties: BootstrapProperties = {
      TenantId: props.tenantId,
      Region: Stack.of(this).region,
      VaultAddress: props.vaultAddress,
      TlsServerName: props.tlsServerName,
      TlsSecretArn: props.tlsSecret.secretArn,
      RecoverySecretArn: this.recoverySecret.secretArn,
      RecoveryPgpKeys: pgpKeys,
      RecoveryThreshold: String(threshold),
      Nodes: String(props.nodes),
      AuditLogPath: props.auditLogPath,
      RoleArns: { Application: props.applicationRoleArn, Operator: props.operatorRoleArn, VaultServers: props.vaultRoleArn, Bootstrap: this.role.roleArn },
      Database: {
        Hostname: props.database.hostname, Port: props.database.port, Name: props.database.databaseName, MasterSecretArn: props.database.masterSecret.secretArn,
      },
      ...(props.fileShareSecret ? { FileShareSecretArn: props.fileShareSecret.secretArn } : {}),
    };
    this.run = new CustomResource(this, 'Run', {
      serviceToken: this.function.functionArn,
      resourceType: 'Custom::CellkitVaultBootstrap',
      properties: { ...properties },
      // The function always answers before its own timeout; CloudFormation need not wait the default hour.
      serviceTimeout: FUNCTION_TIMEOUT.plus(Duration.minutes(2)),
    });
    // Invoked only once its permissions are attached.
    this.run.node.addDependency(this.role, this.policy);
  }

  private createPolicy(props: VaultBootstrapProps): iam.ManagedPolicy {
    const secretKeys = [
      props.encryptionKey.keyArn,
      ...[props.tlsSecret, props.database.masterSecret, ...(props.fileShareSecret ? [props.fileShareSecret] : [])]
        .flatMap((s) => (s.encryptionKey ? [s.encryptionKey.keyArn] : [])),
    ];
    return new iam.ManagedPolicy(this, 'Policy', {
      roles: [this.role],
      description: `cellkit ${props.tenantId}: Vault bootstrap: its two secrets read, recovery shares written`,
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadCaAndMasterSecret',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [props.tlsSecret.secretArn, props.database.masterSecret.secretArn, ...(props.fileShareSecret ? [props.fileShareSecret.secretArn] : [])],
        }),
        new iam.PolicyStatement({ sid: 'WriteRecoveryShares', actions: ['secretsmanager:PutSecretValue'], resources: [this.recoverySecret.secretArn] }),
        new iam.PolicyStatement({
          sid: 'SecretKeysThroughSecretsManager',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [...new Set(secretKeys)],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
        }),
      ],
    });
  }

  private createNetwork(props: VaultBootstrapProps): ec2.Connections {
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `cellkit ${props.tenantId}: Vault bootstrap function`,
      allowAllOutbound: false,
    });
    const connections = new ec2.Connections({ securityGroups: [securityGroup] });
    for (const peer of props.vaultPeers) connections.allowTo(peer, ec2.Port.tcp(VAULT_API_PORT), 'Vault bootstrap to the Vault API');
    // Interface endpoints (Secrets Manager) and the S3 pre-signed URL CloudFormation takes the answer on.
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS endpoints and the CloudFormation response URL (S3)');
    return connections;
  }

  private createFunction(props: VaultBootstrapProps): lambda.Function {
    const logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    const fn = new lambda.Function(this, 'Function', {
      description: `cellkit ${props.tenantId}: initialises and configures Vault during the deploy`,
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(vaultBootstrapBundleDir()),
      role: this.role,
      logGroup,
      timeout: FUNCTION_TIMEOUT,
      memorySize: 256,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: this.connections.securityGroups,
    });
    Validations.of(this.role).acknowledge({
      id: nagRuleId(AwsSolutionsChecks, rules.iam.IAMNoManagedPolicies, awsManagedPolicyFinding('service-role/AWSLambdaVPCAccessExecutionRole')),
      reason: 'CDK attaches the AWS-managed policy every VPC Lambda needs for its network interfaces (ec2:CreateNetworkInterface and friends, which IAM cannot scope to a resource) and its log; AWS keeps it minimal.',
    });
    acknowledgeLambdaRules(fn, {
      concurrency:
        'CloudFormation invokes it once per deployment of this stack; reserving concurrency would fail the first deployment in new accounts whose Lambda quota is 10 (AWS keeps 10 executions unreserved).',
      dlq:
        'Invoked only by CloudFormation as a custom resource; the handler always answers CloudFormation before its timeout, and the stack events and the encrypted log record every failure. A dead-letter queue would hold events of deployments CloudFormation has already failed.',
    });
    return fn;
  }
}

/** Refuses, at synth, a tenant whose Vault could not be initialised during the deploy. */
export function validateRecovery(
  tenantId: string, recoveryPgpKeys: readonly string[] | undefined, recoveryThreshold: number | undefined,
): { pgpKeys: string[]; threshold: number } {
  const who = `VaultBootstrap for tenant "${tenantId}"`;
  const keys = recoveryPgpKeys ?? [];
  if (keys.length === 0) {
    throw new Error(
      `${who}: field "vault.recoveryPgpKeys" of tenants/${tenantId}.json is missing or empty; Vault is initialised during the deploy and needs at least one operator PGP public key ("gpg --export KEYID | base64 -w0") to encrypt each recovery share to (docs/vault-bootstrap.md)`,
    );
  }
  const threshold = recoveryThreshold;
  if (threshold === undefined || !Number.isInteger(threshold) || threshold < 1 || threshold > keys.length) {
    throw new Error(`${who}: recoveryThreshold must be an integer from 1 to ${keys.length} (the number of recovery PGP keys); got ${threshold}`);
  }
  if (keys.length > 1 && threshold === 1) {
    throw new Error(`${who}: recoveryThreshold must be at least 2 when there are ${keys.length} recovery PGP keys (Vault refuses a threshold of 1 for several shares)`);
  }
  return { pgpKeys: [...keys], threshold };
}

/** Where bootstrap bundles are cached (see lib/lambda/handler-bundle.ts). */
export const VAULT_BOOTSTRAP_BUNDLE_CACHE = path.join(HANDLER_BUNDLE_CACHE, 'vault-bootstrap');

/** The bootstrap handler, bundled once per process (cached by the hash of its inputs). */
export function vaultBootstrapBundleDir(cacheDir: string = VAULT_BOOTSTRAP_BUNDLE_CACHE): string {
  const handlerDir = path.join(__dirname, 'bootstrap', 'handler');
  const inputs = () => handlerFolderInputs(handlerDir, [path.join(__dirname, 'bootstrap', 'vault-plan.ts'), path.join(__dirname, '..', 'lambda', 'cfn-response.ts')]);
  return handlerBundleDir({ name: 'vault-bootstrap', entry: path.join(handlerDir, 'index.ts'), inputs }, cacheDir);
}
