import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { emptySecret } from './empty-secret';
import { BootstrapScriptProps, bootstrapScript } from './vault-scripts';

export interface VaultBootstrapProps extends Omit<BootstrapScriptProps, 'recoverySecretArn'> {
  readonly tenantId: string;
  /** Encrypts the recovery-shares secret. */
  readonly encryptionKey: kms.IKey;
}

/**
 * The bootstrap as an SSM Command document (run once on one node, safe to run again) and the
 * secret that receives the PGP-encrypted recovery shares, outside the cluster.
 */
export class VaultBootstrap extends Construct {
  readonly document: ssm.CfnDocument;
  readonly documentName: string;
  readonly recoverySecret: secretsmanager.Secret;
  /** The rendered script (may contain tokens). */
  readonly script: string;

  constructor(scope: Construct, id: string, props: VaultBootstrapProps) {
    super(scope, id);
    const keys = props.recoveryPgpKeys ?? [];
    const threshold = props.recoveryThreshold;
    if (keys.length > 0 && (threshold === undefined || !Number.isInteger(threshold) || threshold < 1 || threshold > keys.length)) {
      throw new Error(`VaultBootstrap for tenant "${props.tenantId}": recoveryThreshold must be an integer from 1 to ${keys.length} (the number of recovery PGP keys); got ${threshold}`);
    }
    if (keys.length > 1 && threshold === 1) {
      throw new Error(`VaultBootstrap for tenant "${props.tenantId}": recoveryThreshold must be at least 2 when there are ${keys.length} recovery PGP keys (Vault refuses a threshold of 1 for several shares)`);
    }
    this.recoverySecret = emptySecret(this, 'RecoverySecret', {
      secretName: `/cellkit/${props.tenantId}/vault/recovery-keys`,
      description: `cellkit ${props.tenantId}: Vault recovery key shares, each PGP-encrypted to one operator key (written once by the bootstrap)`,
      encryptionKey: props.encryptionKey,
      rotationReason:
        'Holds Vault recovery shares that are PGP-encrypted to named operators; they change only through "vault operator rekey -target=recovery" with a quorum of operators, which no rotation Lambda can perform.',
    });
    this.script = bootstrapScript({ ...props, recoverySecretArn: this.recoverySecret.secretArn });
    this.documentName = `cellkit-${props.tenantId}-vault-bootstrap`;
    this.document = new ssm.CfnDocument(this, 'Document', {
      name: this.documentName,
      documentType: 'Command',
      updateMethod: 'NewVersion',
      content: {
        schemaVersion: '2.2',
        description: `cellkit ${props.tenantId}: initialise and configure Vault (idempotent; run on one Vault node)`,
        mainSteps: [
          {
            action: 'aws:runShellScript',
            name: 'bootstrapVault',
            inputs: { timeoutSeconds: '1800', runCommand: this.script.split('\n') },
          },
        ],
      },
    });
  }
}
