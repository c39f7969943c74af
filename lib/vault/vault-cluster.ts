import { Aws, CfnOutput, CfnResource, Duration, RemovalPolicy, Size, Stack, Tags, Token, Tokenization, Validations } from 'aws-cdk-lib';
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
import { principalArnStatement } from '../keys/cell-keys';
import { Egress, VAULT_TLS_MODES } from '../registry/tenant-spec';
import { emptySecret } from './empty-secret';
import { artifactBucketName } from './artifacts/artifact-names';
import { VaultBootstrap, validateRecovery } from './vault-bootstrap';
import { VAULT_API_PORT, VAULT_CLUSTER_PORT, VAULT_PATHS, vaultServerConfig } from './vault-config';
import { AMI_ID_PATTERN, AmiFile, VAULT_IMAGE } from './vault-image';
import { SHA256_PATTERN, VAULT_RELEASE, VAULT_VERSION_PATTERN, VaultRelease, vaultZipName } from './vault-release';
import { fetchTlsScript, installScript, snapshotScript, tlsReloadScript, userDataScript } from './vault-scripts';
import { VaultSnapshotBucket } from './vault-snapshot-bucket';
import { VaultTlsIssuer } from './tls/vault-tls-issuer';
import { FRAMEWORK_PACKS } from '../compliance/nag-packs';

/** Liveness for the NLB and the Auto Scaling group's ELB health check (Vault API docs, "/sys/health"). */
export const VAULT_HEALTH_CHECK_PATH = '/v1/sys/health?standbyok=true&sealedcode=200&uninitcode=200&haunhealthycode=200';

