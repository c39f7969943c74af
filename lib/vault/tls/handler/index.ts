// The Vault TLS issuer: one Lambda with two callers.
// - CloudFormation (custom resource Custom::CellkitVaultTls): on Create/Update it fills the TLS secret
//   when it is empty, re-issues a cellkit-issued certificate whose names changed or that nears expiry,
//   and otherwise keeps what is there (an operator's certificate is never touched).
// - Secrets Manager rotation: the four steps createSecret, setSecret, testSecret, finishSecret
//   (AWS Secrets Manager User Guide, "How rotation works" and "Lambda rotation functions").
// Runs in AWS; imports no CDK.
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';
import { putResponse, responseFor } from '../../../lambda/cfn-response';
import { CaBundle, ServerNames, TLS_POLICY, TlsBundle, bundleProblems, certificateFacts, issueCa, issueServer, remainingDays, vaultServerNames } from './certs';
import { TLS_ENV, type TlsIssuerProperties } from './settings';
import type { RotationEvent } from '../../../lambda/rotation-event';

export { TLS_ENV };
export type { TlsIssuerProperties };

export interface TlsHandlerDeps {
  readonly secrets: SecretsManagerClient;
  readonly respond: (url: string, body: CloudFormationCustomResourceResponse) => Promise<void>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: () => Date;
}

interface Settings {
  readonly tenantId: string;
  readonly tlsSecretArn: string;
  readonly caSecretArn: string;
  readonly names: ServerNames;
}

export function makeHandler(deps: TlsHandlerDeps) {
  return async (event: CloudFormationCustomResourceEvent | RotationEvent): Promise<void> => {
    if ('RequestType' in event) return customResource(event, deps);
    return rotate(event, deps);
  };
}

// ---- CloudFormation ----

async function customResource(event: CloudFormationCustomResourceEvent, deps: TlsHandlerDeps): Promise<void> {
  const p = event.ResourceProperties as unknown as TlsIssuerProperties;
  const physicalId = event.RequestType === 'Create' ? `cellkit-vault-tls-${p.TenantId}` : event.PhysicalResourceId;
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason: string;
  try {
    reason = event.RequestType === 'Delete' ? 'vault tls: the secrets are retained; nothing to do on delete' : await ensureCertificate(settingsFromProperties(p), deps);
  } catch (e) {
    status = 'FAILED';
    reason = `vault tls: ${errorText(e)}`;
  }
  // Only the outcome is logged: never a certificate, a key or a secret value.
  console.log(JSON.stringify({ requestType: event.RequestType, tenant: p.TenantId, status, reason }));
  await deps.respond(event.ResponseURL, responseFor(event, status, reason, physicalId));
}

function settingsFromProperties(p: TlsIssuerProperties): Settings {
  const missing = (['TenantId', 'TlsSecretArn', 'CaSecretArn', 'ServerName', 'LoadBalancerDnsName'] as const).filter((k) => typeof p[k] !== 'string' || !p[k]);
  if (missing.length) throw new Error(`invalid properties (missing ${missing.join(', ')})`);
  return { tenantId: p.TenantId, tlsSecretArn: p.TlsSecretArn, caSecretArn: p.CaSecretArn, names: vaultServerNames(p.ServerName, p.LoadBalancerDnsName) };
}

/** Makes sure the TLS secret holds a usable certificate; says what it did. */
async function ensureCertificate(s: Settings, deps: TlsHandlerDeps): Promise<string> {
  const now = deps.now();
  const current = await readJson<Partial<TlsBundle>>(deps, s.tlsSecretArn);
  let ca = await readJson<CaBundle>(deps, s.caSecretArn);
  if (current) {
    if (typeof current.certificate !== 'string' || !current.certificate.includes('-----BEGIN')) {
      throw new Error('the TLS secret has a value without a PEM "certificate" field; fix or empty it (docs/vault-tls.md)');
    }
    const facts = await certificateFacts(current.certificate, ca?.certificate);
    if (!ca || !facts.issuedByCa) return `kept the operator-supplied certificate (not issued by the cell CA), valid until ${facts.notAfter.toISOString()}`;
    const problems = await bundleProblems(current, ca, s.names, now);
    if (!problems.length) return `kept the valid certificate, valid until ${facts.notAfter.toISOString()}`;
    const renewed = await issueServer(ca, s.names, now);
    await put(deps, s.tlsSecretArn, renewed);
    return `re-issued the certificate under the same CA (${problems.join('; ')})`;
  }
  let made = '';
  if (!ca) {
    ca = await issueCa(s.tenantId, now);
    // The CA is stored first: if the next write fails, a retry signs with this CA instead of making another.
    await put(deps, s.caSecretArn, ca);
    made = 'created the cell CA and ';
  }
  const issued = await issueServer(ca, s.names, now);
  await put(deps, s.tlsSecretArn, issued);
  return `${made}issued the server certificate for ${[...s.names.dnsNames, ...s.names.ipAddresses].join(', ')}, valid ${TLS_POLICY.serverValidityDays} days`;
}

// ---- Secrets Manager rotation ----

function settingsFromEnv(env: TlsHandlerDeps['env']): Settings {
  const value = (k: keyof typeof TLS_ENV) => {
    const v = env[TLS_ENV[k]];
    if (!v) throw new Error(`environment variable ${TLS_ENV[k]} is not set`);
    return v;
  };
  return { tenantId: value('tenantId'), tlsSecretArn: value('tlsSecretArn'), caSecretArn: value('caSecretArn'), names: vaultServerNames(value('serverName'), value('loadBalancerDnsName')) };
}

