import { Aws, CfnOutput, RemovalPolicy, Stack, Tokenization } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { vaultTlsSecretName } from '../cell/secret-names';
import { vaultInstanceTypesFor } from '../cell/sizing';
import { VAULT_TLS_MODES } from '../registry/tenant-spec';
import { VaultLaunchTemplate } from './cluster/node-launch-template';
import { VaultLoadBalancer } from './cluster/load-balancer';
import { VaultNodeRole } from './cluster/node-role';
import { VaultNodeSecurityGroup } from './cluster/node-security-group';
import { VaultNodeUserData } from './cluster/node-user-data';
import { VaultServerGroup } from './cluster/server-group';
import { VaultZip } from './cluster/vault-zip';
import { vaultClusterError } from './cluster/node-constants';
import { emptySecret } from './empty-secret';
import { VaultBootstrap, validateRecovery } from './vault-bootstrap';
import { VAULT_API_PORT, VAULT_PATHS } from './vault-config';
import { VaultClusterProps, VaultTlsMode } from './vault-cluster-props';
import { VaultSnapshotBucket } from './vault-snapshot-bucket';
import { VaultTlsIssuer } from './tls/vault-tls-issuer';

export { SNAPSHOT_KEY, VAULT_DATA_DEVICE, VAULT_JOIN_TAG } from './cluster/node-constants';
export { VAULT_HEALTH_CHECK_PATH } from './cluster/load-balancer';
export type { VaultClusterProps, VaultDatabaseTarget, VaultRecoveryKeys, VaultTlsMode } from './vault-cluster-props';

/**
 * The company's own HashiCorp Vault: 3 or 5 Raft servers in one Auto Scaling group over the app
 * subnets, sealed by the cell's seal key, behind an internal NLB that passes TLS through.
 */
/**
 * The company's own HashiCorp Vault: 3 or 5 Raft servers in one Auto Scaling group over the app
 * subnets, sealed by the cell's seal key, behind an internal NLB that passes TLS through.
 *
 * The constructor composes the parts in lib/vault/cluster/ (zip, node role, security group, user data,
 * launch template, server group, load balancer). Those parts are classes that create their resources in
 * this construct's scope under fixed ids, not child constructs: a child would add a level to every
 * construct path, and so change every logical ID (and the `aws:cdk:path` of each resource), which would
 * replace the cluster's resources on deploy. Their order below is the order of the resources in the
 * template. See docs/vault.md, "How the cluster code is split".
 */
export class VaultCluster extends Construct implements ec2.IConnectable {
  readonly nodes: 3 | 5;
  readonly securityGroup: ec2.SecurityGroup;
  readonly connections: ec2.Connections;
  readonly role: iam.Role;
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  readonly loadBalancer: elbv2.NetworkLoadBalancer;
  readonly tlsSecret: secretsmanager.Secret;
  /** Issues and rotates the certificate (absent when `tls` is `operator`). */
  readonly tlsIssuer?: VaultTlsIssuer;
  readonly snapshotBucket: s3.Bucket;
  readonly bootstrap: VaultBootstrap;
  readonly tlsServerName: string;
  /** The rendered node scripts (may contain tokens), for inspection and tests. */
  readonly userData: string;
  /** vault.json as a token string. */
  readonly configJson: string;

