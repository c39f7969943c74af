// The SMB share handler against a local HTTPS stand-in for ONTAP's REST API (test/data/file-share-ontap-mock.ts:
// ONTAP cannot run here; the mock follows NetApp's ONTAP REST API reference) and a mocked Secrets Manager client.
import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';
import { SmbShareProperties, makeHandler } from '../../lib/data/file-share/handler';
import { OntapMock } from './file-share-ontap-mock';

const ADMIN_ARN = 'arn:aws:secretsmanager:eu-central-1:111111111111:secret:cellkit/acme/file-share/fsxadmin-AbCdEf';
const USER_ARN = 'arn:aws:secretsmanager:eu-central-1:111111111111:secret:cellkit/acme/file-share/smb-user-GhIjKl';
const ADMIN_PASSWORD = 'AdminPassw0rdFromSecretsManager01';
const USER_PASSWORD = 'UserPassw0rdGeneratedBySecrets01';
const NEW_PASSWORD = 'RotatedPassw0rdFromGetRandom0001';
const SECRET_JSON = { username: 'git-service', domain: 'CELLKIT', share: 'git' };

const sm = mockClient(SecretsManagerClient);
let mock: OntapMock;
let responses: CloudFormationCustomResourceResponse[];
let logs: string[];

function props(host: string, overrides: Partial<Record<keyof SmbShareProperties, string>> = {}): SmbShareProperties {
  return {
    ManagementEndpoint: host,
    FsxAdminSecretArn: ADMIN_ARN,
    UserSecretArn: USER_ARN,
    SvmName: 'cellkit',
    VolumeName: 'git',
    ShareName: 'git',
    Path: '/git',
    CifsServerName: 'CELLKIT',
    Workgroup: 'CELLKIT',
    UserName: 'git-service',
    ShareAcl: 'CELLKIT\\git-service:full_control,BUILTIN\\Administrators:full_control',
    SmbEncryption: 'required',
    Smb1: 'disabled',
    GuestAccess: 'refused',
    NfsEnabled: 'false',
    ExportPolicyName: 'cellkit-no-nfs',
    ...overrides,
  } as SmbShareProperties;
}

function event(requestType: 'Create' | 'Update' | 'Delete', properties: SmbShareProperties): CloudFormationCustomResourceEvent {
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:eu-central-1:111111111111:function:smb',
    ResponseURL: 'https://cloudformation-custom-resource-response.s3.amazonaws.com/x',
    StackId: 'arn:aws:cloudformation:eu-central-1:111111111111:stack/Cell-acme/1',
    RequestId: 'req-1',
    LogicalResourceId: 'Share',
    ResourceType: 'Custom::CellkitSmbShare',
    ResourceProperties: { ServiceToken: 'x', ...properties },
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: 'cellkit-smb-share/cellkit/git', OldResourceProperties: {} }),
  } as CloudFormationCustomResourceEvent;
}

const handler = (timeoutMs = 5_000) =>
  makeHandler({
    secrets: new SecretsManagerClient({ region: 'eu-central-1' }),
    respond: async (_url, body) => void responses.push(body),
    env: { MANAGEMENT_ENDPOINT: host, FSX_ADMIN_SECRET_ARN: ADMIN_ARN, SVM_NAME: 'cellkit' },
    ontap: { timeoutMs, jobPollMs: 5, jobTimeoutMs: 2_000 },
  });

let host = '';

async function start(options: Partial<OntapMock['options']> = {}): Promise<void> {
  mock = new OntapMock({ username: 'fsxadmin', password: ADMIN_PASSWORD, ...options });
  host = await mock.start();
}

beforeEach(() => {
  sm.reset();
  sm.on(GetSecretValueCommand, { SecretId: ADMIN_ARN }).resolves({ SecretString: JSON.stringify({ username: 'fsxadmin', password: ADMIN_PASSWORD }) });
  sm.on(GetSecretValueCommand, { SecretId: USER_ARN }).resolves({ SecretString: JSON.stringify({ ...SECRET_JSON, password: USER_PASSWORD }) });
  responses = [];
  logs = [];
  jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logs.push(args.join(' ')));
});
afterEach(async () => {
  jest.restoreAllMocks();
  await mock?.stop();
});

