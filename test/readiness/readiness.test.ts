// `cellkit readiness` against mocked AWS: every STS, CloudFormation, SSM, KMS, RDS and FSx client is
// stubbed with aws-sdk-client-mock (the real SDK clients, their middleware and error shapes; no network).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { GetParameterCommand, ParameterNotFound, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { App, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import { mockClient } from 'aws-sdk-client-mock';
import { ReadinessCheck, ReadinessClients, ReadinessContext } from '../../lib/readiness/check';
import { READINESS_CHECKS } from '../../lib/readiness/checks';
import { READINESS_EXIT, runReadiness } from '../../lib/readiness/readiness';
import { REPO_ROOT, regions } from '../fixtures';
import { MockedRegions, PINNED, SCENARIOS, TENANT, TEST_TIMEOUT_MS } from '../guard/scenarios';

const ACCOUNT = TENANT.spec.account; // 123456789012
const BOOTSTRAP = `npx cdk bootstrap aws://${ACCOUNT}/${PINNED}`;

/** A cloud assembly as aws-cdk-lib writes it for the tenant's stack (an empty stack: same synthesizer, same requirement). */
const CDK_OUT = (() => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-readiness-'));
  const app = new App({ outdir });
  new CfnWaitConditionHandle(new Stack(app, 'Cell-acme', { env: { account: ACCOUNT, region: PINNED } }), 'Placeholder'); // a template needs one resource
  app.synth();
  return outdir;
})();

const awsError = <T>(Type: new (o: { name: string; $fault: 'client' | 'server'; $metadata: object; message: string }) => T, name: string, message: string, status = 400) =>
  new Type({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message });

