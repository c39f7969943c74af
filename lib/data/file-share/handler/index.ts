// One Lambda, two callers:
// - CloudFormation (custom resource Custom::CellkitSmbShare): configures the SMB share on every Create and
//   Update, idempotently; Delete keeps everything (the volume and its data are retained).
// - Secrets Manager rotation of the SMB user's secret: createSecret, setSecret, testSecret, finishSecret
//   (AWS Secrets Manager User Guide, "Rotation by Lambda function" / "Lambda rotation functions").
// No CDK imports: this folder is bundled into the Lambda. Passwords are never logged or returned.
import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse, Context } from 'aws-lambda';
import { putResponse, responseFor } from '../../../lambda/cfn-response';
import { OntapClient, OntapConnection } from './ontap';
import { ADMINISTRATORS, ShareSpec, checkUser, configureShare, qualifiedUser, setUserPassword } from './share';
import type { RotationEvent } from '../../../lambda/rotation-event';

/** The custom resource's properties (CloudFormation passes every value as a string). */
export interface SmbShareProperties {
  readonly ManagementEndpoint: string;
  readonly FsxAdminSecretArn: string;
  readonly UserSecretArn: string;
  readonly SvmName: string;
  readonly VolumeName: string;
  readonly ShareName: string;
  readonly Path: string;
  readonly CifsServerName: string;
  readonly Workgroup: string;
  readonly UserName: string;
  /** Must be exactly `<CifsServerName>\\<UserName>:full_control,BUILTIN\\Administrators:full_control`. */
  readonly ShareAcl: string;
  /** Declared settings the handler enforces; any other value fails the deploy. */
  readonly SmbEncryption: 'required';
  readonly Smb1: 'disabled';
  readonly GuestAccess: 'refused';
  readonly NfsEnabled: 'true' | 'false';
  readonly ExportPolicyName: string;
}

/** The JSON of the SMB user's secret: what the git service needs to mount the share. */
export interface SmbUserSecret {
  readonly username: string;
  /** The CIFS server name: the local user's domain (`DOMAIN\username`). */
  readonly domain: string;
  readonly share: string;
  readonly password: string;
}

export interface HandlerDeps {
  readonly secrets: SecretsManagerClient;
  readonly respond: (url: string, body: CloudFormationCustomResourceResponse) => Promise<void>;
  /** Rotation has no resource properties: the function's environment names the file system. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Request timeout, job polling and job timeout for ONTAP. */
  readonly ontap: Pick<OntapConnection, 'timeoutMs' | 'jobPollMs' | 'jobTimeoutMs'>;
  /**
   * Time kept back from the Lambda timeout to answer CloudFormation.
   * @default 20000
   */
  readonly reserveMs?: number;
}

/** Rotation passwords: the same rules as the secret's generator (see the SmbShare construct). */
export const PASSWORD_RULES = { PasswordLength: 32, ExcludePunctuation: true, RequireEachIncludedType: true } as const;

