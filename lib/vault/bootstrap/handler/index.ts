// Lambda-backed CloudFormation custom resource: initialises and configures the cell's Vault over
// its HTTP API (through the internal NLB, TLS verified against the cell CA). It answers
// CloudFormation itself, always before its own timeout; the root token exists only in memory.
// Runs in AWS: must not import aws-cdk-lib.
import * as https from 'https';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse, Context } from 'aws-lambda';
import { awsIamLoginBody } from './aws-login';
import { BootstrapDeps, BootstrapProperties, runBootstrap } from './bootstrap';
import { VaultClient } from './vault-client';

export type { BootstrapProperties } from './bootstrap';

/** CloudFormation caps the whole response at 4 KB. */
const MAX_REASON = 3000;

export interface HandlerDeps extends BootstrapDeps {
  readonly respond: (url: string, body: CloudFormationCustomResourceResponse) => Promise<void>;
  /**
   * Time kept back from the Lambda timeout to revoke the token and answer CloudFormation.
   * @default 45000
   */
  readonly reserveMs?: number;
}

export function makeHandler(deps: HandlerDeps) {
  return async (event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<void> => {
    const props = event.ResourceProperties as unknown as BootstrapProperties;
    const physicalId = event.RequestType === 'Create' ? `cellkit-vault-bootstrap-${props.TenantId}` : event.PhysicalResourceId;
    let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
    let reason: string;
    try {
      if (event.RequestType === 'Delete') {
        // Vault and its data outlive the custom resource: nothing to undo.
        reason = 'Vault bootstrap: nothing to do on delete (Vault keeps its data)';
      } else {
        validate(props);
        reason = await runBootstrap(props, deps, deps.now() + context.getRemainingTimeInMillis() - (deps.reserveMs ?? 45_000));
      }
    } catch (e) {
      status = 'FAILED';
      reason = `Vault bootstrap of tenant "${props.TenantId}" failed: ${e instanceof Error ? e.message : String(e)}`;
    }
    deps.log(JSON.stringify({ requestType: event.RequestType, tenant: props.TenantId, status, reason }));
    await deps.respond(event.ResponseURL, {
      Status: status,
      Reason: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 3)}...` : reason,
      PhysicalResourceId: physicalId,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
    });
  };
}

function validate(p: BootstrapProperties): void {
  const keys = Array.isArray(p.RecoveryPgpKeys) ? p.RecoveryPgpKeys.length : 0;
  const threshold = Number(p.RecoveryThreshold);
  if (keys === 0) throw new Error('no vault.recoveryPgpKeys: Vault stays uninitialised');
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > keys) throw new Error(`RecoveryThreshold must be 1..${keys}; got ${p.RecoveryThreshold}`);
  if (!['3', '5'].includes(String(p.Nodes))) throw new Error(`Nodes must be 3 or 5; got ${p.Nodes}`);
}

/** PUT with an empty content type, as CloudFormation's pre-signed S3 URL expects. */
function putResponse(url: string, body: CloudFormationCustomResourceResponse): Promise<void> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(text) }, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => ((res.statusCode ?? 0) < 300 ? resolve() : reject(new Error(`CloudFormation response URL answered ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('CloudFormation response URL timed out')));
    req.on('error', reject);
    req.end(text);
  });
}

function lambdaDeps(): HandlerDeps {
  const sm = new SecretsManagerClient({});
  return {
    getSecretString: async (arn) => (await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString,
    putSecretString: async (arn, value) => {
      await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: value }));
    },
    vault: (options) => new VaultClient(options),
    awsLoginBody: ({ role, serverId, region }) =>
      awsIamLoginBody({
        role,
        region,
        serverId,
        // Lambda puts the function role's temporary credentials in these variables.
        credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? '', sessionToken: process.env.AWS_SESSION_TOKEN },
      }),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => Date.now(),
    log: (m) => console.log(m),
    pollMs: 10_000,
    respond: putResponse,
  };
}

export const handler = makeHandler(lambdaDeps());
