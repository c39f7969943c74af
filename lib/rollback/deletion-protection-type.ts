// No imports: `cellkit evidence` reads this without loading the CDK.

/** CloudFormation type of the custom resources that turn deletion protection on after create. */
export const DELETION_PROTECTION_TYPE = 'Custom::CellkitDeletionProtection';
