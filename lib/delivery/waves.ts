import { Tenant } from '../registry/registry';
import { DeliveryConfig } from './delivery-config';
import { CODEPIPELINE, FIXED_STAGES, MAX_TENANTS_PER_PIPELINE } from './quotas';

/** One wave: its tenants deploy in parallel after its preflight (and, with enterprise tenants, an approval). */
export interface PlannedWave {
  readonly name: string;
  readonly tenants: readonly Tenant[];
  /** A person approves before the wave starts: it holds enterprise tenants. */
  readonly approval: boolean;
}

/** One pipeline (one delivery stack) and the waves it rolls out. */
export interface PlannedPipeline {
  /** Stack and pipeline name: `CellkitDelivery-<region>`, then `-2`, `-3`, ... when a region needs several. */
  readonly name: string;
  /** The pinned region of every tenant in it. */
  readonly region: string;
  readonly waves: readonly PlannedWave[];
}

export const DELIVERY_STACK_PREFIX = 'CellkitDelivery';

/**
 * Splits the fleet into pipelines and waves, with no person choosing the split:
 * - one pipeline per pinned region, split again into chunks of MAX_TENANTS_PER_PIPELINE (ids in order);
 * - in each pipeline: a canary wave (the configured canaries in it, or else its first team tenant), then team
 *   tenants, then enterprise tenants, in waves of firstWaveSize doubling up to maxWaveSize; a wave never mixes
 *   team and enterprise tenants, so approvals stop only the waves that hold enterprise tenants.
 */
export function planDelivery(tenants: readonly Tenant[], config: DeliveryConfig, regionOrder: readonly string[]): PlannedPipeline[] {
  const pipelines: PlannedPipeline[] = [];
  for (const region of regionOrder) {
    const inRegion = tenants.filter((t) => t.pin.region === region).sort(byId);
    for (let start = 0, n = 1; start < inRegion.length; start += MAX_TENANTS_PER_PIPELINE, n++) {
      const chunk = inRegion.slice(start, start + MAX_TENANTS_PER_PIPELINE);
      const name = `${DELIVERY_STACK_PREFIX}-${region}${n === 1 ? '' : `-${n}`}`;
      pipelines.push({ name, region, waves: planWaves(chunk, config) });
    }
  }
  for (const p of pipelines) {
    if (p.waves.length + FIXED_STAGES > CODEPIPELINE.maxStagesPerPipeline) {
      throw new Error(`pipeline ${p.name}: ${p.waves.length} waves exceed CodePipeline's ${CODEPIPELINE.maxStagesPerPipeline} stages`); // unreachable with the bounds above
    }
  }
  return pipelines;
}

function planWaves(tenants: readonly Tenant[], config: DeliveryConfig): PlannedWave[] {
  const marked = tenants.filter((t) => config.canaries.includes(t.id));
  const canaries = marked.length ? marked : [tenants.find((t) => t.spec.plan !== 'enterprise') ?? tenants[0]];
  const rest = tenants.filter((t) => !canaries.includes(t));
  const waves: PlannedWave[] = [wave('Canary', canaries)];
  let size = config.firstWaveSize;
  for (const group of [rest.filter((t) => t.spec.plan !== 'enterprise'), rest.filter((t) => t.spec.plan === 'enterprise')]) {
    for (let i = 0; i < group.length; ) {
      const next = group.slice(i, i + size);
      waves.push(wave(`Wave${waves.length}`, next));
      i += next.length;
      size = Math.min(size * 2, config.maxWaveSize);
    }
  }
  return waves;
}

function wave(name: string, tenants: readonly Tenant[]): PlannedWave {
  return { name, tenants, approval: tenants.some((t) => t.spec.plan === 'enterprise') };
}

function byId(a: Tenant, b: Tenant): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
