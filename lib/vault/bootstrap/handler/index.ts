// Lambda-backed CloudFormation custom resource: initialises and configures the cell's Vault over
// its HTTP API (through the internal NLB, TLS verified against the cell CA). It answers
// CloudFormation itself, always before its own timeout; the root token exists only in memory.
// Runs in AWS: must not import aws-cdk-lib.
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse, Context } from 'aws-lambda';
import { putResponse, responseFor } from '../../../lambda/cfn-response';
import { awsIamLoginBody } from './aws-login';
import { BootstrapDeps, BootstrapProperties, runBootstrap } from './bootstrap';
import { VaultClient } from './vault-client';

export type { BootstrapProperties } from './bootstrap';

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
    await deps.respond(event.ResponseURL, responseFor(event, status, reason, physicalId));
  };
}

function validate(p: BootstrapProperties): void {
  const keys = Array.isArray(p.RecoveryPgpKeys) ? p.RecoveryPgpKeys.length : 0;
  const threshold = Number(p.RecoveryThreshold);
  if (keys === 0) throw new Error('no vault.recoveryPgpKeys: Vault stays uninitialised');
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > keys) throw new Error(`RecoveryThreshold must be 1..${keys}; got ${p.RecoveryThreshold}`);
  if (!['3', '5'].includes(String(p.Nodes))) throw new Error(`Nodes must be 3 or 5; got ${p.Nodes}`);
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
