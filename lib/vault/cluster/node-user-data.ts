import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { VAULT_PATHS, vaultServerConfig } from '../vault-config';
import { fetchTlsScript, installScript, snapshotScript, tlsReloadScript, userDataScript } from '../vault-scripts';
import { SNAPSHOT_KEY, VAULT_DATA_DEVICE, VAULT_JOIN_TAG, vaultClusterError } from './node-constants';
import { VaultZip } from './vault-zip';

export interface VaultNodeUserDataProps {
  readonly tenantId: string;
  /** Its ARN goes into the `awskms` seal stanza. */
  readonly sealKey: kms.IKey;
  /** Name in the server certificate; peers verify it on Raft join. */
  readonly tlsServerName: string;
  /** The release to install and where to fetch it. */
  readonly zip: VaultZip;
  /** Holds the node certificate; read at boot and by the reload timer. */
  readonly tlsSecret: secretsmanager.ISecret;
  /** Where the active node writes SNAPSHOT_KEY. */
  readonly snapshotBucket: s3.IBucket;
  /** The CloudWatch agent ships Vault's server log here. */
  readonly serverLogs: logs.ILogGroup;
  /** The CloudWatch agent ships Vault's audit log here. */
  readonly auditLogs: logs.ILogGroup;
  /** systemd OnCalendar= for Raft snapshots. @default 'hourly' */
  readonly snapshotSchedule?: string;
}

/**
 * What a Vault node runs at first boot: vault.json (lib/vault/vault-config.ts), the CloudWatch agent's
 * config, and the scripts and units of lib/vault/node/, rendered into one user data script. Creates no
 * resource; the strings may hold tokens (the seal key ARN, bucket and log group names).
 */
export class VaultNodeUserData {
  /** vault.json as a token string. */
  readonly configJson: string;
  /** The rendered user data script (may contain tokens). */
  readonly script: string;

  constructor(scope: Construct, props: VaultNodeUserDataProps) {
    const snapshotSchedule = props.snapshotSchedule ?? 'hourly';
    if (!/^[A-Za-z0-9*:,./ -]+$/.test(snapshotSchedule)) {
      throw vaultClusterError(props.tenantId, `snapshotSchedule must be a systemd OnCalendar= expression such as "hourly"; got "${snapshotSchedule}"`);
    }
    const stack = Stack.of(scope);
    const region = stack.region;
    const cloudWatchAgent = {
      agent: { run_as_user: 'root' },
      logs: {
        logs_collected: {
          files: {
            collect_list: [
              { file_path: VAULT_PATHS.serverLog, log_group_name: props.serverLogs.logGroupName, log_stream_name: '{instance_id}' },
              { file_path: VAULT_PATHS.auditLog, log_group_name: props.auditLogs.logGroupName, log_stream_name: '{instance_id}' },
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
        tlsServerName: props.tlsServerName,
        clusterName: `cellkit-${props.tenantId}`,
      }),
    );
    const { release, source } = props.zip;
    this.script = userDataScript({
      region,
      configJson: this.configJson,
      cloudWatchAgentJson: stack.toJsonString(cloudWatchAgent),
      installScript: installScript({ region, version: release.version, sha256: release.sha256, source }),
      fetchTlsScript: fetchTlsScript({ region, tlsSecretArn: props.tlsSecret.secretArn }),
      tlsReloadScript: tlsReloadScript({ region, tlsSecretArn: props.tlsSecret.secretArn }),
      snapshotScript: snapshotScript({ region, tlsServerName: props.tlsServerName, bucketName: props.snapshotBucket.bucketName, key: SNAPSHOT_KEY }),
      dataDevice: VAULT_DATA_DEVICE,
      snapshotSchedule,
    });
  }
}
