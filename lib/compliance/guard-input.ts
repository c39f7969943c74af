/**
 * What the Control Tower gate hands to cfn-guard: the part of a template the bundled rules read, and, per
 * group of rules, only the resources of the types those rules name.
 *
 * Why each cut keeps every verdict (each is checked against the bundled rules by
 * test/compliance/guard-input.test.ts, so a plugin upgrade that breaks one fails a test):
 * - Top level: the rules read `Resources` (and the hook form `<Type>.resourceProperties`, which a template
 *   never has) and test `AWSTemplateFormatVersion exists`; `Description`, `Metadata` and `Outputs` are no
 *   rule's input, nor is a resource's `Metadata` (CDK paths, nag acknowledgments with their reasons).
 * - Per group: a rule selects resources by the `Type` constants it names. A rule that follows a local
 *   reference (`Ref`, `Fn::GetAtt`) out of such a resource only asks whether the referenced resource exists
 *   and which `Type` it has (CT.LAMBDA.PR.2's SourceArn, the ASG's target groups...). So the resources the
 *   kept ones refer to stay, as `{ Type }` alone: without them a reference is unresolved (cfn-guard then
 *   fails or skips the check where the unmodified plugin does not), and their properties are never read.
 */

/** A CloudFormation template as JSON. */
export type TemplateJson = { Resources?: Record<string, ResourceJson> } & Record<string, unknown>;
/** One resource of a template. */
export type ResourceJson = { Type?: string; Metadata?: unknown } & Record<string, unknown>;

/** Top-level template sections no bundled rule reads. */
const UNREAD_SECTIONS = ['Description', 'Metadata', 'Outputs'];

/** The resource types a rule file names in its string literals (lower case); empty when it names none. */
export function ruleResourceTypes(ruleText: string): string[] {
  return [...new Set([...ruleText.matchAll(/["'](AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)["']/g)].map((m) => m[1].toLowerCase()))];
}

/** The template as the rules read it: no Description, Metadata or Outputs, no resource Metadata. */
export function guardInput(template: TemplateJson): TemplateJson {
  const out: TemplateJson = {};
  for (const [key, value] of Object.entries(template)) if (!UNREAD_SECTIONS.includes(key)) out[key] = value;
  if (template.Resources) {
    out.Resources = Object.fromEntries(Object.entries(template.Resources).map(([id, r]) => {
      const { Metadata: _metadata, ...rest } = r;
      return [id, rest];
    }));
  }
  return out;
}

/** Logical ids that `value` refers to through Ref, Fn::GetAtt or Fn::Sub. */
export function referencedIds(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    value.forEach((v) => referencedIds(v, out));
  } else if (typeof value === 'string') {
    for (const m of value.matchAll(/\$\{([A-Za-z0-9]+)[.}]/g)) out.push(m[1]);
  } else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.Ref === 'string') out.push(o.Ref);
    const getAtt = o['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') out.push(getAtt[0]);
    if (typeof getAtt === 'string') out.push(getAtt.split('.')[0]);
    Object.values(o).forEach((v) => referencedIds(v, out));
  }
  return out;
}

/**
 * The input for one group of rules: the resources of `types` (lower case; empty = every resource), and, as
 * `{ Type }` stubs, the resources they refer to. Undefined when the template holds none of the types.
 */
export function ruleGroupInput(input: TemplateJson, types: readonly string[]): TemplateJson | undefined {
  const all = input.Resources ?? {};
  if (types.length === 0) return input;
  const kept = Object.keys(all).filter((id) => types.includes(String(all[id].Type).toLowerCase()));
  if (kept.length === 0) return undefined;
  const keep = new Set(kept);
  const stubs = new Set<string>();
  for (const id of kept) {
    for (const ref of referencedIds(all[id])) if (Object.prototype.hasOwnProperty.call(all, ref) && !keep.has(ref)) stubs.add(ref);
  }
  // In template order, so findings and file contents do not depend on the order references were met.
  const resources = Object.keys(all)
    .filter((id) => keep.has(id) || stubs.has(id))
    .map((id) => [id, keep.has(id) ? all[id] : { Type: all[id].Type }] as const);
  return { ...input, Resources: Object.fromEntries(resources) };
}
