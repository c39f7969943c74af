import { Validations } from 'aws-cdk-lib';
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

/** The packs' secret-rotation rules; cell secrets that rotate outside Secrets Manager acknowledge each, with the reason. */
export const SECRET_ROTATION_RULES = ['AwsSolutions-SMG4', 'HIPAA.Security-SecretsManagerRotationEnabled', 'NIST.800.53.R5-SecretsManagerRotationEnabled'];

/** The packs that share rule names (HIPAA, NIST, PCI), e.g. `${pack}-LambdaDLQ`. */
export const FRAMEWORK_PACKS = ['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'] as const;

/** Why the framework packs' Lambda rules do not apply to one function (each function states its own reasons). */
export interface LambdaAcknowledgments {
  /** `*-LambdaInsideVPC`: only for a function that must run outside the cell VPC. */
  readonly insideVpc?: string;
  /** `*-LambdaConcurrency`. */
  readonly concurrency: string;
  /** `*-LambdaDLQ`. */
  readonly dlq: string;
}

/** Acknowledges the framework packs' Lambda rules on `fn`, pack by pack, with the function's own reasons. */
export function acknowledgeLambdaRules(fn: IConstruct, reasons: LambdaAcknowledgments): void {
  for (const pack of FRAMEWORK_PACKS) {
    if (reasons.insideVpc) Validations.of(fn).acknowledge({ id: `${pack}-LambdaInsideVPC`, reason: reasons.insideVpc });
    Validations.of(fn).acknowledge({ id: `${pack}-LambdaConcurrency`, reason: reasons.concurrency });
    Validations.of(fn).acknowledge({ id: `${pack}-LambdaDLQ`, reason: reasons.dlq });
  }
}
