// Answers a CloudFormation custom resource request: a PUT of the JSON response to the pre-signed S3 URL
// in the event ("Custom resource response objects", AWS CloudFormation User Guide). Runs in Lambda; no CDK.
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';

/** CloudFormation caps the whole response at 4 KB. */
export const MAX_REASON = 3000;

export function clipReason(reason: string): string {
  return reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 3)}...` : reason;
}

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
    Reason: clipReason(reason),
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
