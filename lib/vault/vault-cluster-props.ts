// The props of VaultCluster (lib/vault/vault-cluster.ts), apart like aws-rds's props.ts; vault-cluster.ts re-exports them.
import { Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Egress, VAULT_TLS_MODES } from '../registry/tenant-spec';
import { AmiFile } from './vault-image';
import { VaultRelease } from './vault-release';

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
  /** The Raft data volume, whole GiB from 1 GiB to 16 TiB (gp3). @default Size.gibibytes(50) */
  readonly dataVolumeSize?: Size;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
}
