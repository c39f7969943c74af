// Answering CloudFormation from a Lambda-backed custom resource (no provider framework), shared by
// cellkit's handlers. Runs in AWS: must not import aws-cdk-lib.
// "Custom resource response objects" (CloudFormation user guide): the response is PUT to the
// pre-signed S3 URL of the request, with an empty content type, and is limited to 4 KB.
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';

/** Room left for the other fields within CloudFormation's 4 KB. */
const MAX_REASON = 3000;

/** The response to `event`, its reason cut to fit. */
export function cfnResponse(event: CloudFormationCustomResourceEvent, status: 'SUCCESS' | 'FAILED', reason: string, physicalResourceId: string): CloudFormationCustomResourceResponse {
  return {
    Status: status,
    Reason: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 3)}...` : reason,
    PhysicalResourceId: physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
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
  const why = last instanceof Error ? `${last.name}: ${last.message}` : String(last);
  throw new Error(`could not send the response to CloudFormation: ${why}`);
}
