import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/**
 * The four compliance packs every cell must pass. Acknowledgments are copied into each
 * resource's template Metadata so auditors see every exception next to its resource.
 */
export function nagPacks(scope?: IConstruct): NagPack[] {
  const props = { writeSuppressionsToCloudFormation: true };
  return [
    new AwsSolutionsChecks(scope, props),
    new HIPAASecurityChecks(scope, props),
    new NIST80053R5Checks(scope, props),
    new PCIDSS321Checks(scope, props),
  ];
}
