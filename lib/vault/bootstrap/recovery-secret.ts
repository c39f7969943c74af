import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { vaultRecoveryKeysSecretName } from '../../cell/secret-names';
import { emptySecret } from '../empty-secret';
import { VaultBootstrapProps } from '../vault-bootstrap-props';

export type VaultRecoverySecretProps = Pick<VaultBootstrapProps, 'tenantId' | 'recoveryPgpKeys' | 'recoveryThreshold'> & {
  /** Encrypts the secret. */
  readonly encryptionKey: kms.IKey;
};

/**
 * The operators' recovery keys, checked, and the secret the bootstrap writes the PGP-encrypted recovery
 * shares into (created empty, retained).
 *
 * Part of VaultBootstrap, not a construct of its own: `RecoverySecret` is created in the given scope, so its
 * logical ID stays the bootstrap's (docs/vault-bootstrap.md, "How the code is split").
 */
export class VaultRecoverySecret {
  readonly secret: secretsmanager.Secret;
  /** The keys, one recovery share each. */
  readonly pgpKeys: string[];
  readonly threshold: number;

  constructor(scope: Construct, props: VaultRecoverySecretProps) {
    const { pgpKeys, threshold } = validateRecovery(props.tenantId, props.recoveryPgpKeys, props.recoveryThreshold);
    this.pgpKeys = pgpKeys;
    this.threshold = threshold;
    this.secret = emptySecret(scope, 'RecoverySecret', {
      secretName: vaultRecoveryKeysSecretName(props.tenantId),
      description: `cellkit ${props.tenantId}: Vault recovery key shares, each PGP-encrypted to one operator key (written once by the bootstrap)`,
      encryptionKey: props.encryptionKey,
      rotationReason:
        'Holds Vault recovery shares that are PGP-encrypted to named operators; they change only through "vault operator rekey -target=recovery" with a quorum of operators, which no rotation Lambda can perform.',
    });
  }
}

/** Refuses, at synth, a tenant whose Vault could not be initialised during the deploy. */
export function validateRecovery(
  tenantId: string, recoveryPgpKeys: readonly string[] | undefined, recoveryThreshold: number | undefined,
): { pgpKeys: string[]; threshold: number } {
  const who = `VaultBootstrap for tenant "${tenantId}"`;
  const keys = recoveryPgpKeys ?? [];
  if (keys.length === 0) {
    throw new Error(
      `${who}: field "vault.recoveryPgpKeys" of tenants/${tenantId}.json is missing or empty; Vault is initialised during the deploy and needs at least one operator PGP public key ("gpg --export KEYID | base64 -w0") to encrypt each recovery share to (docs/vault-bootstrap.md)`,
    );
  }
  const threshold = recoveryThreshold;
  if (threshold === undefined || !Number.isInteger(threshold) || threshold < 1 || threshold > keys.length) {
    throw new Error(`${who}: recoveryThreshold must be an integer from 1 to ${keys.length} (the number of recovery PGP keys); got ${threshold}`);
  }
  if (keys.length > 1 && threshold === 1) {
    throw new Error(`${who}: recoveryThreshold must be at least 2 when there are ${keys.length} recovery PGP keys (Vault refuses a threshold of 1 for several shares)`);
  }
  return { pgpKeys: [...keys], threshold };
}
