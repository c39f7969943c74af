import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { SECRET_ROTATION_RULES } from '../compliance/nag-packs';
import { keyWithoutGrants } from '../keys/key-without-grants';

export interface EmptySecretProps {
  readonly secretName: string;
  readonly description: string;
  readonly encryptionKey: kms.IKey;
  /**
   * Why Secrets Manager rotation does not apply; recorded with each rotation acknowledgment.
   * @default - no acknowledgment: the caller attaches a rotation schedule (the nag packs check it)
   */
  readonly rotationReason?: string;
}

/**
 * A retained, KMS-encrypted secret created without any value: its content is written later
 * (by an operator or by the bootstrap), so it never appears in the template.
 */
export function emptySecret(scope: Construct, id: string, props: EmptySecretProps): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, id, {
    secretName: props.secretName,
    description: props.description,
    encryptionKey: keyWithoutGrants(scope, props.encryptionKey),
    removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
  });
  // Without SecretString and GenerateSecretString, CloudFormation creates the secret with no value.
  (secret.node.defaultChild as secretsmanager.CfnSecret).addPropertyDeletionOverride('GenerateSecretString');
  for (const id of props.rotationReason ? SECRET_ROTATION_RULES : []) {
    Validations.of(secret).acknowledge({ id, reason: props.rotationReason! });
  }
  return secret;
}