describe('SMB share custom resource', () => {
  test('happy path: workgroup CIFS server, local user with the secret password, encrypted share with only user + administrators, NFS closed', async () => {
    await start();
    await handler()(event('Create', props(host)));
    expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'cellkit-smb-share/cellkit/git' })]);
    const s = mock.state;
    expect(s.cifs).toEqual({ name: 'CELLKIT', workgroup: 'CELLKIT', security: { smb_encryption: true, restrict_anonymous: 'no_access' } });
    expect(s.cifsOptions).toEqual({ smb1_enabled: false });
    expect(s.users).toEqual([expect.objectContaining({ name: 'CELLKIT\\git-service', password: USER_PASSWORD, account_disabled: false })]);
    expect(s.shares).toEqual([
      {
        name: 'git',
        path: '/git',
        encryption: true,
        acls: [
          { user_or_group: 'CELLKIT\\git-service', type: 'windows', permission: 'full_control' },
          { user_or_group: 'BUILTIN\\Administrators', type: 'windows', permission: 'full_control' },
        ],
      },
    ]);
    expect(s.exportPolicies.find((e) => e.name === 'cellkit-no-nfs')).toEqual(expect.objectContaining({ rules: [] }));
    expect(s.volume.exportPolicy).toBe('cellkit-no-nfs');
    expect(responses[0].Data).toEqual({ Share: 'git', Acl: 'CELLKIT\\git-service:full_control,BUILTIN\\Administrators:full_control', ExportPolicy: 'cellkit-no-nfs', SvmUuid: s.svm.uuid });
  });

  test('the ONTAP default "Everyone / Full Control" entry is removed from the new share', async () => {
    await start();
    await handler()(event('Create', props(host)));
    expect(mock.changes).toContain('DELETE /api/protocols/cifs/shares/02c9e252-41be-11e9-81d5-00a0986138f7/git/acls/Everyone/windows');
    expect(mock.state.shares[0].acls.map((a) => a.user_or_group)).not.toContain('Everyone');
  });

  test('already exists on re-run: the second deploy changes nothing and keeps the user password', async () => {
    await start();
    await handler()(event('Create', props(host)));
    const before = mock.changes.length;
    sm.on(GetSecretValueCommand, { SecretId: USER_ARN }).resolves({ SecretString: JSON.stringify({ ...SECRET_JSON, password: 'SomeOtherValue0000000000000000AA' }) });
    await handler()(event('Update', props(host)));
    expect(responses[1]).toEqual(expect.objectContaining({ Status: 'SUCCESS', Reason: expect.stringContaining('already configured') }));
    expect(mock.changes.slice(before)).toEqual([]);
    expect(mock.state.users[0].password).toBe(USER_PASSWORD);
  });

  test('re-run repairs drift: encryption off, Everyone re-added, SMB1 on, anonymous allowed, NFS policy swapped', async () => {
    await start();
    await handler()(event('Create', props(host)));
    const s = mock.state;
    s.shares[0].encryption = false;
    s.shares[0].acls.push({ user_or_group: 'Everyone', type: 'windows', permission: 'read' });
    s.cifsOptions.smb1_enabled = true;
    s.cifs!.security.restrict_anonymous = 'no_restriction';
    s.volume.exportPolicy = 'default';
    await handler()(event('Update', props(host)));
    expect(responses[1].Status).toBe('SUCCESS');
    expect(s.shares[0].encryption).toBe(true);
    expect(s.shares[0].acls.map((a) => a.user_or_group)).toEqual(['CELLKIT\\git-service', 'BUILTIN\\Administrators']);
    expect(s.cifsOptions.smb1_enabled).toBe(false);
    expect(s.cifs!.security.restrict_anonymous).toBe('no_access');
    expect(s.volume.exportPolicy).toBe('cellkit-no-nfs');
  });

  test('NFS explicitly enabled: no export policy is created or attached', async () => {
    await start();
    await handler()(event('Create', props(host, { NfsEnabled: 'true' })));
    expect(responses[0].Status).toBe('SUCCESS');
    expect(mock.state.volume.exportPolicy).toBe('default');
    expect(mock.changes.filter((c) => c.includes('export-policies') || c.includes('storage/volumes'))).toEqual([]);
  });

  const calls = [
    'POST /api/protocols/cifs/services',
    'PATCH /api/private/cli/vserver/cifs/options',
    'POST /api/protocols/cifs/local-users',
    'POST /api/protocols/cifs/shares',
    'DELETE /api/protocols/cifs/shares/02c9e252-41be-11e9-81d5-00a0986138f7/git/acls/Everyone/windows',
    'POST /api/protocols/nfs/export-policies',
    'PATCH /api/storage/volumes/028baa66-41bd-11e9-81d5-00a0986138f7',
    'GET /api/svm/svms',
    'GET /api/protocols/cifs/local-users',
  ];
  test.each(calls)('a failing call fails the deploy with ONTAP\'s own message: %s', async (call) => {
    // SMB1 is on so that the options PATCH happens.
    await start({ failOn: call });
    mock.state.cifsOptions.smb1_enabled = true;
    await handler()(event('Create', props(host)));
    const [method, path] = call.split(' ');
    expect(responses).toEqual([expect.objectContaining({ Status: 'FAILED' })]);
    expect(responses[0].Reason).toBe(`SMB share: ONTAP ${method} ${path} failed (HTTP 400): mock ONTAP refused ${call} [code 262179]`);
  });

  test.each(['POST /api/protocols/cifs/services', 'PATCH /api/storage/volumes/028baa66-41bd-11e9-81d5-00a0986138f7'])('a failed asynchronous job fails the deploy with the job message: %s', async (call) => {
    await start({ failJob: call });
    await handler()(event('Create', props(host)));
    expect(responses[0].Status).toBe('FAILED');
    expect(responses[0].Reason).toMatch(new RegExp(`^SMB share: ONTAP ${call.replace(/[/]/g, '\\/')} failed: job job-\\d+ failed: mock ONTAP job for .* failed \\[code 2621706\\]$`));
  });

  test('a timeout fails the deploy and names the endpoint', async () => {
    await start({ hang: 'GET /api/protocols/cifs/services' });
    await handler(300)(event('Create', props(host)));
    expect(responses[0].Status).toBe('FAILED');
    expect(responses[0].Reason).toBe(`SMB share: ONTAP GET /api/protocols/cifs/services failed: cannot reach ${host}: no answer within 300 ms`);
  });

  test('work that would outlast the Lambda fails the deploy before the Lambda timeout, so CloudFormation is answered', async () => {
    await start({ hang: 'GET /api/protocols/cifs/shares' });
    await handler()(event('Create', props(host)), { getRemainingTimeInMillis: () => 20_000 + 400 });
    expect(responses).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: expect.stringMatching(/^SMB share: ONTAP did not finish within 400 ms \(the Lambda's time left\)/) })]);
  });

  test('a wrong fsxadmin password fails the deploy with ONTAP\'s 401 and changes nothing', async () => {
    await start();
    sm.on(GetSecretValueCommand, { SecretId: ADMIN_ARN }).resolves({ SecretString: JSON.stringify({ username: 'fsxadmin', password: 'wrong' }) });
    await handler()(event('Create', props(host)));
    expect(responses[0]).toEqual(expect.objectContaining({ Status: 'FAILED', Reason: 'SMB share: ONTAP GET /api/svm/svms failed (HTTP 401): User is not authorized. [code 6]' }));
    expect(mock.changes).toEqual([]);
  });

  test('an existing Active Directory CIFS server is refused, not changed', async () => {
    await start();
    mock.state.cifs = { name: 'CORP', ad_domain: { fqdn: 'CORP.EXAMPLE.COM' }, security: { smb_encryption: false, restrict_anonymous: 'no_enumeration' } };
    await handler()(event('Create', props(host)));
    expect(responses[0].Reason).toBe('SMB share: SVM "cellkit" already has CIFS server "CORP" in domain CORP.EXAMPLE.COM; cellkit expects workgroup server "CELLKIT" and changes nothing it did not create');
    expect(mock.changes).toEqual([]);
  });

  test('a guest UNIX user mapping (guest access) is refused', async () => {
    await start();
    mock.state.cifsOptions.guest_unix_user = 'pcuser';
    await handler()(event('Create', props(host)));
    expect(responses[0].Reason).toMatch(/guest-unix-user is "pcuser", which logs unknown users in as guests/);
  });

  test.each([
    [{ SmbEncryption: 'optional' }, 'unsupported SmbEncryption "optional": this handler enforces "required"'],
    [{ GuestAccess: 'allowed' }, 'unsupported GuestAccess "allowed": this handler enforces "refused"'],
    [{ ShareAcl: 'Everyone:full_control' }, 'unsupported ShareAcl "Everyone:full_control"'],
    [{ SvmName: '' }, 'invalid properties: missing SvmName'],
  ])('declared settings it does not enforce are refused before ONTAP is called: %j', async (override, message) => {
    await start();
    await handler()(event('Create', props(host, override as Partial<Record<keyof SmbShareProperties, string>>)));
    expect(responses[0].Status).toBe('FAILED');
    expect(responses[0].Reason).toContain(message);
    expect(mock.requests).toEqual([]);
  });

  test('delete keeps everything: no ONTAP call', async () => {
    await start();
    await handler()(event('Delete', props(host)));
    expect(responses[0].Status).toBe('SUCCESS');
    expect(mock.requests).toEqual([]);
  });

  test('passwords never appear in logs or in the response to CloudFormation', async () => {
    await start();
    await handler()(event('Create', props(host)));
    const seen = JSON.stringify([logs, responses]);
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [ADMIN_PASSWORD, USER_PASSWORD]) expect(seen).not.toContain(secret);
    // The user's password went to ONTAP exactly once, in the body of POST local-users.
    expect(mock.requests.filter((r) => JSON.stringify(r.body ?? {}).includes(USER_PASSWORD)).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/protocols/cifs/local-users']);
  });
});

