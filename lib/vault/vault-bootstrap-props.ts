// The props of VaultBootstrap (lib/vault/vault-bootstrap.ts), apart like aws-rds's props.ts; vault-bootstrap.ts re-exports them.
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

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
  /**
   * Operators' base64 PGP public keys (or `keybase:<name>`): one recovery share each.
   * @default - none: refused (Vault is initialised during the deploy and needs at least one key)
   */
  readonly recoveryPgpKeys?: readonly string[];
  /**
   * Recovery shares needed to recover, from 1 to the number of keys; at least 2 when there are several keys.
   * @default - none: refused
   */
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
