// Answers a CloudFormation custom resource request (shared by every cellkit custom resource handler).
// AWS CloudFormation User Guide, "Custom resources": the response is a JSON body PUT to the pre-signed S3 URL
// in the request's ResponseURL, with an empty content type.
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';

/** CloudFormation caps the whole response at 4 KB. */
const MAX_REASON = 3000;

/** The response to `event`; a long reason is cut to fit. */
export function responseFor(
  event: CloudFormationCustomResourceEvent,
  status: 'SUCCESS' | 'FAILED',
  reason: string,
  physicalId: string,
  data?: Record<string, string>,
): CloudFormationCustomResourceResponse {
  return {
    Status: status,
    Reason: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 3)}...` : reason,
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    ...(data ? { Data: data } : {}),
  };
}

/** PUT with an empty content type, as the pre-signed URL expects; a few attempts, each bounded. */
export async function putResponse(url: string, body: CloudFormationCustomResourceResponse): Promise<void> {
  const text = JSON.stringify(body);
  let last: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const res = await fetch(url, { method: 'PUT', body: text, headers: { 'content-type': '' }, signal: AbortSignal.timeout(5_000) });
      if (res.ok) return;
      last = new Error(`HTTP ${res.status}`);
    } catch (e) {
      last = e;
    }
  }
  throw new Error(`could not send the response to CloudFormation: ${last instanceof Error ? `${last.name}: ${last.message}` : String(last)}`);
}
