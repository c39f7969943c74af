import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { sdkClientConfig, sdkClients } from '../guard/region-check';
import { ReadinessClients } from './check';

/** Real SDK clients (default credential chain), with the guard's bounded retries and timeouts. */
export function readinessClients(): ReadinessClients {
  return {
    sts: (region) => new STSClient(sdkClientConfig(region)),
    cloudFormation: (region) => new CloudFormationClient(sdkClientConfig(region)),
    ssm: (region) => new SSMClient(sdkClientConfig(region)),
    s3: (region) => new S3Client(sdkClientConfig(region)),
    guard: sdkClients(),
  };
}
