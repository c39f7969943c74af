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
    const type = String(mixed?.LaunchTemplate?.Overrides?.[0]?.InstanceType ?? data.InstanceType ?? '');
    const lines: Line[] = [line(ctx, { description: `${count} x ${type} (Linux, on demand)`, quantity: count * ctx.assumptions.hoursPerMonth, unit: 'instance-hour', priceKey: `ec2.hour:${type}` })];
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