describe('cellkit readiness', () => {
  let guard: MockedRegions;
  let sts: ReturnType<typeof mockClient>;
  let cfn: ReturnType<typeof mockClient>;
  let ssm: ReturnType<typeof mockClient>;
  let s3: ReturnType<typeof mockClient>;
  let s3Client: S3Client;
  let asked: string[];
  let lines: string[];

  beforeEach(() => {
    guard = new MockedRegions();
    asked = [];
    lines = [];
    const stsClient = new STSClient({ region: PINNED });
    const cfnClient = new CloudFormationClient({ region: PINNED });
    const ssmClient = new SSMClient({ region: PINNED });
    s3Client = new S3Client({ region: PINNED });
    s3 = mockClient(s3Client);
    sts = mockClient(stsClient);
    cfn = mockClient(cfnClient);
    ssm = mockClient(ssmClient);
    // The ready account: bootstrapped in the pinned region with version 30, the tenant nowhere else.
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/alice`, UserId: 'AROA:alice' });
    cfn.on(DescribeStacksCommand, { StackName: 'CDKToolkit' }).resolves({ Stacks: [{ StackName: 'CDKToolkit', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(0) }] });
    ssm.on(GetParameterCommand, { Name: '/cdk-bootstrap/hnb659fds/version' }).resolves({ Parameter: { Name: '/cdk-bootstrap/hnb659fds/version', Value: '30' } });
    clients = {
      sts: (r) => (asked.push(`sts ${r}`), stsClient),
      cloudFormation: (r) => (asked.push(`cloudformation ${r}`), cfnClient),
      ssm: (r) => (asked.push(`ssm ${r}`), ssmClient),
      s3: (r) => (asked.push(`s3 ${r}`), s3Client),
      guard: guard.clients,
    };
  });
  afterEach(() => {
    guard.restore();
    for (const m of [sts, cfn, ssm, s3]) m.restore();
  });

  let clients: ReadinessClients;
  const ctx = (over: Partial<ReadinessContext> = {}): ReadinessContext => ({ tenant: TENANT, regions, clients, cdkOut: CDK_OUT, timeoutMs: TEST_TIMEOUT_MS, now: new Date('2026-12-01T00:00:00Z'), ...over });
  const run = async (over: Partial<ReadinessContext> = {}, checks: readonly ReadinessCheck[] = READINESS_CHECKS) => {
    const report = await runReadiness(ctx(over), checks, (l) => void lines.push(l));
    const status = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
    return { exit: report.exitCode, status, report, text: lines.join('\n') };
  };

  test('a ready account: every check passes, exit 0, and the deploy command is printed', async () => {
    const r = await run();
    expect(r.exit).toBe(READINESS_EXIT.ready);
    expect(r.status).toEqual({ 'credentials-account': 'pass', 'cdk-bootstrap': 'pass', 'region-guard': 'pass', 'vault-artifact': 'pass', 'vault-release': 'pass' });
    expect(lines).toEqual([
      'tenant "acme", account 123456789012, pinned to ap-southeast-2 (Sydney): 5 checks',
      'PASS    credentials-account  the credentials (arn:aws:sts::123456789012:assumed-role/deployer/alice) belong to account 123456789012',
      'PASS    cdk-bootstrap        account 123456789012, ap-southeast-2 is bootstrapped: CDKToolkit UPDATE_COMPLETE, version 30 (Cell-acme needs 8 or later)',
      expect.stringMatching(/^PASS {4}region-guard {9}region guard: tenant "acme" has no cell outside ap-southeast-2; checked eu-west-2, /),
      expect.stringMatching(/^PASS {4}vault-artifact {7}egress "nat": Vault nodes download the release themselves/),
      expect.stringMatching(/^PASS {4}vault-release {8}Vault 2\.1\.1: the 2\.1 line is supported/),
      'READY: tenant "acme" can be deployed: npx cdk deploy -c tenant=acme Cell-acme',
    ]);
    // Bootstrap is read in the pinned region, where CDK deploys the stack.
    expect(asked).toEqual([`sts ${PINNED}`, `cloudformation ${PINNED}`, `ssm ${PINNED}`]);
    expect(guard.asked.size).toBe(5);
  });

  describe('credentials-account (a gate)', () => {
    test('credentials for another account: FAIL with the fix, the rest skipped without any AWS call, exit 1', async () => {
      sts.on(GetCallerIdentityCommand).resolves({ Account: '999999999999', Arn: 'arn:aws:iam::999999999999:user/bob' });
      const r = await run();
      expect(r.exit).toBe(READINESS_EXIT.notReady);
      expect(r.status).toEqual({ 'credentials-account': 'fail', 'cdk-bootstrap': 'skipped', 'region-guard': 'skipped', 'vault-artifact': 'skipped', 'vault-release': 'skipped' });
      expect(r.text).toContain('FAIL    credentials-account  the credentials (arn:aws:iam::999999999999:user/bob) are for account 999999999999, but tenant "acme" lives in account 123456789012');
      expect(r.text).toContain('fix: use credentials for account 123456789012');
      expect(r.text).toContain('SKIPPED cdk-bootstrap        not run: credentials-account did not pass');
      expect(r.text).toContain('NOT READY: credentials-account failed; cdk-bootstrap, region-guard, vault-artifact, vault-release not answered. Fix each and run again.');
      expect(asked).toEqual([`sts ${PINNED}`]);
      expect(guard.asked.size).toBe(0);
    });

    test.each([
      ['no credentials', Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'CredentialsProviderError: Could not load credentials from any providers'],
      ['throttling', awsError(STSServiceException, 'Throttling', 'Rate exceeded'), 'Throttling: Rate exceeded'],
      ['expired token', awsError(STSServiceException, 'ExpiredToken', 'The security token included in the request is expired', 403), 'ExpiredToken: The security token included in the request is expired'],
    ])('%s: UNKNOWN, the rest skipped, exit 2', async (_, error, text) => {
      sts.on(GetCallerIdentityCommand).rejects(error);
      const r = await run();
      expect(r.exit).toBe(READINESS_EXIT.unknown);
      expect(r.status).toEqual({ 'credentials-account': 'unknown', 'cdk-bootstrap': 'skipped', 'region-guard': 'skipped', 'vault-artifact': 'skipped', 'vault-release': 'skipped' });
      expect(r.text).toContain(`cannot tell which account the credentials belong to (sts:GetCallerIdentity: ${text})`);
      expect(r.text).toContain('COULD NOT TELL: credentials-account, cdk-bootstrap, region-guard, vault-artifact, vault-release not answered; do not deploy until every check passes.');
    });
  });

  describe('cdk-bootstrap', () => {
    const bootstrapLine = async () => {
      const r = await run();
      return { ...r, line: lines.find((l) => / cdk-bootstrap /.test(l))!, fix: lines[lines.findIndex((l) => / cdk-bootstrap /.test(l)) + 1] };
    };

    test('no CDKToolkit stack: FAIL, fix is the bootstrap command for the pinned region', async () => {
      cfn.on(DescribeStacksCommand).rejects(awsError(CloudFormationServiceException, 'ValidationError', 'Stack with id CDKToolkit does not exist'));
      const r = await bootstrapLine();
      expect(r.exit).toBe(READINESS_EXIT.notReady);
      expect(r.line).toBe('FAIL    cdk-bootstrap        no CDKToolkit stack in account 123456789012, ap-southeast-2: the region is not bootstrapped');
      expect(r.fix.trim()).toBe(`fix: ${BOOTSTRAP}`);
      expect(r.status['region-guard']).toBe('pass'); // not a gate: every missing thing is listed in one run
    });

    test('a CDKToolkit stack that failed to create: FAIL, delete it first, then bootstrap', async () => {
      cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'CDKToolkit', StackStatus: 'ROLLBACK_COMPLETE', CreationTime: new Date(0) }] });
      const r = await bootstrapLine();
      expect(r.exit).toBe(READINESS_EXIT.notReady);
      expect(r.line).toContain('the CDKToolkit stack in account 123456789012, ap-southeast-2 is ROLLBACK_COMPLETE');
      expect(r.fix).toContain(`delete it (aws cloudformation delete-stack --stack-name CDKToolkit --region ${PINNED}), then run ${BOOTSTRAP}`);
    });

    test('a CDKToolkit stack being updated: UNKNOWN (wait), exit 2', async () => {
      cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'CDKToolkit', StackStatus: 'UPDATE_IN_PROGRESS', CreationTime: new Date(0) }] });
      const r = await bootstrapLine();
      expect(r.exit).toBe(READINESS_EXIT.unknown);
      expect(r.line).toBe('UNKNOWN cdk-bootstrap        the CDKToolkit stack in account 123456789012, ap-southeast-2 is UPDATE_IN_PROGRESS');
      expect(r.fix.trim()).toBe('fix: wait for it to finish and run again');
    });

    test('DescribeStacks throttled or denied: UNKNOWN naming the API and error, exit 2', async () => {
      cfn.on(DescribeStacksCommand).rejects(awsError(CloudFormationServiceException, 'Throttling', 'Rate exceeded'));
      let r = await bootstrapLine();
      expect(r.exit).toBe(READINESS_EXIT.unknown);
      expect(r.line).toContain('cannot read the CDKToolkit stack in account 123456789012, ap-southeast-2 (cloudformation:DescribeStacks: Throttling: Rate exceeded)');
      lines = [];
      cfn.on(DescribeStacksCommand).rejects(awsError(CloudFormationServiceException, 'AccessDenied', 'User is not authorized to perform: cloudformation:DescribeStacks', 403));
      r = await bootstrapLine();
      expect(r.line).toContain('(cloudformation:DescribeStacks: AccessDenied: User is not authorized');
    });

    test('no version parameter: FAIL, bootstrap', async () => {
      ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ $metadata: { httpStatusCode: 400 }, message: '' }));
      const r = await bootstrapLine();
      expect(r.exit).toBe(READINESS_EXIT.notReady);
      expect(r.line).toContain('has no version parameter /cdk-bootstrap/hnb659fds/version');
      expect(r.fix.trim()).toBe(`fix: ${BOOTSTRAP}`);
    });

    test('a bootstrap older than the assembly requires: FAIL with both versions and the upgrade command', async () => {
      ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '7' } });
      const r = await bootstrapLine();
      expect(r.exit).toBe(READINESS_EXIT.notReady);
      expect(r.line).toBe('FAIL    cdk-bootstrap        the bootstrap in account 123456789012, ap-southeast-2 is version 7; Cell-acme needs 8 (Cell-acme lookup role)');
      expect(r.fix.trim()).toBe(`fix: ${BOOTSTRAP} (upgrades the bootstrap stack in place)`);
    });

    test('exactly the required version passes', async () => {
      ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '8' } });
      expect((await bootstrapLine()).exit).toBe(READINESS_EXIT.ready);
    });

    test('a version parameter that is not a number: FAIL', async () => {
      ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'latest' } });
      const r = await bootstrapLine();
      expect(r.line).toContain('/cdk-bootstrap/hnb659fds/version in account 123456789012, ap-southeast-2 holds "latest", not a bootstrap version');
    });

    test('GetParameter denied or timing out: UNKNOWN, exit 2', async () => {
      ssm.on(GetParameterCommand).rejects(awsError(SSMServiceException, 'AccessDeniedException', 'not authorized to perform: ssm:GetParameter', 403));
      let r = await bootstrapLine();
      expect(r.exit).toBe(READINESS_EXIT.unknown);
      expect(r.line).toContain('cannot read /cdk-bootstrap/hnb659fds/version in account 123456789012, ap-southeast-2 (ssm:GetParameter: AccessDeniedException: not authorized');
      lines = [];
      ssm.on(GetParameterCommand).rejects(Object.assign(new Error('Connection timed out after 3000 ms'), { name: 'TimeoutError' }));
      r = await bootstrapLine();
      expect(r.line).toContain('(ssm:GetParameter: TimeoutError: Connection timed out after 3000 ms)');
    });

    test('no synthesized stack to read the requirement from: UNKNOWN, fix is the synth command; AWS is not asked', async () => {
      const r = await run({ cdkOut: path.join(os.tmpdir(), 'cellkit-no-such-cdk-out') });
      expect(r.exit).toBe(READINESS_EXIT.unknown);
      expect(r.text).toMatch(/UNKNOWN cdk-bootstrap {8}cannot tell which bootstrap version Cell-acme needs: no cloud assembly at .*cellkit-no-such-cdk-out\/manifest\.json/);
      expect(r.text).toContain('fix: npx cdk synth -q -c tenant=acme -o ');
      expect(asked).not.toContain(`cloudformation ${PINNED}`);
    });
  });

  describe('region-guard', () => {
    test.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_, scenario) => {
      scenario.setup(guard);
      const r = await run();
      const expected = { clear: ['pass', READINESS_EXIT.ready], found: ['fail', READINESS_EXIT.notReady], unchecked: ['unknown', READINESS_EXIT.unknown] }[scenario.status];
      expect([r.status['region-guard'], r.exit]).toEqual(expected);
      for (const mention of scenario.mentions) expect(r.text).toContain(mention);
    });

    test('found elsewhere: the fix says not to deploy', async () => {
      SCENARIOS.find((s) => s.name === 'KMS data alias in another region')!.setup(guard);
      const r = await run();
      expect(r.text).toContain('fix: do not deploy: the guard would refuse it. Check the pin in tenants.lock.json and the cell in eu-west-1');
    });

    test('denied by the SCP everywhere: UNKNOWN, and says why and what to do', async () => {
      SCENARIOS.find((s) => s.name === 'a service control policy denies every other region')!.setup(guard);
      const r = await run();
      expect(r.exit).toBe(READINESS_EXIT.unknown);
      expect(r.text).toContain('A service control policy (cellkit guard scp) denies your credentials outside ap-southeast-2; only the deploy-time guard\'s role is exempt from it');
      expect(r.text).toContain('fix: run again with a principal the SCP exempts (cellkit guard scp --exempt-principal)');
    });
  });

  test('several missing things are all listed in one run; a failure outranks an unknown (exit 1)', async () => {
    cfn.on(DescribeStacksCommand).rejects(awsError(CloudFormationServiceException, 'ValidationError', 'Stack with id CDKToolkit does not exist'));
    SCENARIOS.find((s) => s.name === 'throttling in one region')!.setup(guard);
    const r = await run();
    expect(r.exit).toBe(READINESS_EXIT.notReady);
    expect(r.status).toEqual({ 'credentials-account': 'pass', 'cdk-bootstrap': 'fail', 'region-guard': 'unknown', 'vault-artifact': 'pass', 'vault-release': 'pass' });
    expect(lines[lines.length - 1]).toBe('NOT READY: cdk-bootstrap failed; region-guard not answered. Fix each and run again.');
  });

  describe('the runner', () => {
    const extra = (name: string, run: ReadinessCheck['run']): ReadinessCheck => ({ name, description: 'test check', run });

    test('adding a check is one more entry in the list; it runs after the others and counts', async () => {
      const r = await run({}, [...READINESS_CHECKS, extra('example-extra', async () => ({ status: 'fail', message: 'no Vault artifact', fix: 'upload it' }))]);
      expect(r.exit).toBe(READINESS_EXIT.notReady);
      expect(r.text).toContain('FAIL    example-extra        no Vault artifact');
      expect(r.text).toContain('fix: upload it');
    });

    test('a check that throws answers UNKNOWN with the error (fail closed), exit 2', async () => {
      const r = await run({}, [extra('boom', async () => { throw new TypeError('x is undefined'); })]);
      expect(r.exit).toBe(READINESS_EXIT.unknown);
      expect(r.text).toContain('UNKNOWN boom  could not tell: TypeError: x is undefined');
    });

    test('a check that never answers is stopped after its budget: UNKNOWN, exit 2', async () => {
      const r = await run({ timeoutMs: 10 }, [extra('hang', () => new Promise(() => undefined))]);
      expect(r.exit).toBe(READINESS_EXIT.unknown);
      expect(r.text).toContain('UNKNOWN hang  could not tell: GuardTimeoutError: no answer within 20 ms');
    }, 10_000);

    test('refuses two checks with one name', async () => {
      const twin = extra('cdk-bootstrap', async () => ({ status: 'pass', message: '' }));
      await expect(run({}, [...READINESS_CHECKS, twin])).rejects.toThrow('readiness checks must have distinct names; repeated: cdk-bootstrap');
    });

    test('exit codes are distinct and follow the guard convention', () => {
      expect(READINESS_EXIT).toEqual({ ready: 0, notReady: 1, unknown: 2, usage: 3 });
    });
  });

  test('docs/deploy-readiness.md documents every check and every exit code', () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'deploy-readiness.md'), 'utf8');
    for (const c of READINESS_CHECKS) expect(doc).toContain(`\`${c.name}\``);
    for (const code of Object.values(READINESS_EXIT)) expect(doc).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });
});

