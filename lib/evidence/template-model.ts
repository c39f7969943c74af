// A read-only view of one synthesized CloudFormation template, for the evidence controls.

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Metadata?: Record<string, unknown>;
}

export interface CfnTemplate {
  readonly Description?: string;
  readonly Metadata?: Record<string, unknown>;
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, unknown>;
}

export interface Acknowledgment {
  readonly resource: string;
  readonly rule: string;
  readonly reason: string;
}

export class TemplateModel {
  constructor(readonly template: CfnTemplate) {}

  get resources(): [string, CfnResource][] {
    return Object.entries(this.template.Resources ?? {});
  }

  ofType(type: string): [string, CfnResource][] {
    return this.resources.filter(([, r]) => r.Type === type);
  }

  get(logicalId: string): CfnResource | undefined {
    return this.template.Resources?.[logicalId];
  }

  /** Logical IDs that `value` points at through Ref or Fn::GetAtt, anywhere inside it. */
  references(value: unknown): string[] {
    const found = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) return v.forEach(walk);
      if (v === null || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      if (typeof o.Ref === 'string') found.add(o.Ref);
      const getAtt = o['Fn::GetAtt'];
      if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') found.add(getAtt[0]);
      if (typeof getAtt === 'string') found.add(getAtt.split('.')[0]);
      Object.values(o).forEach(walk);
    };
    walk(value);
    return [...found];
  }

  refersTo(value: unknown, logicalId: string): boolean {
    return this.references(value).includes(logicalId);
  }

  dependsOn(logicalId: string): string[] {
    const d = this.get(logicalId)?.DependsOn;
    return d === undefined ? [] : ([] as string[]).concat(d);
  }

  /** Every cdk-nag acknowledgment written into resource metadata. */
  get acknowledgments(): Acknowledgment[] {
    return this.resources.flatMap(([id, r]) => {
      const rules = ((r.Metadata?.cdk_nag as { rules_to_suppress?: { id: string; reason: string }[] } | undefined)?.rules_to_suppress ?? []);
      return rules.map((x) => ({ resource: id, rule: x.id, reason: x.reason }));
    });
  }
}

/** Renders a property value for a report: short JSON, intrinsics kept readable. */
export function showValue(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return '(absent)';
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** A dotted property path read from a resource, e.g. `Properties.KmsKeyId`. */
export function prop(resource: CfnResource | undefined, path: string): unknown {
  let cur: unknown = resource;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}
