import { CfnResource } from 'aws-cdk-lib';
import { IApplyRule, NagPack, NagPackProps, NagRuleResult } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** A rule as cdk-nag exports it, e.g. `rules.secretsmanager.SecretsManagerRotationEnabled` (`import { rules } from 'cdk-nag'`). */
export type NagRule = (node: CfnResource) => NagRuleResult;

/** A pack class as cdk-nag exports it, e.g. `AwsSolutionsChecks`. */
export type NagPackClass = new (scope?: IConstruct, props?: NagPackProps) => NagPack;

interface PackRules {
  readonly packName: string;
  /** The id each rule reports in this pack, without a finding. */
  readonly ids: ReadonlyMap<NagRule, string>;
}

const packs = new Map<NagPackClass, PackRules>();

/**
 * The id cdk-nag reports for `rule` in `pack`, the id to acknowledge:
 * `Validations.of(x).acknowledge({ id: nagRuleId(AwsSolutionsChecks, rules.secretsmanager.SecretsManagerRotationEnabled), ... })`
 * gives `AwsSolutions-SMG4`. With `finding` (rules that report one finding each, such as IAM4 and IAM5) it gives
 * `AwsSolutions-IAM5[Resource::*]`.
 *
 * The id is formed as cdk-nag 3's `NagPack.applyRule` forms it: `<packName>-<ruleSuffixOverride, else the
 * rule function's name>`, then `[<finding>]`. A misspelt rule does not compile (the rule is the exported
 * function, not a string), and a rule the pack does not apply throws here, so no acknowledgment names a
 * rule that cannot fire.
 */
export function nagRuleId(pack: NagPackClass, rule: NagRule, finding?: string): string {
  const { packName, ids } = rulesOf(pack);
  if (typeof rule !== 'function') throw new Error(`cdk-nag pack ${packName}: ${String(rule)} is not a rule; pass one of cdk-nag's exported rules (rules.<service>.<Rule>)`);
  const id = ids.get(rule);
  if (id === undefined) throw new Error(`cdk-nag pack ${packName} does not apply the rule ${rule.name}: there is no finding of it to acknowledge`);
  return finding === undefined ? id : `${id}[${finding}]`;
}

/** `nagRuleId` for the same rule in each of `packs`, in that order (packs that share rule names: HIPAA, NIST, PCI). */
export function nagRuleIds(packs: readonly NagPackClass[], rule: NagRule, finding?: string): string[] {
  return packs.map((pack) => nagRuleId(pack, rule, finding));
}

/** Every rule id `pack` can report (without findings), e.g. for checking acknowledgments in a template. */
export function nagPackRuleIds(pack: NagPackClass): string[] {
  return [...rulesOf(pack).ids.values()];
}

/** The name a pack puts before each of its rule ids, e.g. `HIPAA.Security`. */
export function nagPackName(pack: NagPackClass): string {
  return rulesOf(pack).packName;
}

/** The two protected members of cdk-nag 3's `NagPack` that the recorder below uses. */
interface RecordablePack {
  readonly readPackName: string;
  applyRule(params: IApplyRule): void;
  checkResource(node: CfnResource): void;
}

/**
 * Reads the pack's own rule list once per process: on a throwaway instance, `applyRule` only records the
 * id of every rule that the pack's `checkResource` applies (cdk-nag 3.0.2 applies every rule of a pack to
 * every resource and lets the rule decide), so no rule runs and the probed resource is never read.
 */
function rulesOf(Pack: NagPackClass): PackRules {
  const known = packs.get(Pack);
  if (known) return known;
  const probe = new Pack() as unknown as RecordablePack;
  const packName = probe.readPackName;
  const ids = new Map<NagRule, string>();
  probe.applyRule = (params) => {
    const id = `${packName}-${params.ruleSuffixOverride ? params.ruleSuffixOverride : params.rule.name}`;
    const earlier = ids.get(params.rule);
    if (earlier !== undefined && earlier !== id) throw new Error(`cdk-nag pack ${packName} applies ${params.rule.name} twice, as ${earlier} and ${id}`);
    ids.set(params.rule, id);
  };
  probe.checkResource(undefined as unknown as CfnResource);
  if (ids.size === 0) throw new Error(`cdk-nag pack ${packName} applied no rule to a probe: cdk-nag's NagPack has changed, see lib/compliance/nag-rule-id.ts`);
  const rules = { packName, ids };
  packs.set(Pack, rules);
  return rules;
}