export function makeHandler(deps: HandlerDeps) {
  return async (event: CloudFormationCustomResourceEvent | RotationEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<void> => {
    if ('Step' in event) return rotate(event, deps);
    const budgetMs = context ? context.getRemainingTimeInMillis() - (deps.reserveMs ?? 20_000) : Number.MAX_SAFE_INTEGER;
    return customResource(event, deps, budgetMs);
  };
}

async function customResource(event: CloudFormationCustomResourceEvent, deps: HandlerDeps, budgetMs: number): Promise<void> {
  const props = event.ResourceProperties as unknown as SmbShareProperties;
  const physicalId = event.RequestType === 'Create' ? `cellkit-smb-share/${props.SvmName}/${props.ShareName}` : event.PhysicalResourceId;
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason = 'SMB share: nothing to do on delete; the share, its user and the volume are kept';
  let data: Record<string, string> | undefined;
  if (event.RequestType !== 'Delete') {
    try {
      const missing = (['ManagementEndpoint', 'FsxAdminSecretArn', 'UserSecretArn', 'SvmName', 'VolumeName', 'ShareName', 'Path', 'CifsServerName', 'Workgroup', 'UserName', 'ExportPolicyName'] as const).filter((k) => typeof props[k] !== 'string' || !props[k]);
      if (missing.length) throw new Error(`invalid properties: missing ${missing.join(', ')}`);
      const spec: ShareSpec = {
        svmName: props.SvmName,
        volumeName: props.VolumeName,
        shareName: props.ShareName,
        path: props.Path,
        cifsServerName: props.CifsServerName,
        workgroup: props.Workgroup,
        userName: props.UserName,
        nfsEnabled: String(props.NfsEnabled) === 'true',
        exportPolicyName: props.ExportPolicyName,
      };
      const acl = `${qualifiedUser(spec)}:full_control,${ADMINISTRATORS}:full_control`;
      const declared = { SmbEncryption: 'required', Smb1: 'disabled', GuestAccess: 'refused', ShareAcl: acl } as const;
      for (const [key, value] of Object.entries(declared)) {
        if (props[key as keyof typeof declared] !== value) throw new Error(`unsupported ${key} ${JSON.stringify(props[key as keyof typeof declared])}: this handler enforces ${JSON.stringify(value)}`);
      }
      const ontap = await connect(deps, props.ManagementEndpoint, props.FsxAdminSecretArn);
      const password = async () => (await readSecret<SmbUserSecret>(deps, props.UserSecretArn)).password;
      const state = await withinBudget(configureShare(ontap, spec, password), budgetMs);
      reason = `SMB share ${state.share} on SVM ${props.SvmName}: encryption required, ACL ${state.acl.join(', ')}, export policy ${state.exportPolicy}${state.created.length ? `; created ${state.created.join(', ')}` : '; already configured'}`;
      data = { Share: state.share, Acl: state.acl.join(','), ExportPolicy: state.exportPolicy, SvmUuid: state.svmUuid };
    } catch (e) {
      status = 'FAILED';
      reason = `SMB share: ${(e as Error).message}`;
    }
  }
  console.log(JSON.stringify({ requestType: event.RequestType, status, reason }));
  await deps.respond(event.ResponseURL, responseFor(event, status, reason, physicalId, data));
}

/** Secrets Manager's four rotation steps; each is safe to repeat. A thrown error fails the rotation. */
async function rotate(event: RotationEvent, deps: HandlerDeps): Promise<void> {
  const { SecretId: id, ClientRequestToken: token, Step: step } = event;
  const described = await deps.secrets.send(new DescribeSecretCommand({ SecretId: id }));
  const stages = described.VersionIdsToStages?.[token];
  if (!described.RotationEnabled) throw new Error(`secret ${id}: rotation is not enabled`);
  if (!stages) throw new Error(`secret ${id}: version ${token} has no stage`);
  console.log(JSON.stringify({ rotation: step, secret: id, version: token }));
  if (stages.includes('AWSCURRENT') && step !== 'finishSecret') return; // already done
  switch (step) {
    case 'createSecret': {
      try {
        await deps.secrets.send(new GetSecretValueCommand({ SecretId: id, VersionId: token, VersionStage: 'AWSPENDING' }));
        return; // this version already has its password
      } catch (e) {
        if ((e as { name?: string }).name !== 'ResourceNotFoundException') throw e;
      }
      const current = await readSecret<SmbUserSecret>(deps, id);
      const { RandomPassword } = await deps.secrets.send(new GetRandomPasswordCommand(PASSWORD_RULES));
      await deps.secrets.send(new PutSecretValueCommand({ SecretId: id, ClientRequestToken: token, SecretString: JSON.stringify({ ...current, password: RandomPassword }), VersionStages: ['AWSPENDING'] }));
      return;
    }
    case 'setSecret': {
      const pending = await readSecret<SmbUserSecret>(deps, id, token);
      await setUserPassword(await rotationOntap(deps), user(pending, deps), pending.password);
      return;
    }
    case 'testSecret': {
      const pending = await readSecret<SmbUserSecret>(deps, id, token);
      await checkUser(await rotationOntap(deps), user(pending, deps));
      return;
    }
    case 'finishSecret': {
      const current = Object.entries(described.VersionIdsToStages ?? {}).find(([, s]) => s.includes('AWSCURRENT'))?.[0];
      if (current === token) return;
      await deps.secrets.send(new UpdateSecretVersionStageCommand({ SecretId: id, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: current }));
      return;
    }
    default:
      throw new Error(`unknown rotation step ${JSON.stringify(step)}`);
  }
}

/** Fails when the work would outlast the Lambda: CloudFormation then gets an answer instead of waiting for its timeout. */
async function withinBudget<T>(work: Promise<T>, budgetMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    if (budgetMs < Number.MAX_SAFE_INTEGER) timer = setTimeout(() => reject(new Error(`ONTAP did not finish within ${Math.max(0, budgetMs)} ms (the Lambda's time left); nothing is rolled back on ONTAP, the next deploy continues where this one stopped`)), Math.max(0, budgetMs));
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

function user(secret: SmbUserSecret, deps: HandlerDeps) {
  return { svmName: required(deps.env, 'SVM_NAME'), cifsServerName: secret.domain, userName: secret.username };
}

function rotationOntap(deps: HandlerDeps): Promise<OntapClient> {
  return connect(deps, required(deps.env, 'MANAGEMENT_ENDPOINT'), required(deps.env, 'FSX_ADMIN_SECRET_ARN'));
}

async function connect(deps: HandlerDeps, host: string, adminSecretArn: string): Promise<OntapClient> {
  const admin = await readSecret<{ username: string; password: string }>(deps, adminSecretArn);
  return new OntapClient({ host, username: admin.username, password: admin.password, ...deps.ontap });
}

async function readSecret<T>(deps: HandlerDeps, id: string, pendingVersion?: string): Promise<T> {
  const out = await deps.secrets.send(new GetSecretValueCommand({ SecretId: id, ...(pendingVersion ? { VersionId: pendingVersion, VersionStage: 'AWSPENDING' } : {}) }));
  if (!out.SecretString) throw new Error(`secret ${id} has no string value`);
  return JSON.parse(out.SecretString) as T;
}

function required(env: HandlerDeps['env'], name: string): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

export const handler = makeHandler({
  secrets: new SecretsManagerClient({}),
  respond: putResponse,
  env: process.env,
  ontap: { timeoutMs: 20_000, jobPollMs: 2_000, jobTimeoutMs: 180_000 },
});
