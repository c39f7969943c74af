// What an evidence control is, what it sees (one synthesized cell template) and how it records what it found.
// Each control is one file in ./controls/ (named by its id); ./controls/index.ts lists them in report order.
import { cellKeyAlias } from '../keys/key-alias';
import { SynthesizedCell } from './cloud-assembly';
import { TemplateModel, prop, showValue } from './template-model';

export type Status = 'PASS' | 'FAIL';

/** One fact read from the template: which resource, which property, what value. */
export interface Evidence {
  readonly resource: string;
  readonly property: string;
  readonly value: string;
}

export interface ControlResult {
  readonly id: string;
  readonly title: string;
  readonly status: Status;
  readonly evidence: readonly Evidence[];
  readonly problems: readonly string[];
}

/** What a control sees: the template plus the facts every control needs. */
export class CellContext {
  readonly model: TemplateModel;
  readonly dataKey?: string;
  readonly sealKey?: string;
  /** Every KMS key defined in the cell's own template. */
  readonly cellKeys: readonly string[];

  constructor(readonly cell: SynthesizedCell) {
    this.model = new TemplateModel(cell.template);
    this.cellKeys = this.model.ofType('AWS::KMS::Key').map(([id]) => id);
    this.dataKey = this.keyForAlias(cellKeyAlias(cell.cell.tenant, 'data'));
    this.sealKey = this.keyForAlias(cellKeyAlias(cell.cell.tenant, 'seal'));
  }

  private keyForAlias(name: string): string | undefined {
    const alias = this.model.ofType('AWS::KMS::Alias').find(([, r]) => prop(r, 'Properties.AliasName') === name);
    return alias ? this.model.references(prop(alias[1], 'Properties.TargetKeyId')).find((id) => this.cellKeys.includes(id)) : undefined;
  }

  /** True when `value` points at one of the cell's own KMS keys. */
  usesCellKey(value: unknown): boolean {
    return this.model.references(value).some((id) => this.cellKeys.includes(id));
  }

  /** Subnets with a route to an internet gateway, or that hand out public IPs. */
  get publicSubnets(): Set<string> {
    this.publicSubnetIds ??= this.findPublicSubnets();
    return this.publicSubnetIds;
  }

  private publicSubnetIds?: Set<string>;

  private findPublicSubnets(): Set<string> {
    const m = this.model;
    const igwTables = new Set(
      m.ofType('AWS::EC2::Route').filter(([, r]) => prop(r, 'Properties.GatewayId') !== undefined).flatMap(([, r]) => m.references(prop(r, 'Properties.RouteTableId'))),
    );
    const result = new Set<string>();
    for (const [, assoc] of m.ofType('AWS::EC2::SubnetRouteTableAssociation')) {
      if (m.references(prop(assoc, 'Properties.RouteTableId')).some((t) => igwTables.has(t))) m.references(prop(assoc, 'Properties.SubnetId')).forEach((s) => result.add(s));
    }
    for (const [id, subnet] of m.ofType('AWS::EC2::Subnet')) if (prop(subnet, 'Properties.MapPublicIpOnLaunch') === true) result.add(id);
    return result;
  }

  /** Ingress rules of a security group: inline ones and separate AWS::EC2::SecurityGroupIngress resources. */
  ingressOf(sg: string): Record<string, unknown>[] {
    const inline = (prop(this.model.get(sg), 'Properties.SecurityGroupIngress') as Record<string, unknown>[] | undefined) ?? [];
    const separate = this.model
      .ofType('AWS::EC2::SecurityGroupIngress')
      .filter(([, r]) => this.model.refersTo(prop(r, 'Properties.GroupId'), sg))
      .map(([, r]) => r.Properties ?? {});
    return [...inline, ...separate];
  }
}

/** Collects evidence and problems for one control. */
export class Check {
  readonly evidence: Evidence[] = [];
  readonly problems: string[] = [];
  see(resource: string, property: string, value: unknown): void {
    this.evidence.push({ resource, property, value: typeof value === 'string' ? value : showValue(value) });
  }
  require(ok: boolean, problem: string): boolean {
    if (!ok) this.problems.push(problem);
    return ok;
  }
}

/** One written promise: an id (also its file name in ./controls/), a title, and its check. */
export interface Control {
  readonly id: string;
  readonly title: string;
  evaluate(ctx: CellContext, check: Check): void;
}

const DYNAMIC_SECRET = '{{resolve:secretsmanager:';
/** True when `v` is (or contains) a Secrets Manager dynamic reference, so no secret is in the template. */
export const isDynamicSecretRef = (v: unknown) => JSON.stringify(v ?? '').includes(DYNAMIC_SECRET);