describe('vault-release check', () => {
  const { vaultRelease } = jest.requireActual('../../lib/readiness/checks/vault-release') as typeof import('../../lib/readiness/checks/vault-release');
  const ctx = (now: Date) => ({ now }) as unknown as Parameters<typeof vaultRelease.run>[0];

  test('passes quietly inside the documented window, and passes with a WARNING past it (never blocks a deploy)', async () => {
    expect(await vaultRelease.run(ctx(new Date('2026-12-01T00:00:00Z')))).toMatchObject({ status: 'pass', message: expect.not.stringContaining('WARNING') });
    expect(await vaultRelease.run(ctx(new Date('2030-01-01T00:00:00Z')))).toMatchObject({ status: 'pass', message: expect.stringMatching(/^WARNING: Vault 2\.1\.1/) });
  });
});

describe('vault-artifact check (egress none), S3 mocked', () => {
  const { vaultArtifact } = jest.requireActual('../../lib/readiness/checks/vault-artifact') as typeof import('../../lib/readiness/checks/vault-artifact');
  const { VAULT_RELEASE } = jest.requireActual('../../lib/vault/vault-release') as typeof import('../../lib/vault/vault-release');
  const { teamTenant } = jest.requireActual('../fixtures') as typeof import('../fixtures');
  const none = teamTenant({ egress: 'none' });
  let s3: ReturnType<typeof mockClient>;
  let client: S3Client;
  beforeEach(() => {
    client = new S3Client({ region: 'eu-west-2' });
    s3 = mockClient(client);
  });
  afterEach(() => s3.restore());
  const run = () => vaultArtifact.run({ tenant: none, clients: { s3: () => client } } as unknown as Parameters<typeof vaultArtifact.run>[0]);
  const bucket = `cellkit-artifacts-${none.spec.account}-eu-west-2`;

  test('the pinned zip with the pinned SHA-256: PASS', async () => {
    s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: Buffer.from(VAULT_RELEASE.sha256, 'hex').toString('base64') });
    expect(await run()).toMatchObject({ status: 'pass', message: expect.stringContaining(`s3://${bucket}/`) });
  });

  test('no zip: FAIL with the cellkit vault artifacts command that uploads it', async () => {
    s3.on(HeadObjectCommand).rejects(new S3ServiceException({ name: 'NotFound', $fault: 'client', $metadata: { httpStatusCode: 404 }, message: 'Not Found' }));
    expect(await run()).toMatchObject({ status: 'fail', message: expect.stringContaining('does not exist'), fix: expect.stringContaining('cellkit vault artifacts --account') });
  });

  test('another zip under the pinned name: FAIL naming both hashes', async () => {
    s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: 'AAAA' });
    expect(await run()).toMatchObject({ status: 'fail', message: expect.stringContaining(`is not the pinned ${VAULT_RELEASE.sha256}`) });
  });

  test('access denied: UNKNOWN (fail closed), with what to allow', async () => {
    s3.on(HeadObjectCommand).rejects(new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied' }));
    expect(await run()).toMatchObject({ status: 'unknown', fix: expect.stringContaining('s3:GetObject') });
  });
});