async function rotate(event: RotationEvent, deps: TlsHandlerDeps): Promise<void> {
  const s = settingsFromEnv(deps.env);
  const token = event.ClientRequestToken;
  // Only this cell's TLS secret: the function must not be pointed at another secret.
  if (event.SecretId !== s.tlsSecretArn) throw new Error(`vault tls rotation: refusing secret ${event.SecretId}; this function rotates ${s.tlsSecretArn} only`);
  const described = await deps.secrets.send(new DescribeSecretCommand({ SecretId: s.tlsSecretArn }));
  if (!described.RotationEnabled) throw new Error('vault tls rotation: rotation is not enabled on the secret');
  const stages = described.VersionIdsToStages?.[token];
  if (!stages) throw new Error(`vault tls rotation: version ${token} has no stage on the secret`);
  if (stages.includes('AWSCURRENT')) return log(event, 'version is already AWSCURRENT; nothing to do');
  if (!stages.includes('AWSPENDING')) throw new Error(`vault tls rotation: version ${token} is not AWSPENDING`);

  switch (event.Step) {
    case 'createSecret':
      return log(event, await createPending(s, token, deps));
    case 'setSecret':
      // Nothing to push: every node's vault-tls-reload timer fetches AWSCURRENT and reloads Vault on change.
      return log(event, 'nodes pull the certificate themselves; nothing to set');
    case 'testSecret': {
      const pending = await readJson<Partial<TlsBundle>>(deps, s.tlsSecretArn, { VersionId: token, VersionStage: 'AWSPENDING' });
      const ca = await readCa(deps, s);
      const problems = pending ? await bundleProblems(pending, ca, s.names, deps.now()) : ['the pending version has no value'];
      if (problems.length) throw new Error(`vault tls rotation: the pending certificate is unfit: ${problems.join('; ')}`);
      return log(event, 'pending certificate verified: signed by the cell CA, key matches, names present, not near expiry');
    }
    case 'finishSecret': {
      const current = Object.entries(described.VersionIdsToStages ?? {}).find(([, st]) => st.includes('AWSCURRENT'))?.[0];
      await deps.secrets.send(new UpdateSecretVersionStageCommand({ SecretId: s.tlsSecretArn, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: current }));
      return log(event, `version ${token} is now AWSCURRENT`);
    }
    default:
      throw new Error(`vault tls rotation: unknown step ${JSON.stringify((event as { Step: unknown }).Step)}`);
  }
}

async function createPending(s: Settings, token: string, deps: TlsHandlerDeps): Promise<string> {
  const current = await readJson<Partial<TlsBundle>>(deps, s.tlsSecretArn);
  if (!current?.certificate) throw new Error('vault tls rotation: the TLS secret has no current certificate; deploy the stack first (the issuer fills it)');
  const ca = await readCa(deps, s);
  const facts = await certificateFacts(current.certificate, ca.certificate);
  if (!facts.issuedByCa) throw new Error('vault tls rotation: the current certificate was not issued by the cell CA (operator-supplied); renew it with the company CA instead (docs/vault-tls.md)');
  if (await readJson(deps, s.tlsSecretArn, { VersionId: token, VersionStage: 'AWSPENDING' })) return 'pending version already exists';
  const now = deps.now();
  await deps.secrets.send(
    new PutSecretValueCommand({ SecretId: s.tlsSecretArn, ClientRequestToken: token, SecretString: JSON.stringify(await issueServer(ca, s.names, now)), VersionStages: ['AWSPENDING'] }),
  );
  return `issued a new certificate as AWSPENDING; the current one has ${Math.floor(remainingDays(facts.notAfter, now))} days left`;
}

async function readCa(deps: TlsHandlerDeps, s: Settings): Promise<CaBundle> {
  const ca = await readJson<CaBundle>(deps, s.caSecretArn);
  if (!ca?.certificate || !ca.private_key) throw new Error('vault tls rotation: the CA secret is empty; deploy the stack first (the issuer creates the CA)');
  return ca;
}

function log(event: RotationEvent, message: string): void {
  console.log(JSON.stringify({ step: event.Step, version: event.ClientRequestToken, message }));
}

// ---- Secrets Manager helpers ----

/** The secret's JSON, or undefined while it has no value (Secrets Manager answers ResourceNotFoundException). */
async function readJson<T>(deps: TlsHandlerDeps, secretId: string, version: { VersionId?: string; VersionStage?: string } = {}): Promise<T | undefined> {
  let text: string | undefined;
  try {
    text = (await deps.secrets.send(new GetSecretValueCommand({ SecretId: secretId, ...version }))).SecretString;
  } catch (e) {
    if ((e as Error).name === 'ResourceNotFoundException') return undefined;
    throw e;
  }
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    // The parser's message could quote the value: say only which secret it was.
    throw new Error(`secret ${secretId} does not hold JSON`);
  }
}

async function put(deps: TlsHandlerDeps, secretId: string, value: CaBundle | TlsBundle): Promise<void> {
  await deps.secrets.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(value) }));
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
}

export const handler = makeHandler({
  secrets: new SecretsManagerClient({ maxAttempts: 5 }),
  respond: putResponse,
  env: process.env,
  now: () => new Date(),
});
