import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * The same key, seen as imported: constructs given it (Secrets Manager secrets) then add no
 * wildcard statement (`kms:ReEncrypt*`, `kms:GenerateDataKey*`) to its key policy. The data key
 * already lets those services use it through its `UseThroughCellServices` statement.
 */
export function keyWithoutGrants(scope: Construct, key: kms.IKey): kms.IKey {
  const id = 'KeyWithoutGrants';
  return (scope.node.tryFindChild(id) as kms.IKey | undefined) ?? kms.Key.fromKeyArn(scope, id, key.keyArn);
}
