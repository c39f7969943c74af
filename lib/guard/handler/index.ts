// Lambda-backed CloudFormation custom resource: the deploy-time region guard.
// It answers CloudFormation itself (no provider framework), always before its own timeout.
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse, Context } from 'aws-lambda';
import { GuardClients, checkTenantRegions, describeError, describeResult, sdkClients } from '../region-check';
import { putResponse, responseFor } from '../../lambda/cfn-response';

export { putResponse };

/** The custom resource's properties, set by the RegionGuard construct. */
export interface GuardProperties {
  readonly TenantId: string;
  readonly PinnedRegion: string;
  readonly AllowedRegions: readonly string[];
  readonly TenantTagKey: string;
  readonly CellkitVersion: string;
}

export interface HandlerDeps {
  readonly clients: GuardClients;
  /** PUTs the response to CloudFormation's pre-signed URL. */
  readonly respond: (url: string, body: CloudFormationCustomResourceResponse) => Promise<void>;
  /** The region the function runs in (AWS_REGION). */
  readonly region: string | undefined;
  /**
   * Time kept back from the Lambda timeout to send the response.
   * @default 20000
   */
  readonly reserveMs?: number;
}

/** A Create's physical id; Update and Delete keep the id CloudFormation sends (a new one would mean replacement). */
const physicalIdFor = (tenantId: unknown) => (typeof tenantId === 'string' && tenantId ? `cellkit-region-guard-${tenantId}` : 'cellkit-region-guard');

/**
 * Always answers CloudFormation: whatever throws while deciding (bad event, a client that cannot be
 * made, a bug) becomes FAILED with the error as the reason, so a stack never waits for the service
 * timeout on a handler that crashed ("Custom resource response objects", CloudFormation User Guide).
 */
export function makeHandler(deps: HandlerDeps) {
  return async (event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<void> => {
    const props = (event.ResourceProperties ?? {}) as Partial<GuardProperties>;
    const physicalId = event.RequestType === 'Create' ? physicalIdFor(props.TenantId) : event.PhysicalResourceId;
    let status: 'SUCCESS' | 'FAILED';
    let reason: string;
    try {
      ({ status, reason } = await decide(event, deps, () => context.getRemainingTimeInMillis() - (deps.reserveMs ?? 20_000)));
    } catch (e) {
      status = 'FAILED';
      reason = `region guard: unexpected error, failing closed: ${describeError(e)}`;
    }
    console.log(JSON.stringify({ requestType: event.RequestType, tenant: props.TenantId, status, reason }));
    await deps.respond(event.ResponseURL, responseFor(event, status, reason, physicalId));
  };
}

type Decision = { status: 'SUCCESS' | 'FAILED'; reason: string };

async function decide(event: CloudFormationCustomResourceEvent, deps: HandlerDeps, budgetMs: () => number): Promise<Decision> {
  // Delete never checks anything, so deleting the stack and a create's rollback always succeed at once.
  if (event.RequestType === 'Delete') return { status: 'SUCCESS', reason: 'region guard: nothing to check on delete' };
  const props = event.ResourceProperties as unknown as GuardProperties;
  const missing = (['TenantId', 'PinnedRegion', 'TenantTagKey'] as const).filter((k) => typeof props[k] !== 'string' || !props[k]);
  if (missing.length || !Array.isArray(props.AllowedRegions)) {
    return { status: 'FAILED', reason: `region guard: invalid properties (missing ${[...missing, ...(Array.isArray(props.AllowedRegions) ? [] : ['AllowedRegions'])].join(', ')}), failing closed` };
  }
  if (deps.region !== props.PinnedRegion) {
    return { status: 'FAILED', reason: `region guard: tenant "${props.TenantId}" is pinned to ${props.PinnedRegion} but this stack is being deployed to ${deps.region}; refusing` };
  }
  // An update runs where the stack already lives: the create asked the other regions, and a pin other
  // than this region was refused just above. So an update (new cellkit version, region list) and its
  // rollback, which CloudFormation sends as an Update back to the old properties ("Custom resources",
  // CloudFormation User Guide), never ask other regions and cannot fail on them (throttling, an SCP).
  // Only an update that gives this stack another tenant id is checked like a create.
  if (event.RequestType === 'Update' && (event.OldResourceProperties as Partial<GuardProperties>)?.TenantId === props.TenantId) {
    return { status: 'SUCCESS', reason: `region guard: tenant "${props.TenantId}" stays in ${props.PinnedRegion}, where this stack already lives; other regions are asked on create only` };
  }
  const result = await checkTenantRegions({
    tenantId: props.TenantId,
    pinnedRegion: props.PinnedRegion,
    allowedRegions: props.AllowedRegions,
    tenantTagKey: props.TenantTagKey,
    clients: deps.clients,
    timeoutMs: Math.max(1_000, budgetMs()),
  });
  return { status: result.status === 'clear' ? 'SUCCESS' : 'FAILED', reason: describeResult(result) };
}

export const handler = makeHandler({ clients: sdkClients(), respond: putResponse, region: process.env.AWS_REGION });
