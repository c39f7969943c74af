import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks, rules } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { NagPackClass, NagRule, nagRuleId, nagRuleIds } from './nag-rule-id';

/**
 * The four compliance packs every cell must pass. Acknowledgments are copied into each
 * resource's template Metadata so auditors see every exception next to its resource.
 */
export function nagPacks(scope?: IConstruct): NagPack[] {
  return NAG_PACKS.map((Pack) => new Pack(scope, { writeSuppressionsToCloudFormation: true }));
}

/** The packs' secret-rotation rules; cell secrets that rotate outside Secrets Manager acknowledge each, with the reason. */
export const SECRET_ROTATION_RULES = nagRuleIds(
  [AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks],
  rules.secretsmanager.SecretsManagerRotationEnabled,
);

/** The packs that share rule names (HIPAA, NIST, PCI): `nagRuleIds(FRAMEWORK_NAG_PACKS, rules.vpc.VPCNoUnrestrictedRouteToIGW)`. */
export const FRAMEWORK_NAG_PACKS: readonly NagPackClass[] = [HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks];

/** The four packs every cell must pass, in report order. */
export const NAG_PACKS: readonly NagPackClass[] = [AwsSolutionsChecks, ...FRAMEWORK_NAG_PACKS];

/** The `AwsSolutions-IAM5` finding for a statement on every resource, as cdk-nag's IAMNoWildcardPermissions reports it. */
export const ANY_RESOURCE_FINDING = 'Resource::*';

/** The `AwsSolutions-IAM4` finding for one AWS managed policy, as cdk-nag's IAMNoManagedPolicies reports it. */
export function awsManagedPolicyFinding(managedPolicyName: string): string {
  return `Policy::arn:<AWS::Partition>:iam::aws:policy/${managedPolicyName}`;
}

/** Why the framework packs' Lambda rules do not apply to one function (each function states its own reasons). */
export interface LambdaAcknowledgments {
  /** `LambdaInsideVPC` (HIPAA, NIST, PCI): only for a function that must run outside the cell VPC. */
  readonly insideVpc?: string;
  /** `LambdaConcurrency` (HIPAA, NIST; PCI DSS 3.2.1 has no such rule). */
  readonly concurrency: string;
  /** `LambdaDLQ` (HIPAA, NIST; PCI DSS 3.2.1 has no such rule). */
  readonly dlq: string;
}

/** The packs that apply each Lambda rule: nagRuleId refuses a pack that does not. */
const LAMBDA_RULES: ReadonlyArray<{ readonly reason: keyof LambdaAcknowledgments; readonly rule: NagRule; readonly packs: readonly NagPackClass[] }> = [
  { reason: 'insideVpc', rule: rules.lambda.LambdaInsideVPC, packs: FRAMEWORK_NAG_PACKS },
  { reason: 'concurrency', rule: rules.lambda.LambdaConcurrency, packs: [HIPAASecurityChecks, NIST80053R5Checks] },
  { reason: 'dlq', rule: rules.lambda.LambdaDLQ, packs: [HIPAASecurityChecks, NIST80053R5Checks] },
];

/** Acknowledges the framework packs' Lambda rules on `fn`, pack by pack, with the function's own reasons. */
export function acknowledgeLambdaRules(fn: IConstruct, reasons: LambdaAcknowledgments): void {
  for (const pack of FRAMEWORK_NAG_PACKS) {
    for (const { reason, rule, packs } of LAMBDA_RULES) {
      const text = reasons[reason];
      if (text && packs.includes(pack)) Validations.of(fn).acknowledge({ id: nagRuleId(pack, rule), reason: text });
    }
  }
}