describe('SMB user password rotation (Secrets Manager steps)', () => {
  const TOKEN = 'c1a2b3c4-0000-4000-8000-000000000001';
  const OLD = 'a1a2b3c4-0000-4000-8000-000000000000';
  const rotation = (Step: string) => ({ Step, SecretId: USER_ARN, ClientRequestToken: TOKEN }) as never;

  beforeEach(async () => {
    await start();
    await handler()(event('Create', props(host)));
    sm.on(DescribeSecretCommand).resolves({ RotationEnabled: true, VersionIdsToStages: { [OLD]: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] } });
  });

  test('createSecret stores a new random password as AWSPENDING, keeping the other fields', async () => {
    sm.on(GetSecretValueCommand, { SecretId: USER_ARN, VersionId: TOKEN, VersionStage: 'AWSPENDING' }).rejects(Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' }));
    sm.on(GetRandomPasswordCommand).resolves({ RandomPassword: NEW_PASSWORD });
    await handler()(rotation('createSecret'));
    expect(sm.commandCalls(GetRandomPasswordCommand)[0].args[0].input).toEqual({ PasswordLength: 32, ExcludePunctuation: true, RequireEachIncludedType: true });
    expect(sm.commandCalls(PutSecretValueCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: USER_ARN, ClientRequestToken: TOKEN, SecretString: JSON.stringify({ ...SECRET_JSON, password: NEW_PASSWORD }), VersionStages: ['AWSPENDING'] },
    ]);
  });

  test('createSecret is idempotent: an existing AWSPENDING version is kept', async () => {
    sm.on(GetSecretValueCommand, { SecretId: USER_ARN, VersionId: TOKEN, VersionStage: 'AWSPENDING' }).resolves({ SecretString: JSON.stringify({ ...SECRET_JSON, password: NEW_PASSWORD }) });
    await handler()(rotation('createSecret'));
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  test('setSecret sets the pending password on ONTAP (PATCH local-users/{svm}/{sid}); testSecret checks the user; finishSecret moves AWSCURRENT', async () => {
    sm.on(GetSecretValueCommand, { SecretId: USER_ARN, VersionId: TOKEN, VersionStage: 'AWSPENDING' }).resolves({ SecretString: JSON.stringify({ ...SECRET_JSON, password: NEW_PASSWORD }) });
    await handler()(rotation('setSecret'));
    const sid = mock.state.users[0].sid;
    expect(mock.changes.at(-1)).toBe(`PATCH /api/protocols/cifs/local-users/${mock.state.svm.uuid}/${sid}`);
    expect(mock.state.users[0].password).toBe(NEW_PASSWORD);
    await handler()(rotation('testSecret'));
    sm.on(UpdateSecretVersionStageCommand).resolves({});
    await handler()(rotation('finishSecret'));
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)[0].args[0].input).toEqual({ SecretId: USER_ARN, VersionStage: 'AWSCURRENT', MoveToVersionId: TOKEN, RemoveFromVersionId: OLD });
    expect(JSON.stringify(logs)).not.toContain(NEW_PASSWORD);
  });

  test('testSecret fails when the user is disabled on ONTAP', async () => {
    sm.on(GetSecretValueCommand, { SecretId: USER_ARN, VersionId: TOKEN, VersionStage: 'AWSPENDING' }).resolves({ SecretString: JSON.stringify({ ...SECRET_JSON, password: NEW_PASSWORD }) });
    mock.state.users[0].account_disabled = true;
    await expect(handler()(rotation('testSecret'))).rejects.toThrow('local user CELLKIT\\git-service is disabled');
  });

  test('setSecret fails with ONTAP\'s message when the PATCH is refused', async () => {
    mock.options.failOn = `PATCH /api/protocols/cifs/local-users/${mock.state.svm.uuid}/${mock.state.users[0].sid}`;
    sm.on(GetSecretValueCommand, { SecretId: USER_ARN, VersionId: TOKEN, VersionStage: 'AWSPENDING' }).resolves({ SecretString: JSON.stringify({ ...SECRET_JSON, password: NEW_PASSWORD }) });
    await expect(handler()(rotation('setSecret'))).rejects.toThrow(/^ONTAP PATCH \/api\/protocols\/cifs\/local-users\/.* failed \(HTTP 400\): mock ONTAP refused/);
    expect(mock.state.users[0].password).toBe(USER_PASSWORD);
  });

  test('a secret without rotation enabled is refused', async () => {
    sm.on(DescribeSecretCommand).resolves({ RotationEnabled: false, VersionIdsToStages: {} });
    await expect(handler()(rotation('setSecret'))).rejects.toThrow(`secret ${USER_ARN}: rotation is not enabled`);
  });
});
