import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { FUNCTION_TIMEOUT, VaultBootstrapFunction } from './bootstrap/bootstrap-function';
import { VaultBootstrapPolicy } from './bootstrap/bootstrap-policy';
import type { BootstrapProperties } from './bootstrap/handler';
import { VaultRecoverySecret } from './bootstrap/recovery-secret';
import { VaultBootstrapProps } from './vault-bootstrap-props';

export { VAULT_BOOTSTRAP_BUNDLE_CACHE, vaultBootstrapBundleDir } from './bootstrap/bootstrap-function';
export { validateRecovery } from './bootstrap/recovery-secret';
export type { VaultBootstrapProps } from './vault-bootstrap-props';

/**
 * Initialises and configures the cell's Vault during `cdk deploy`: a custom resource whose Lambda
 * (in the cell's VPC) talks to Vault's HTTP API through the internal NLB over TLS verified against
 * the cell CA. The PGP-encrypted recovery shares land in their own secret; the root token is
 * revoked and never written anywhere. See docs/vault-bootstrap.md.
 *
 * The constructor composes the parts in lib/vault/bootstrap/ (recovery secret, which also checks the
 * recovery keys first; policy; function). Those parts are classes that create their resources in this
 * construct's scope under fixed ids, not child constructs: a child would add a level to every construct
 * path and so change every logical ID, which would replace the retained recovery secret on deploy. Their
 * order below is the order of the resources in the template. See docs/vault-bootstrap.md, "How the code is split".
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
    const recovery = new VaultRecoverySecret(this, props);
    this.recoverySecret = recovery.secret;
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `cellkit ${props.tenantId}: Vault bootstrap (reads the CA and the master secret, writes the recovery shares)`,
    });
    this.policy = new VaultBootstrapPolicy(this, { ...props, role: this.role, recoverySecret: this.recoverySecret }).policy;
    const fn = new VaultBootstrapFunction(this, { ...props, role: this.role });
    this.connections = fn.connections;
    this.function = fn.function;
    const properties: BootstrapProperties = {
      TenantId: props.tenantId,
      Region: Stack.of(this).region,
      VaultAddress: props.vaultAddress,
      TlsServerName: props.tlsServerName,
      TlsSecretArn: props.tlsSecret.secretArn,
      RecoverySecretArn: this.recoverySecret.secretArn,
      RecoveryPgpKeys: recovery.pgpKeys,
      RecoveryThreshold: String(recovery.threshold),
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
}
