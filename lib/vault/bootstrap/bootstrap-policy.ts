import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { VaultBootstrapProps } from '../vault-bootstrap-props';

export type VaultBootstrapPolicyProps = Pick<VaultBootstrapProps, 'tenantId' | 'encryptionKey' | 'tlsSecret' | 'database' | 'fileShareSecret'> & {
  /** The function's role. */
  readonly role: iam.IRole;
  /** The secret the function writes the recovery shares into. */
  readonly recoverySecret: secretsmanager.ISecret;
};

/**
 * The bootstrap function's one managed policy: read the TLS secret (for its CA), the database master secret
 * and the file share's secret; write the recovery shares; use their keys only through Secrets Manager.
 *
 * Part of VaultBootstrap, not a construct of its own: `Policy` is created in the given scope, so its logical
 * ID stays the bootstrap's (docs/vault-bootstrap.md, "How the code is split").
 */
export class VaultBootstrapPolicy {
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, props: VaultBootstrapPolicyProps) {
    const readable = [props.tlsSecret, props.database.masterSecret, ...(props.fileShareSecret ? [props.fileShareSecret] : [])];
    const secretKeys = [props.encryptionKey.keyArn, ...readable.flatMap((s) => (s.encryptionKey ? [s.encryptionKey.keyArn] : []))];
    this.policy = new iam.ManagedPolicy(scope, 'Policy', {
      roles: [props.role],
      description: `cellkit ${props.tenantId}: Vault bootstrap: its two secrets read, recovery shares written`,
      statements: [
        new iam.PolicyStatement({ sid: 'ReadCaAndMasterSecret', actions: ['secretsmanager:GetSecretValue'], resources: readable.map((s) => s.secretArn) }),
        new iam.PolicyStatement({ sid: 'WriteRecoveryShares', actions: ['secretsmanager:PutSecretValue'], resources: [props.recoverySecret.secretArn] }),
        new iam.PolicyStatement({
          sid: 'SecretKeysThroughSecretsManager',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [...new Set(secretKeys)],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(scope).region}.amazonaws.com` } },
        }),
      ],
    });
  }
}
