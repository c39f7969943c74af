import * as crypto from 'crypto';
import { TemplateJson } from './guard-input';

/**
 * What makes one tenant's cell template differ from another tenant's of the same shape: the values that
 * name the tenant. `cellTemplateIdentity` (lib/cell/cell-identity.ts) builds it from a validated tenant.
 */
export interface TemplateIdentity {
  /** The stack's artifact id, e.g. `Cell-acme`: its template is `<stackName>.template.json`. */
  readonly stackName: string;
  /**
   * Every input of the template that is not an identity value (plan, sizing, egress, region, Vault
   * settings...), as one string: templates are only compared with templates of the same shape.
   */
  readonly shape: string;
  /** The identity values as they may appear verbatim in the template: tenant id, account, database user suffix. */
  readonly values: readonly string[];
}

/** A template the gate checks, with the identity it was synthesized for (if it is a cell). */
export interface GateTemplate {
  readonly file: string;
  readonly input: TemplateJson;
  readonly identity?: TemplateIdentity;
}

/** A template of a class: where it is and its logical ids, in template order. */
export interface ClassMember {
  readonly file: string;
  readonly logicalIds: readonly string[];
}

/** Templates that are the same template up to their tenants' identity values; the first one is checked. */
export interface TemplateClass {
  readonly representative: GateTemplate;
  /** Every template of the class, the representative included, in the order given. */
  readonly members: readonly ClassMember[];
}

/**
 * The template with its tenant's identity written as placeholders: logical ids become their position
 * (`\0R<i>`: a cell's ids embed its stack name), the identity values become `\0I<i>`, and construct-path
 * names derived from the stack name (`Cellacme<path><8-hex hash>`, e.g. in a security group's description)
 * become `\0S<path>`. Two templates with equal canonical forms differ only where one has its own identity
 * values and the other has its own. Replacing in the JSON text rather than value by value is stricter, never
 * looser: a string that merely equals a logical id or contains an identity value is replaced too, in the
 * one template that has it, so the forms differ and each template is checked on its own.
 */
export function canonicalTemplate(input: TemplateJson, identity: TemplateIdentity): string {
  const index = new Map(Object.keys(input.Resources ?? {}).map((id, i) => [id, `\\u0000R${i}`]));
  const { Resources: resources, ...rest } = input;
  let text = JSON.stringify([identity.shape, rest, Object.entries(resources ?? {})]);
  // Every logical id, where it is a key, a Ref, a GetAtt target or a DependsOn entry ("Id"), or in an Fn::Sub (${Id} or ${Id.Attr}).
  text = text.replace(/"([A-Za-z][A-Za-z0-9]*)"|\$\{([A-Za-z][A-Za-z0-9]*)([.}])/g, (m, quoted?: string, sub?: string, end?: string) => {
    if (quoted !== undefined) return index.has(quoted) ? `"${index.get(quoted)}"` : m;
    return index.has(sub!) ? `\${${index.get(sub!)}${end}` : m;
  });
  const alnumStack = identity.stackName.replace(/[^A-Za-z0-9]/g, '');
  text = text.replace(new RegExp(`${alnumStack}([A-Za-z0-9]*?)[0-9A-F]{8}(?![A-Za-z0-9])`, 'g'), '\\u0000S$1');
  // Longest first, so a value that contains another is replaced whole.
  const values = identity.values.map((v, i) => [v, `\\u0000I${i}`] as const).filter(([v]) => v.length > 0).sort((x, y) => y[0].length - x[0].length);
  for (const [value, placeholder] of values) text = text.split(value).join(placeholder);
  return text;
}

/**
 * Groups templates whose canonical forms are equal (same shape, same template but for the identity values).
 * A template without an identity, or whose identity names another stack, is a class of its own. Only each
 * class's first template is kept whole: pass a generator and a fleet's templates are never all in memory.
 */
export function templateClasses(templates: Iterable<GateTemplate>): TemplateClass[] {
  const byForm = new Map<string, ClassMember[]>();
  const classes: TemplateClass[] = [];
  for (const t of templates) {
    const member = { file: t.file, logicalIds: Object.keys(t.input.Resources ?? {}) };
    const form = t.identity && templateFileStack(t.file) === t.identity.stackName
      ? crypto.createHash('sha256').update(canonicalTemplate(t.input, t.identity)).digest('hex')
      : undefined;
    const members = form === undefined ? undefined : byForm.get(form);
    if (members) {
      members.push(member);
    } else {
      const fresh = [member];
      classes.push({ representative: t, members: fresh });
      if (form !== undefined) byForm.set(form, fresh);
    }
  }
  return classes;
}

/** `cdk.out/Cell-acme.template.json` -> `Cell-acme`. */
export function templateFileStack(file: string): string {
  return file.replace(/^.*[\\/]/, '').replace(/\.template\.json$/, '');
}
