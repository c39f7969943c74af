import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, rules } from 'cdk-nag';
import { Construct } from 'constructs';
import { SECRET_ROTATION_RULES, awsManagedPolicyFinding } from '../compliance/nag-packs';
import { nagRuleId, nagRuleIds } from '../compliance/nag-rule-id';
import { keyWithoutGrants } from '../keys/key-without-grants';
import { databaseMasterSecretName } from '../cell/secret-names';
import { CELL_SIZING } from '../cell/sizing';
import { RETENTION_DAYS } from './retention-days';
import { Sizing } from '../registry/tenant-spec';

/** Pinned engine: raise the pin after AWS applies a minor upgrade, never lower it. */
export const POSTGRES_VERSION = rds.PostgresEngineVersion.VER_17_9;

/** Log types exported to CloudWatch Logs; each gets its own encrypted, retained log group. */
export const DATABASE_LOG_EXPORTS = ['postgresql', 'upgrade'] as const;


/** RDS keeps automated backups at most this long; AWS Backup keeps the RETENTION_DAYS (lib/data/retention-days.ts). */
export const MAX_RDS_BACKUP_DAYS = 35;

export interface CellDatabaseProps {
  /** Tenant id: names the instance `cellkit-<tenant>` and its secret. */
  readonly tenantId: string;
  /** The tenant's random username suffix: the master user is `cellkit_<suffix>`. */
  readonly usernameSuffix: string;
  readonly sizing: Sizing;
  readonly vpc: ec2.IVpc;
  /** The isolated data subnets (one per AZ). */
  readonly subnets: ec2.SubnetSelection;
  /** Encrypts storage, the master secret, Performance Insights and the log groups. */
  readonly encryptionKey: kms.IKey;
  /**
   * Listener port; 5432 is refused so scanners probing the default port find nothing.
   * @default 5433
   */
  readonly port?: number;
  /**
   * Database created at launch.
   * @default 'cellkit'
   */
  readonly databaseName?: string;
  /**
   * RDS automated backups (point-in-time recovery), 1-35 days.
   * @default Duration.days(35)
   */
  readonly backupRetention?: Duration;
  /**
   * Retention of the exported PostgreSQL logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The company's own PostgreSQL: isolated subnets, TLS-only, IAM auth, encrypted with the data key,
 * a generated master password kept in Secrets Manager, snapshot on delete or replace.
 */
export class CellDatabase extends Construct implements ec2.IConnectable {
  readonly instance: rds.DatabaseInstance;
  /** Bootstrap master credential (`username`, `password`, `host`, `port`...), never in a template. */
  readonly secret: secretsmanager.ISecret;
  readonly port: number;
  readonly databaseName: string;
  readonly username: string;
  /** The instance endpoint address. */
  readonly hostname: string;
  /** Has no ingress until `allowFrom` or `connections` add some. */
  readonly securityGroup: ec2.SecurityGroup;
  readonly connections: ec2.Connections;
  readonly logGroups: logs.LogGroup[];

