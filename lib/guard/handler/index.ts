// Lambda-backed CloudFormation custom resource: the deploy-time region guard.
// It answers CloudFormation itself (no provider framework), always before its own timeout.
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse, Context } from 'aws-lambda';
import { cfnResponse, putResponse } from '../../lambda/handler/cfn-response';
import { GuardClients, checkTenantRegions, describeError, describeResult, sdkClients } from '../region-check';

export { putResponse } from '../../lambda/handler/cfn-response';

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

export function makeHandler(deps: HandlerDeps) {
  return async (event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<void> => {
    const props = event.ResourceProperties as unknown as GuardProperties;
    const physicalId = event.RequestType === 'Create' ? `cellkit-region-guard-${props.TenantId}` : event.PhysicalResourceId;
    let status: 'SUCCESS' | 'FAILED';
    let reason: string;
    try {
      ({ status, reason } = await decide(event, props, deps, context.getRemainingTimeInMillis() - (deps.reserveMs ?? 20_000)));
    } catch (e) {
      status = 'FAILED';
      reason = `region guard: unexpected error, failing closed: ${describeError(e)}`;
    }
    console.log(JSON.stringify({ requestType: event.RequestType, tenant: props.TenantId, status, reason }));
    await deps.respond(event.ResponseURL, cfnResponse(event, status, reason, physicalId));
  };
}

async function decide(event: CloudFormationCustomResourceEvent, props: GuardProperties, deps: HandlerDeps, budgetMs: number): Promise<{ status: 'SUCCESS' | 'FAILED'; reason: string }> {
  if (event.RequestType === 'Delete') return { status: 'SUCCESS', reason: 'region guard: nothing to check on delete' };
  const missing = (['TenantId', 'PinnedRegion', 'TenantTagKey'] as const).filter((k) => typeof props[k] !== 'string' || !props[k]);
  if (missing.length || !Array.isArray(props.AllowedRegions)) {
    return { status: 'FAILED', reason: `region guard: invalid properties (missing ${[...missing, ...(Array.isArray(props.AllowedRegions) ? [] : ['AllowedRegions'])].join(', ')}), failing closed` };
  }
  if (deps.region !== props.PinnedRegion) {
    return { status: 'FAILED', reason: `region guard: tenant "${props.TenantId}" is pinned to ${props.PinnedRegion} but this stack is being deployed to ${deps.region}; refusing` };
  }
  const result = await checkTenantRegions({
    tenantId: props.TenantId,
    pinnedRegion: props.PinnedRegion,
    allowedRegions: props.AllowedRegions,
    tenantTagKey: props.TenantTagKey,
    clients: deps.clients,
    timeoutMs: Math.max(1_000, budgetMs),
  });
  return { status: result.status === 'clear' ? 'SUCCESS' : 'FAILED', reason: describeResult(result) };
}

export const handler = makeHandler({ clients: sdkClients(), respond: putResponse, region: process.env.AWS_REGION });
