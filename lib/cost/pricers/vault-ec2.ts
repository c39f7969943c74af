import { Line, line, numberProp, Pricer, PricingContext, unpriced } from '../model';

interface Ebs {
  VolumeSize?: unknown;
  VolumeType?: unknown;
}

/**
 * An Auto Scaling group (the Vault servers): desired capacity x instance hours of its launch
 * template's instance type (Linux, on demand), plus each instance's EBS volumes per GB-month.
 * Sources: "Amazon EC2 On-Demand Pricing" (aws.amazon.com/ec2/pricing/on-demand) and
 * "Amazon EBS pricing" (aws.amazon.com/ebs/pricing). The group itself is free.
 */
export const autoScalingGroup: Pricer = {
  type: 'AWS::AutoScaling::AutoScalingGroup',
  price(ctx: PricingContext): Line[] {
    const p = ctx.resource.Properties ?? {};
    const count = numberProp(p.DesiredCapacity) ?? numberProp(p.MinSize);
    // A group with a mixed instances policy names its launch template there (and launches its first override type).
    type Mixed = { LaunchTemplate?: { LaunchTemplateSpecification?: Record<string, unknown>; Overrides?: { InstanceType?: string }[] } };
    const mixed = p.MixedInstancesPolicy as Mixed | undefined;
    const spec = (p.LaunchTemplate as Record<string, unknown> | undefined) ?? mixed?.LaunchTemplate?.LaunchTemplateSpecification;
    const ltId = ctx.template.references(spec?.LaunchTemplateId)[0];
    const data = (ltId ? ctx.template.get(ltId)?.Properties?.LaunchTemplateData : undefined) as Record<string, unknown> | undefined;
    if (count === undefined || !data) return [unpriced(ctx, 'instances', 'no desired capacity or launch template found in the template')];
    // The group may launch any override type ("Auto Scaling groups with multiple instance types", EC2 Auto Scaling
    // User Guide): the first (preferred) one is priced, and every other one must have a price too, or it is listed unpriced.
    const overrides = (mixed?.LaunchTemplate?.Overrides ?? []).map((o) => String(o.InstanceType ?? '')).filter((t) => t !== '');
    const [type, ...alternatives] = overrides.length > 0 ? overrides : [String(data.InstanceType ?? '')];
    const hours = count * ctx.assumptions.hoursPerMonth;
    const alternativeLines = alternatives.map((alt) => ({ alt, priced: line(ctx, { description: `${count} x ${alt}`, quantity: hours, unit: 'instance-hour', priceKey: `ec2.hour:${alt}` }) }));
    const also = alternativeLines.filter((a) => a.priced.kind === 'priced').map((a) => `${a.alt} at $${(a.priced as { unitUsd: number }).unitUsd}/h`);
    const lines: Line[] = [
      line(ctx, { description: `${count} x ${type} (Linux, on demand${also.length ? `; the group may also launch ${also.join(', ')}` : ''})`, quantity: hours, unit: 'instance-hour', priceKey: `ec2.hour:${type}` }),
      ...alternativeLines.filter((a) => a.priced.kind === 'unpriced').map((a) => unpriced(ctx, `${count} x ${a.alt} (the group may launch it instead of ${type})`, (a.priced as { reason: string }).reason)),
    ];
    const volumes = ((data.BlockDeviceMappings as { DeviceName?: string; Ebs?: Ebs }[] | undefined) ?? []).filter((b) => b.Ebs);
    for (const v of volumes) {
      const size = numberProp(v.Ebs!.VolumeSize);
      const volType = String(v.Ebs!.VolumeType ?? 'gp2');
      if (size === undefined || volType !== 'gp3') {
        lines.push(unpriced(ctx, `EBS volume ${v.DeviceName ?? ''}`, `only gp3 volumes of a fixed size are modelled (got ${volType})`));
        continue;
      }
      lines.push(line(ctx, { description: `${count} x EBS gp3 ${size} GB (${v.DeviceName ?? 'volume'})`, quantity: count * size, unit: 'GB-month', priceKey: 'ebs.gp3.gb-month' }));
    }
    return lines;
  },
};
