import { Line, line, Pricer, PricingContext } from '../model';

/**
 * NAT gateway: per hour and per GB processed ("Amazon VPC pricing", aws.amazon.com/vpc/pricing).
 * Its Elastic IP is priced by the EIP pricer (public IPv4, per hour).
 */
export const natGateway: Pricer = {
  type: 'AWS::EC2::NatGateway',
  price: (ctx: PricingContext): Line[] => [
    line(ctx, { description: 'NAT gateway hours', quantity: ctx.assumptions.hoursPerMonth, unit: 'hour', priceKey: 'vpc.nat.hour' }),
    line(ctx, { description: `data processed (${ctx.assumptions.natProcessedGbPerGateway} GB assumed)`, quantity: ctx.assumptions.natProcessedGbPerGateway, unit: 'GB', priceKey: 'vpc.nat.gb' }),
  ],
};

/** Public IPv4 address: per hour whether in use or idle (Amazon VPC pricing, "Public IPv4 Address"). */
export const elasticIp: Pricer = {
  type: 'AWS::EC2::EIP',
  price: (ctx: PricingContext): Line[] => [line(ctx, { description: 'public IPv4 address', quantity: ctx.assumptions.hoursPerMonth, unit: 'hour', priceKey: 'vpc.public-ipv4.hour' })],
};

/**
 * VPC endpoints: interface endpoints bill per endpoint per AZ-hour plus per GB processed
 * ("AWS PrivateLink pricing", aws.amazon.com/privatelink/pricing); gateway endpoints (S3,
 * DynamoDB) have no charge ("Gateway endpoints", Amazon VPC User Guide).
 */
export const vpcEndpoint: Pricer = {
  type: 'AWS::EC2::VPCEndpoint',
  price(ctx: PricingContext): Line[] {
    const p = ctx.resource.Properties ?? {};
    const service = serviceName(p.ServiceName);
    if (p.VpcEndpointType !== 'Interface') return [];
    const azs = Array.isArray(p.SubnetIds) ? p.SubnetIds.length : 1;
    return [
      line(ctx, { description: `interface endpoint ${service} in ${azs} AZ(s)`, quantity: azs * ctx.assumptions.hoursPerMonth, unit: 'AZ-hour', priceKey: 'vpc.interface-endpoint.az-hour' }),
      line(ctx, { description: `data processed via ${service} (${ctx.assumptions.endpointProcessedGbPerEndpoint} GB assumed)`, quantity: ctx.assumptions.endpointProcessedGbPerEndpoint, unit: 'GB', priceKey: 'vpc.interface-endpoint.gb' }),
    ];
  },
};

function serviceName(value: unknown): string {
  if (typeof value === 'string') return value.split('.').pop() ?? value;
  const parts = (value as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join']?.[1] ?? [];
  const last = parts[parts.length - 1];
  return typeof last === 'string' ? last.replace(/^\./, '') : '(service)';
}

/**
 * Network Load Balancer: per hour plus per NLCU-hour ("Elastic Load Balancing pricing",
 * aws.amazon.com/elasticloadbalancing/pricing). Other load balancer types are not modelled.
 */
export const loadBalancer: Pricer = {
  type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
  price(ctx: PricingContext): Line[] {
    const kind = String(ctx.resource.Properties?.Type ?? 'application');
    const h = ctx.assumptions.hoursPerMonth;
    const key = kind === 'network' ? 'elb.network' : `elb.${kind}`;
    return [
      line(ctx, { description: `${kind} load balancer hours`, quantity: h, unit: 'hour', priceKey: `${key}.hour` }),
      line(ctx, { description: `${ctx.assumptions.nlbCapacityUnitsPerHour} capacity unit(s) per hour (assumed)`, quantity: ctx.assumptions.nlbCapacityUnitsPerHour * h, unit: 'LCU-hour', priceKey: `${key}.lcu-hour` }),
    ];
  },
};