  constructor(scope: Construct, id: string, props: CellDatabaseProps) {
    super(scope, id);
    const what = `CellDatabase for tenant "${props.tenantId}"`;
    this.port = props.port ?? 5433;
    this.databaseName = props.databaseName ?? 'cellkit';
    this.username = `cellkit_${props.usernameSuffix}`;
    const backupRetention = props.backupRetention ?? Duration.days(MAX_RDS_BACKUP_DAYS);
    const backupDays = backupRetention.toDays({ integral: false });
    if (!Number.isInteger(this.port) || this.port < 1150 || this.port > 65535 || this.port === 5432) {
      throw new Error(`${what}: port must be an integer 1150-65535 other than the default 5432 (RDS PostgreSQL range); got ${this.port}`);
    }
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(this.databaseName)) {
      throw new Error(`${what}: databaseName must be 1-63 lowercase letters, digits or underscores starting with a letter; got ${JSON.stringify(this.databaseName)}`);
    }
    if (!/^[a-z0-9]{1,55}$/.test(props.usernameSuffix)) {
      throw new Error(`${what}: usernameSuffix must be 1-55 lowercase letters or digits; got ${JSON.stringify(props.usernameSuffix)}`);
    }
    if (!Number.isInteger(backupDays) || backupDays < 1 || backupDays > MAX_RDS_BACKUP_DAYS) {
      throw new Error(`${what}: backupRetention must be 1-${MAX_RDS_BACKUP_DAYS} whole days (RDS limit; the ${RETENTION_DAYS} days are kept by AWS Backup); got ${backupDays}`);
    }
    // RDS identifiers forbid "--", which tenant ids allow.
    const identifier = `cellkit-${props.tenantId}`;
    if (identifier.includes('--')) {
      throw new Error(`${what}: tenant id must not contain "--" (RDS instance identifiers forbid consecutive hyphens); got "${props.tenantId}"`);
    }
    const sizing = CELL_SIZING[props.sizing].database;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `cellkit ${props.tenantId}: PostgreSQL, reachable only from admitted security groups`,
      allowAllOutbound: false,
    });

    const engine = rds.DatabaseInstanceEngine.postgres({ version: POSTGRES_VERSION });
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: `cellkit ${props.tenantId}: TLS-only PostgreSQL`,
      parameters: { 'rds.force_ssl': '1', log_connections: '1', log_disconnections: '1' },
    });

    // Created here (not by RDS) so they are encrypted, retained and kept for a set time.
    this.logGroups = DATABASE_LOG_EXPORTS.map(
      (type) =>
        new logs.LogGroup(this, `${type[0].toUpperCase()}${type.slice(1)}Logs`, {
          logGroupName: `/aws/rds/instance/${identifier}/${type}`,
          encryptionKey: props.encryptionKey,
          retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
          removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        }),
    );

    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine,
      instanceIdentifier: identifier,
      instanceType: new ec2.InstanceType(sizing.instanceType),
      multiAz: sizing.multiAz,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [this.securityGroup],
      publiclyAccessible: false,
      port: this.port,
      databaseName: this.databaseName,
      credentials: rds.Credentials.fromGeneratedSecret(this.username, {
        secretName: databaseMasterSecretName(props.tenantId),
        encryptionKey: keyWithoutGrants(this, props.encryptionKey),
      }),
      parameterGroup,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      iamAuthentication: true,
      storageType: rds.StorageType.GP3,
      allocatedStorage: 50,
      maxAllocatedStorage: sizing.maxAllocatedStorageGiB,
      storageEncrypted: true,
      storageEncryptionKey: props.encryptionKey,
      backupRetention,
      copyTagsToSnapshot: true,
      // Deletion protection is turned on right after create by DeletionProtection (lib/rollback), so a
      // failed first deploy can still delete the instance; a protected one would end in ROLLBACK_FAILED.
      removalPolicy: RemovalPolicy.SNAPSHOT,
      monitoringInterval: Duration.seconds(60),
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: props.encryptionKey,
      performanceInsightRetention: rds.PerformanceInsightRetention.DEFAULT,
      cloudwatchLogsExports: [...DATABASE_LOG_EXPORTS],
      autoMinorVersionUpgrade: true,
    });
    for (const group of this.logGroups) this.instance.node.addDependency(group);

    this.secret = this.instance.secret!;
    this.hostname = this.instance.dbInstanceEndpointAddress;
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(this.port) });

    for (const id of SECRET_ROTATION_RULES) {
      Validations.of(this.instance.node.findChild('Secret')).acknowledge({
        id,
        reason: 'Bootstrap credential only: Vault\'s database secrets engine takes the master password over (rotate-root) and rotates it, after which only Vault knows it. A Secrets Manager rotation would overwrite Vault\'s password and lock Vault out.',
      });
    }
    const monitoringRole = this.instance.node.tryFindChild('MonitoringRole');
    if (monitoringRole) {
      Validations.of(monitoringRole).acknowledge({
        id: nagRuleId(AwsSolutionsChecks, rules.iam.IAMNoManagedPolicies, awsManagedPolicyFinding('service-role/AmazonRDSEnhancedMonitoringRole')),
        reason: 'AWS-maintained policy of the RDS enhanced monitoring role: it only lets RDS write OS metrics to the RDSOSMetrics log group; a copy would drift from what RDS needs.',
      });
    }
    if (!sizing.multiAz) {
      for (const id of nagRuleIds([AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks], rules.rds.RDSMultiAZSupport)) {
        Validations.of(this.instance).acknowledge({
          id,
          reason: `dev sizing is single-AZ by design (cost); data is protected by 35-day point-in-time recovery and ${RETENTION_DAYS}-day AWS Backup recovery points, and switching the tenant to prod sizing turns Multi-AZ on in place.`,
        });
      }
    }
  }

  /** Admits a security group (e.g. the app plane's) to the database port. */
  allowFrom(peer: ec2.IConnectable, description: string): void {
    this.connections.allowDefaultPortFrom(peer, description);
  }
}