  constructor(scope: Construct, id: string, props: VaultClusterProps) {
    super(scope, id);
    const tenantId = props.tenantId;
    this.nodes = props.nodes ?? 3;
    if (!([3, 5] as number[]).includes(this.nodes)) {
      throw vaultClusterError(tenantId, `nodes must be 3 or 5 (an odd Raft quorum over three AZs); got ${this.nodes}`);
    }
    // Vault is initialised during the deploy: without operator PGP keys, refuse before building anything.
    validateRecovery(tenantId, props.recovery?.pgpKeys, props.recovery?.threshold);
    const tlsMode = props.tls ?? 'cellkit';
    if (!VAULT_TLS_MODES.includes(tlsMode)) throw vaultClusterError(tenantId, `tls must be ${VAULT_TLS_MODES.map((m) => `"${m}"`).join(' or ')}; got ${JSON.stringify(tlsMode)}`);
    const zip = new VaultZip(this, props);
    this.tlsServerName = props.tlsServerName ?? `vault.${tenantId}.cellkit.internal`;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;

    const { tlsSecret, snapshotBucket, serverLogs, auditLogs } = this.createStores(props, tlsMode, retention);
    this.tlsSecret = tlsSecret;
    this.snapshotBucket = snapshotBucket;
    const stores = { tlsSecret, snapshotBucket };
    this.role = new VaultNodeRole(this, { ...props, ...stores, zip, logGroups: [serverLogs, auditLogs] }).role;
    const nodeSecurity = new VaultNodeSecurityGroup(this, props);
    this.securityGroup = nodeSecurity.securityGroup;
    this.connections = nodeSecurity.connections;
    const userData = new VaultNodeUserData(this, { ...props, ...stores, zip, tlsServerName: this.tlsServerName, serverLogs, auditLogs });
    this.configJson = userData.configJson;
    this.userData = userData.script;
    const instanceTypes = props.instanceTypes ?? vaultInstanceTypesFor(this.nodes).map((t) => new ec2.InstanceType(t));
    const { launchTemplate } = new VaultLaunchTemplate(this, {
      ...props, instanceType: instanceTypes[0], role: this.role, securityGroup: this.securityGroup, userData: this.userData,
    });
    this.autoScalingGroup = new VaultServerGroup(this, { ...props, launchTemplate, instanceTypes, nodes: this.nodes }).autoScalingGroup;
    const lb = new VaultLoadBalancer(this, { ...props, servers: this.autoScalingGroup, serverConnections: this.securityGroup });
    this.loadBalancer = lb.loadBalancer;

    if (tlsMode === 'cellkit') {
      this.tlsIssuer = new VaultTlsIssuer(this, 'Tls', {
        tenantId,
        vpc: props.vpc,
        vpcSubnets: props.vpcSubnets,
        tlsSecret: this.tlsSecret,
        dataKey: props.dataKey,
        serverName: this.tlsServerName,
        loadBalancerDnsName: this.loadBalancer.loadBalancerDnsName,
        logRetention: retention,
      });
    }
    this.bootstrap = this.createBootstrap(props, retention);
    this.bootstrap.run.node.addDependency(this.autoScalingGroup, lb.listener, this.tlsSecret);
    // With cellkit-issued TLS, Vault has a certificate only once the issuer has filled the secret.
    if (this.tlsIssuer) this.bootstrap.run.node.addDependency(this.tlsIssuer.certificate);

    new CfnOutput(this, 'Address', { value: this.address, description: 'Vault API (internal NLB; TLS passes through to Vault)' });
    new CfnOutput(this, 'AutoScalingGroupName', { value: this.autoScalingGroup.autoScalingGroupName, description: 'Vault servers' });
  }

  /** The cluster's state outside Raft: TLS secret, snapshot bucket, server and audit log groups (all retained). */
  private createStores(props: VaultClusterProps, tlsMode: VaultTlsMode, retention: logs.RetentionDays) {
    const tenantId = props.tenantId;
    const tlsSecret = emptySecret(this, 'TlsSecret', {
      secretName: vaultTlsSecretName(tenantId),
      description: `cellkit ${tenantId}: Vault TLS (JSON: certificate, private_key, ca), ${tlsMode === 'cellkit' ? 'issued and rotated by the cell TLS issuer' : 'set by an operator'}`,
      encryptionKey: props.dataKey,
      // With the cellkit issuer, Secrets Manager rotates it (VaultTlsIssuer's rotation schedule).
      rotationReason:
        tlsMode === 'operator'
          ? 'tls "operator": holds a certificate from the company CA, renewed by an operator with that CA and picked up by the nodes\' reload timer (docs/vault-tls.md); cellkit holds no key of that CA to rotate it with.'
          : undefined,
    });
    const snapshotBucket = new VaultSnapshotBucket(this, 'Snapshots', { encryptionKey: props.dataKey }).bucket;
    const logGroup = (id: string) =>
      new logs.LogGroup(this, id, { encryptionKey: props.dataKey, retention, removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE });
    // In this order: it is the order of the resources in the template.
    const serverLogs = logGroup('ServerLogs');
    const auditLogs = logGroup('AuditLogs');
    return { tlsSecret, snapshotBucket, serverLogs, auditLogs };
  }

  /** The Vault API through the internal NLB. */
  private get address(): string {
    return `https://${this.loadBalancer.loadBalancerDnsName}:${VAULT_API_PORT}`;
  }

  /**
   * Initialises and configures Vault during the deploy, once the servers, the NLB and the TLS secret
   * exist (docs/vault-bootstrap.md).
   */
  private createBootstrap(props: VaultClusterProps, logRetention: logs.RetentionDays): VaultBootstrap {
    const account = Stack.of(this).account;
    return new VaultBootstrap(this, 'Bootstrap', {
      tenantId: props.tenantId,
      encryptionKey: props.dataKey,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      vaultAddress: this.address,
      vaultPeers: [this.loadBalancer, this.securityGroup],
      tlsServerName: this.tlsServerName,
      tlsSecret: this.tlsSecret,
      nodes: this.nodes,
      recoveryPgpKeys: props.recovery?.pgpKeys,
      recoveryThreshold: props.recovery?.threshold,
      vaultRoleArn: this.role.roleArn,
      applicationRoleArn: props.applicationRoleArn ?? `arn:${Aws.PARTITION}:iam::${account}:role/cellkit-${props.tenantId}-app`,
      operatorRoleArn: props.operatorRoleArn ?? `arn:${Aws.PARTITION}:iam::${account}:role/cellkit-${props.tenantId}-vault-operator`,
      auditLogPath: VAULT_PATHS.auditLog,
      database: {
        hostname: props.database.hostname,
        port: Tokenization.stringifyNumber(props.database.port),
        databaseName: props.database.databaseName,
        masterSecret: props.database.masterSecret,
      },
      logRetention,
      fileShareSecret: props.fileShareSecret,
    });
  }
}