/** Tag only this cluster's nodes carry; Raft auto-join looks peers up by it. */
export const VAULT_JOIN_TAG = 'cellkit:vault-cluster';
export const VAULT_DATA_DEVICE = '/dev/sdf';
/** The one object key the active node overwrites; bucket versioning keeps every snapshot. */
export const SNAPSHOT_KEY = 'raft/vault.snap';

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
    const stack = Stack.of(this);
    const region = stack.region;
    const who = `VaultCluster for tenant "${props.tenantId}"`;
    if (Token.isUnresolved(region)) throw new Error(`${who}: the stack needs a concrete region (env.region) to pick the node image`);
    this.nodes = props.nodes ?? 3;
    if (!([3, 5] as number[]).includes(this.nodes)) {
      throw new Error(`${who}: nodes must be 3 or 5 (an odd Raft quorum over three AZs); got ${this.nodes}`);
    }
    // Vault is initialised during the deploy: without operator PGP keys, refuse before building anything.
    validateRecovery(props.tenantId, props.recovery?.pgpKeys, props.recovery?.threshold);
    const machineImage = vaultMachineImage(who, region, props.image ?? VAULT_IMAGE);
    const instanceTypes = props.instanceTypes ?? vaultInstanceTypesFor(this.nodes).map((t) => new ec2.InstanceType(t));
    const typeNames = instanceTypes.map(String);
    if (new Set(typeNames).size < 2 || new Set(typeNames).size !== typeNames.length) {
      throw new Error(`${who}: instanceTypes must list at least two distinct instance types (Control Tower CT.AUTOSCALING.PR.6); got [${typeNames.join(', ')}]`);
    }
    const release = props.release ?? VAULT_RELEASE;
    if (!VAULT_VERSION_PATTERN.test(release.version)) throw new Error(`${who}: release.version must be a Vault release such as "1.18.3"; got "${release.version}"`);
    if (!SHA256_PATTERN.test(release.sha256)) throw new Error(`${who}: release.sha256 must be 64 lowercase hex digits (the linux_amd64 line of the release's SHA256SUMS); got "${release.sha256}"`);
    const artifactBucket = props.egress === 'none' ? (props.artifactBucket ?? s3.Bucket.fromBucketName(this, 'ArtifactBucket', artifactBucketName(stack.account, region))) : undefined;
    const artifactPrefix = props.artifactPrefix ?? 'vault/';
    if (!/^([A-Za-z0-9._-]+\/)*$/.test(artifactPrefix)) throw new Error(`${who}: artifactPrefix must be empty or end with "/" (e.g. "vault/"); got "${artifactPrefix}"`);
    const snapshotSchedule = props.snapshotSchedule ?? 'hourly';
    if (!/^[A-Za-z0-9*:,./ -]+$/.test(snapshotSchedule)) throw new Error(`${who}: snapshotSchedule must be a systemd OnCalendar= expression such as "hourly"; got "${snapshotSchedule}"`);
    this.tlsServerName = props.tlsServerName ?? `vault.${props.tenantId}.cellkit.internal`;
    const appRoleArn = props.applicationRoleArn ?? `arn:${Aws.PARTITION}:iam::${stack.account}:role/cellkit-${props.tenantId}-app`;
    const operatorRoleArn = props.operatorRoleArn ?? `arn:${Aws.PARTITION}:iam::${stack.account}:role/cellkit-${props.tenantId}-vault-operator`;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;

    const tlsMode = props.tls ?? 'cellkit';
    if (!VAULT_TLS_MODES.includes(tlsMode)) throw new Error(`${who}: tls must be ${VAULT_TLS_MODES.map((m) => `"${m}"`).join(' or ')}; got ${JSON.stringify(tlsMode)}`);
    this.tlsSecret = emptySecret(this, 'TlsSecret', {
      secretName: `/cellkit/${props.tenantId}/vault/tls`,
      description: `cellkit ${props.tenantId}: Vault TLS (JSON: certificate, private_key, ca), ${tlsMode === 'cellkit' ? 'issued and rotated by the cell TLS issuer' : 'set by an operator'}`,
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

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `cellkit ${props.tenantId}: Vault servers`,
    });
    this.role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'));
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      reason: 'SSM Session Manager and Run Command are the only way onto Vault nodes (no SSH, no key pair); AWS maintains this policy as the minimum the SSM agent needs.',
    });

    const sealActions = ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey'];
    // Named in a condition, not as principal: KMS may not yet see the role this stack has just created.
    props.sealKey.addToResourcePolicy(principalArnStatement(stack, 'VaultAutoUnseal', this.role.roleArn, sealActions));
    const artifactKey = `${artifactPrefix}${vaultZipName(release.version)}`;
    new iam.ManagedPolicy(this, 'InstancePolicy', {
      roles: [this.role],
      description: `cellkit ${props.tenantId}: Vault servers: seal, own secrets, own snapshot object, own logs`,
      statements: [
        new iam.PolicyStatement({ sid: 'Seal', actions: sealActions, resources: [props.sealKey.keyArn] }),
        new iam.PolicyStatement({
          sid: 'DataKeyThroughSecretsManagerAndS3',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [props.dataKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': [`secretsmanager.${region}.amazonaws.com`, `s3.${region}.amazonaws.com`] } },
        }),
        new iam.PolicyStatement({ sid: 'ReadOwnSecrets', actions: ['secretsmanager:GetSecretValue'], resources: [this.tlsSecret.secretArn] }),
        new iam.PolicyStatement({ sid: 'WriteSnapshot', actions: ['s3:PutObject'], resources: [this.snapshotBucket.arnForObjects(SNAPSHOT_KEY)] }),
        ...(artifactBucket
          ? [new iam.PolicyStatement({ sid: 'ReadVaultZip', actions: ['s3:GetObject'], resources: [artifactBucket.arnForObjects(artifactKey)] })]
          : []),
        new iam.PolicyStatement({
          sid: 'OwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [serverLogs.logGroupArn, auditLogs.logGroupArn],
        }),
      ],
    });
    const autoJoin = new iam.ManagedPolicy(this, 'AutoJoinPolicy', {
      roles: [this.role],
      description: `cellkit ${props.tenantId}: Vault Raft auto-join finds peers by tag`,
      statements: [new iam.PolicyStatement({ sid: 'RaftAutoJoin', actions: ['ec2:DescribeInstances'], resources: ['*'] })],
    });
    Validations.of(autoJoin).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ec2:DescribeInstances supports no resource-level permissions (AWS allows only "*"); Vault Raft auto-join needs it to find peers by tag. It is read-only and the only action here.',
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `cellkit ${props.tenantId}: Vault servers`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(VAULT_API_PORT) });
    // Raft join talks to peers' API port; replication and request forwarding use the cluster port.
    this.securityGroup.connections.allowInternally(ec2.Port.tcp(VAULT_API_PORT), 'Vault API between servers (Raft join)');
    this.securityGroup.connections.allowInternally(ec2.Port.tcp(VAULT_CLUSTER_PORT), 'Vault cluster port (Raft, forwarding) between servers only');
    this.securityGroup.connections.allowFrom(props.clientSecurityGroup, ec2.Port.tcp(VAULT_API_PORT), 'Vault API from the application plane');
    // With egress "none" there is no route to the internet: 443 reaches only VPC endpoints and S3.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS endpoints, S3 and (egress nat) releases.hashicorp.com');
    this.securityGroup.connections.allowTo(props.database.connections, ec2.Port.tcp(props.database.port), 'Vault database secrets engine');

    const cloudWatchAgent = {
      agent: { run_as_user: 'root' },
      logs: {
        logs_collected: {
          files: {
            collect_list: [
              { file_path: VAULT_PATHS.serverLog, log_group_name: serverLogs.logGroupName, log_stream_name: '{instance_id}' },
              { file_path: VAULT_PATHS.auditLog, log_group_name: auditLogs.logGroupName, log_stream_name: '{instance_id}' },
            ],
          },
        },
      },
    };
    this.configJson = stack.toJsonString(
      vaultServerConfig({
        region,
        sealKeyArn: props.sealKey.keyArn,
        joinTagKey: VAULT_JOIN_TAG,
        joinTagValue: props.tenantId,
        tlsServerName: this.tlsServerName,
        clusterName: `cellkit-${props.tenantId}`,
      }),
    );
    this.userData = userDataScript({
      region,
      configJson: this.configJson,
      cloudWatchAgentJson: stack.toJsonString(cloudWatchAgent),
      installScript: installScript({
        region,
        version: release.version,
        sha256: release.sha256,
        source: artifactBucket ? { kind: 's3', bucketName: artifactBucket.bucketName, key: artifactKey } : { kind: 'releases' },
      }),
      fetchTlsScript: fetchTlsScript({ region, tlsSecretArn: this.tlsSecret.secretArn }),
      tlsReloadScript: tlsReloadScript({ region, tlsSecretArn: this.tlsSecret.secretArn }),
      snapshotScript: snapshotScript({ region, tlsServerName: this.tlsServerName, bucketName: this.snapshotBucket.bucketName, key: SNAPSHOT_KEY }),
      dataDevice: VAULT_DATA_DEVICE,
      snapshotSchedule,
    });

    const volume = (size: Size, deleteOnTermination: boolean) =>
      ec2.BlockDeviceVolume.ebs(size.toGibibytes(), { encrypted: true, kmsKey: props.dataKey, volumeType: ec2.EbsDeviceVolumeType.GP3, deleteOnTermination });
    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      machineImage,
      instanceType: instanceTypes[0],
      role: this.role,
      securityGroup: this.securityGroup,
      userData: ec2.UserData.custom(this.userData),
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      associatePublicIpAddress: false,
      detailedMonitoring: true,
      blockDevices: [
        { deviceName: '/dev/xvda', volume: volume(Size.gibibytes(20), true) },
        // Kept when an instance goes: Raft data outlives its server (clean up once the cluster is healthy).
        { deviceName: VAULT_DATA_DEVICE, volume: volume(props.dataVolumeSize ?? Size.gibibytes(50), false) },
      ],
    });
    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Servers', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      mixedInstancesPolicy: {
        launchTemplate,
        launchTemplateOverrides: instanceTypes.map((instanceType) => ({ instanceType })),
        instancesDistribution: { onDemandPercentageAboveBaseCapacity: 100 },
      },
      minCapacity: this.nodes,
      maxCapacity: this.nodes,
      desiredCapacity: this.nodes,
      // ELB health checks replace a node whose Vault stops answering; the target group's check counts
      // sealed and uninitialised nodes as alive (below), so a KMS outage or a cell awaiting bootstrap
      // never makes the group replace its Raft replicas.
      healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
        gracePeriod: Duration.minutes(10), additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
      }),
    });
    // VPCZoneIdentifier alone places the group; AvailabilityZones names the same zones explicitly
    // (Control Tower CT.AUTOSCALING.PR.1; the EC2 Auto Scaling API requires the subnets to lie in them).
    const asgResource = this.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup;
    asgResource.availabilityZones = props.vpc.selectSubnets(props.vpcSubnets).availabilityZones;
    Tags.of(this.autoScalingGroup).add(VAULT_JOIN_TAG, props.tenantId);
    Validations.of(this.autoScalingGroup.node.defaultChild as CfnResource).acknowledge({
      id: 'CloudFormation-Validate::W3010',
      reason: 'The group names the zones of its subnets (Control Tower CT.AUTOSCALING.PR.1); they come from regions.json, like the subnets\' zones, so synth needs no AWS lookup.',
    });
    Validations.of(this.autoScalingGroup).acknowledge({
      id: 'Annotation::@aws-cdk/aws-autoscaling:desiredCapacitySet',
      reason: 'Intended: the Raft cluster has a fixed size, so every deploy resets the group to exactly the node count.',
    });
    // cdk-nag reads IMDSv2 and volume encryption from an ASG's LaunchTemplate property only, not from a
    // MixedInstancesPolicy; the launch template it references requires both (tested in vault-cluster.test.ts).
    for (const id of ['AwsSolutions-EC26', 'HIPAA.Security-EC2IMDSv2Enabled', 'NIST.800.53.R5-EC2IMDSv2Enabled']) {
      Validations.of(this.autoScalingGroup).acknowledge({
        id,
        reason: 'The group launches only from its launch template (through the mixed instances policy that Control Tower CT.AUTOSCALING.PR.6 asks for), which requires IMDSv2 (hop limit 1) and encrypts every EBS volume with the cell data key; cdk-nag does not follow a MixedInstancesPolicy to its launch template.',
      });
    }
    Validations.of(this.autoScalingGroup).acknowledge({
      id: 'AwsSolutions-AS3',
      reason:
        'The group never scales (min = max = desired); its only events are node replacements, recorded in the Auto Scaling activity history and CloudTrail, and watched through Vault\'s own health (NLB target health, autopilot state).',
    });

    const lbSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc: props.vpc,
      description: `cellkit ${props.tenantId}: Vault internal NLB`,
      allowAllOutbound: false,
    });
    this.loadBalancer = new elbv2.NetworkLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      internetFacing: false,
      crossZoneEnabled: true,
      // Turned on right after create by DeletionProtection (lib/rollback): a create rollback can delete it.
      securityGroups: [lbSecurityGroup],
    });
    this.loadBalancer.connections.allowFrom(props.clientSecurityGroup, ec2.Port.tcp(VAULT_API_PORT), 'Vault API from the application plane');
    this.securityGroup.connections.allowFrom(this.loadBalancer, ec2.Port.tcp(VAULT_API_PORT), 'Vault API and health checks from the NLB');
    const listener = this.loadBalancer.addListener('Api', { port: VAULT_API_PORT, protocol: elbv2.Protocol.TCP });
    for (const pack of FRAMEWORK_PACKS) {
      Validations.of(listener).acknowledge({
        id: `${pack}-ELBv2ACMCertificateRequired`,
        reason:
          'TLS is end-to-end: it terminates on the Vault servers (TLS 1.2+, company CA certificate from Secrets Manager), so the NLB never sees plaintext. An ACM certificate here would decrypt Vault traffic at the load balancer.',
      });
    }
    listener.addTargets('Servers', {
      port: VAULT_API_PORT,
      protocol: elbv2.Protocol.TCP,
      targets: [this.autoScalingGroup],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        protocol: elbv2.Protocol.HTTPS,
        port: String(VAULT_API_PORT),
        // The group replaces nodes on this check, so it asks "is Vault serving HTTPS?", not "is it
        // unsealed?": active and standby answer 200, and sealedcode/uninitcode/haunhealthycode make sealed
        // (default 503), uninitialised (501) and leaderless standbys (474, Vault >= 1.19) answer 200 too;
        // a node removed from Raft (530) is replaced. Vault API docs, "/sys/health".
        path: VAULT_HEALTH_CHECK_PATH,
        healthyHttpCodes: '200',
        interval: Duration.seconds(10),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
      },
    });
    for (const id of ['AwsSolutions-ELB2', 'HIPAA.Security-ELBLoggingEnabled', 'NIST.800.53.R5-ELBLoggingEnabled', 'PCI.DSS.321-ELBLoggingEnabled']) {
      Validations.of(this.loadBalancer).acknowledge({
        id,
        reason:
          'NLB access logs exist only for TLS listeners; this NLB passes TCP through so TLS ends on Vault and there would be nothing to log. Every request is recorded by Vault\'s two audit devices (shipped to an encrypted log group) and every connection by the VPC flow logs.',
      });
    }

    if (tlsMode === 'cellkit') {
      this.tlsIssuer = new VaultTlsIssuer(this, 'Tls', {
        tenantId: props.tenantId,
        vpc: props.vpc,
        vpcSubnets: props.vpcSubnets,
        tlsSecret: this.tlsSecret,
        dataKey: props.dataKey,
        serverName: this.tlsServerName,
        loadBalancerDnsName: this.loadBalancer.loadBalancerDnsName,
        logRetention: retention,
      });
    }
    // Initialise and configure Vault during the deploy, once the servers, the NLB and the TLS secret exist
    // (docs/vault-bootstrap.md).
    this.bootstrap = new VaultBootstrap(this, 'Bootstrap', {
      tenantId: props.tenantId,
      encryptionKey: props.dataKey,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      vaultAddress: `https://${this.loadBalancer.loadBalancerDnsName}:${VAULT_API_PORT}`,
      vaultPeers: [this.loadBalancer, this.securityGroup],
      tlsServerName: this.tlsServerName,
      tlsSecret: this.tlsSecret,
      nodes: this.nodes,
      recoveryPgpKeys: props.recovery?.pgpKeys,
      recoveryThreshold: props.recovery?.threshold,
      vaultRoleArn: this.role.roleArn,
      applicationRoleArn: appRoleArn,
      operatorRoleArn,
      auditLogPath: VAULT_PATHS.auditLog,
      database: {
        hostname: props.database.hostname,
        port: Tokenization.stringifyNumber(props.database.port),
        databaseName: props.database.databaseName,
        masterSecret: props.database.masterSecret,
      },
      logRetention: retention,
      fileShareSecret: props.fileShareSecret,
    });
    this.bootstrap.run.node.addDependency(this.autoScalingGroup, listener, this.tlsSecret);
    // With cellkit-issued TLS, Vault has a certificate only once the issuer has filled the secret.
    if (this.tlsIssuer) this.bootstrap.run.node.addDependency(this.tlsIssuer.certificate);

    new CfnOutput(this, 'Address', { value: `https://${this.loadBalancer.loadBalancerDnsName}:${VAULT_API_PORT}`, description: 'Vault API (internal NLB; TLS passes through to Vault)' });
    new CfnOutput(this, 'AutoScalingGroupName', { value: this.autoScalingGroup.autoScalingGroupName, description: 'Vault servers' });
  }
}

