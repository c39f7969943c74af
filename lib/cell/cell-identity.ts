import { TemplateIdentity } from '../compliance/template-classes';
import { Tenant } from '../registry/registry';
import { cellStackName } from './cell-stack';

/**
 * The identity values of a tenant's cell template, and its shape: everything else the template is built
 * from. Two tenants of the same shape get the same template but for these values (test/cell/cell-identity.test.ts),
 * so the Control Tower gate checks one of them for both (lib/compliance/template-classes.ts).
 * A new spec field is part of the shape unless it is added to IDENTITY_FIELDS here.
 */
export function cellTemplateIdentity(tenant: Tenant): TemplateIdentity {
  const { id, account, displayName: _displayName, database, $schema: _schema, ...rest } = tenant.spec as Tenant['spec'] & { $schema?: string };
  const { usernameSuffix, ...otherDatabase } = database;
  return {
    stackName: cellStackName(tenant.id),
    // The display name appears only in the template's Description, which the gate does not hand to the rules.
    shape: JSON.stringify({ ...rest, database: otherDatabase, region: tenant.region.code }),
    values: [id, account, usernameSuffix],
  };
}
