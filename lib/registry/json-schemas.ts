import { z } from 'zod';
import { deliveryConfigSchema } from '../delivery/delivery-config';
import { PinFileSchema } from './pins';
import { RegionCatalog, RegionsFileSchema } from './regions';
import { tenantSpecSchema } from './tenant-spec';

/**
 * The published JSON Schemas (schemas/*.schema.json), generated from the same zod schemas
 * that validate at load, so editors and cellkit never disagree.
 */
export function jsonSchemas(regions: RegionCatalog): Record<string, unknown> {
  const render = (schema: z.ZodType, title: string) => ({
    ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }),
    title,
  });
  const tenant = render(tenantSpecSchema(regions), 'cellkit tenant spec') as Record<string, unknown>;
  // The placement rule (enterprise: region, other plans: geography) lives in a refinement that
  // JSON Schema cannot express from zod; state it here so editors flag it too.
  tenant.allOf = [
    {
      if: { properties: { plan: { const: 'enterprise' } } },
      then: { properties: { placement: { required: ['region'], not: { required: ['geography'] } } } },
      else: { properties: { placement: { required: ['geography'], not: { required: ['region'] } } } },
    },
  ];
  return {
    'tenant.schema.json': tenant,
    'regions.schema.json': render(RegionsFileSchema, 'cellkit allowed regions'),
    'tenants-lock.schema.json': render(PinFileSchema, 'cellkit region pins'),
    'delivery.schema.json': render(deliveryConfigSchema(regions), 'cellkit fleet delivery'),
  };
}

export function renderJsonSchema(schema: unknown): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