/**
 * The nodes' image. A pinned region gets its literal, fetched AMI ID. Any other region gets a
 * CloudFormation parameter of type `AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>` whose default
 * is AWS's public Amazon Linux 2023 parameter: CloudFormation reads it at each deploy (CloudFormation
 * user guide, "Specify existing resources at runtime with CloudFormation-supplied parameter types",
 * Systems Manager parameter types), so synth stays offline and no made-up ID is ever in a template.
 * A parameter rather than a `{{resolve:ssm:...}}` reference: CloudFormation validates that the value is
 * an EC2 image ID and records what it resolved with the stack (DescribeStacks `ResolvedValue`), so
 * operators can see which image each deploy used. A new image only changes the launch template: the
 * group has no AutoScalingRollingUpdate/ReplacingUpdate policy, so running nodes keep running (EC2 Auto
 * Scaling API reference, LaunchTemplate: "existing Amazon EC2 instances continue to run"; CloudFormation
 * UpdatePolicy attribute). Nodes are rolled by an operator (docs/vault-nodes.md).
 */
function vaultMachineImage(who: string, region: string, image: AmiFile): ec2.IMachineImage {
  const pin = Object.prototype.hasOwnProperty.call(image.pins, region) ? image.pins[region] : undefined;
  if (!pin) return ec2.MachineImage.fromSsmParameter(image.parameter);
  if (!AMI_ID_PATTERN.test(pin.imageId)) {
    throw new Error(`${who}: the pinned image for ${region} (lib/vault/amis.json, pins.${region}.imageId) must be "ami-" and 8 or 17 hex digits; got "${pin.imageId}". Re-pin with \`cellkit amis pin --region ${region}\``);
  }
  return ec2.MachineImage.genericLinux({ [region]: pin.imageId });
}
