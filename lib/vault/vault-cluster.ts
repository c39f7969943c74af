import { Aws, CfnOutput, RemovalPolicy, Size, Stack, Tokenization } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { vaultInstanceTypesFor } from '../cell/sizing';
import { Egress, VAULT_TLS_MODES } from '../registry/tenant-spec';
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
import { AmiFile } from './vault-image';
import { VaultRelease } from './vault-release';
import { VaultSnapshotBucket } from './vault-snapshot-bucket';
import { VaultTlsIssuer } from './tls/vault-tls-issuer';

export { SNAPSHOT_KEY, VAULT_DATA_DEVICE, VAULT_JOIN_TAG } from './cluster/node-constants';
export { VAULT_HEALTH_CHECK_PATH } from './cluster/load-balancer';

/** What Vault needs from the company database; the data tier's CellDatabase provides each field. */
export interface VaultDatabaseTarget {
  /** Endpoint host name (may be a token). */
  readonly hostname: string;
  readonly port: number;
  readonly databaseName: string;
  /** Master credentials, JSON with `username` and `password`; read once, then rotated by Vault. */
  readonly masterSecret: secretsmanager.ISecret;
  /** The database's security group side: Vault is allowed in on `port`. */
  readonly connections: ec2.IConnectable;
}

/** Operators whose PGP public keys receive one recovery share each. */
export interface VaultRecoveryKeys {
  /** Base64 PGP public keys (`gpg --export KEYID | base64 -w0`) or `keybase:<name>`. */
  readonly pgpKeys: readonly string[];
  /** Shares needed to recover; 1 only when there is a single key. */
  readonly threshold: number;
}

/** Who provides Vault's TLS certificate. */
export type VaultTlsMode = (typeof VAULT_TLS_MODES)[number];

export interface VaultClusterProps {
  readonly tenantId: string;
  readonly vpc: ec2.IVpc;
  /** The three AZs' private app subnets. */
  readonly vpcSubnets: ec2.SubnetSelection;
  /** The company's application plane: may reach Vault on 8200. */
  readonly clientSecurityGroup: ec2.ISecurityGroup;
  /** Seals Vault; this construct adds the one key-policy statement naming the Vault role. */
  readonly sealKey: kms.IKey;
  /**
   * The file share's SMB user secret, copied into Vault's KV by the bootstrap (docs/file-share.md).
   * @default - no file share credentials in Vault
   */
  readonly fileShareSecret?: secretsmanager.ISecret;
  /** Encrypts volumes, logs, secrets and snapshots. */
  readonly dataKey: kms.IKey;
  readonly database: VaultDatabaseTarget;
  /** `nat`: the zip comes from releases.hashicorp.com; `none`: from `artifactBucket`. */
  readonly egress: Egress;
  /**
   * Servers in the Raft cluster (3 tolerates one failure, 5 tolerates two).
   * @default 3
   */
  readonly nodes?: 3 | 5;
  /**
   * Instance types the group may launch, first preferred: at least two distinct types of the same
   * size, so a capacity shortage of one type does not stop a replacement (Control Tower CT.AUTOSCALING.PR.6),
   * each a Nitro type that encrypts traffic between instances (CT.AUTOSCALING.PR.11; EC2 User Guide,
   * "Encryption in transit").
   * @default the types of the sizing in lib/cell/sizing.ts that runs this many nodes (c6i/c6a.large for 3, m6i/m6a.large for 5)
   */
  readonly instanceTypes?: readonly ec2.InstanceType[];
  /**
   * Where the nodes' image comes from: a region listed in `pins` launches exactly that (fetched) AMI;
   * any other region resolves `parameter` (Amazon Linux 2023) at deploy time.
   * @default VAULT_IMAGE (lib/vault/amis.json)
   */
  readonly image?: AmiFile;
  /** @default VAULT_RELEASE */
  readonly release?: VaultRelease;
  /**
   * Holds `<artifactPrefix>vault_<version>_linux_amd64.zip` for egress `none` (ignored for `nat`).
   * @default the operator-created bucket `cellkit-artifacts-<account>-<region>`
   */
  readonly artifactBucket?: s3.IBucket;
  /** @default 'vault/' */
  readonly artifactPrefix?: string;
  /**
   * Vault role `cellkit-app` (read secrets, database credentials) is bound to this IAM role.
   * @default arn:<partition>:iam::<account>:role/cellkit-<tenant>-app
   */
  readonly applicationRoleArn?: string;
  /**
   * Vault role `cellkit-operator` (manage KV secrets) is bound to this IAM role.
   * @default arn:<partition>:iam::<account>:role/cellkit-<tenant>-vault-operator
   */
  readonly operatorRoleArn?: string;
  /** Operators' PGP keys for the recovery shares. Required: the construct refuses to synthesize without them (Vault is initialised during the deploy). */
  readonly recovery?: VaultRecoveryKeys;
  /** Name in the server certificate (peers verify it). @default vault.<tenant>.cellkit.internal */
  readonly tlsServerName?: string;
  /**
   * Who provides the TLS certificate: `cellkit` issues a per-cell CA and certificate at deploy and rotates it;
   * `operator` leaves the TLS secret for an operator to fill from a company CA (docs/vault-tls.md).
   * @default 'cellkit'
   */
  readonly tls?: VaultTlsMode;
  /** systemd OnCalendar= for Raft snapshots. @default 'hourly' */
  readonly snapshotSchedule?: string;
  /** @default Size.gibibytes(50) */
  readonly dataVolumeSize?: Size;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
}

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

    this.tlsSecret = emptySecret(this, 'TlsSecret', {
      secretName: `/cellkit/${tenantId}/vault/tls`,
      description: `cellkit ${tenantId}: Vault TLS (JSON: certificate, private_key, ca), ${tlsMode === 'cellkit' ? 'issued and rotated by the cell TLS issuer' : 'set by an operator'}`,
      encryptionKey: props.dataKey,
      // With the cellkit issuer, Secrets Manager rotates it (VaultTlsIssuer's rotation schedule).
      rotationReason:
        tlsMode === 'operator'
          ? 'tls "operator": holds a certificate from the company CA, renewed by an operator with that CA and picked up by the nodes\' reload timer (docs/vault-tls.md); cellkit holds no key of that CA to rotate it with.'
          : undefined,
    });
    this.snapshotBucket = new VaultSnapshotBucket(this, 'Snapshots', { encryptionKey: props.dataKey }).bucket;
    const serverLogs = new logs.LogGroup(this, 'ServerLogs', { encryptionKey: props.dataKey, retention, removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE });
    const auditLogs = new logs.LogGroup(this, 'AuditLogs', { encryptionKey: props.dataKey, retention, removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE });

    const stores = { tlsSecret: this.tlsSecret, snapshotBucket: this.snapshotBucket };
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
