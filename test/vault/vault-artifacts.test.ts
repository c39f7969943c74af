// The artifact bucket of egress-"none" cells, against a mocked S3 (aws-sdk-client-mock): S3 cannot
// run here. Requests follow the S3 API reference; error shapes are the SDK's own (NotFound, 403).
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  NotFound,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { ARTIFACTS_EXIT, runVaultArtifacts } from '../../lib/cli/vault-artifacts';
import { prepareVaultArtifacts, sha256HexToBase64, tlsOnlyPolicy, vaultArtifactCheck } from '../../lib/vault/artifacts/vault-artifacts';
import { VAULT_RELEASE } from '../../lib/vault/vault-release';
import { REPO_ROOT } from '../fixtures';

const ZIP = new Uint8Array(Buffer.from('PK\u0003\u0004 a stand-in for the Vault zip'));
const RELEASE = { version: '1.18.3', sha256: crypto.createHash('sha256').update(ZIP).digest('hex') };
const BUCKET = 'cellkit-artifacts-222222222222-eu-west-2';
const KEY = 'vault/vault_1.18.3_linux_amd64.zip';
const notFound = () => new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
const forbidden = () => new S3ServiceException({ name: 'Forbidden', $fault: 'client', message: 'Forbidden', $metadata: { httpStatusCode: 403 } });

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-2' });
beforeEach(() => s3mock.reset());
const sent = (command: unknown) => s3mock.commandCalls(command as never).map((c) => c.args[0].input as Record<string, any>);
const prepare = (over: Partial<Parameters<typeof prepareVaultArtifacts>[0]> = {}) => {
  const lines: string[] = [];
  return { lines, result: prepareVaultArtifacts({ s3, account: '222222222222', region: 'eu-west-2', release: RELEASE, zip: ZIP, write: (l) => lines.push(l), ...over }) };
};

describe('prepareVaultArtifacts', () => {
  test('fresh account: creates the bucket locked down, then uploads the zip with its SHA-256 for S3 to verify', async () => {
    s3mock.on(HeadBucketCommand).rejects(notFound());
    s3mock.on(HeadObjectCommand).rejects(notFound());
    const { result } = prepare();
    expect(await result).toEqual({ uploaded: true, bucket: BUCKET, key: KEY });
    expect(sent(CreateBucketCommand)).toEqual([{ Bucket: BUCKET, ObjectOwnership: 'BucketOwnerEnforced', CreateBucketConfiguration: { LocationConstraint: 'eu-west-2' } }]);
    expect(sent(PutPublicAccessBlockCommand)[0].PublicAccessBlockConfiguration)
      .toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    expect(sent(PutBucketEncryptionCommand)[0].ServerSideEncryptionConfiguration).toEqual({ Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    expect(sent(PutBucketVersioningCommand)[0].VersioningConfiguration).toEqual({ Status: 'Enabled' });
    const policy = JSON.parse(sent(PutBucketPolicyCommand)[0].Policy);
    expect(policy.Statement).toEqual([expect.objectContaining({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]);
    const put = sent(PutObjectCommand);
    expect(put).toHaveLength(1);
    expect(put[0]).toEqual(expect.objectContaining({ Bucket: BUCKET, Key: KEY, ExpectedBucketOwner: '222222222222', ChecksumSHA256: sha256HexToBase64(RELEASE.sha256), Body: ZIP }));
    // Every call on the bucket names the expected owner: a same-named bucket elsewhere is never touched.
    for (const c of [PutPublicAccessBlockCommand, PutBucketEncryptionCommand, PutBucketVersioningCommand, PutBucketPolicyCommand, HeadObjectCommand]) expect(sent(c)[0].ExpectedBucketOwner).toBe('222222222222');
  });

  test('second run: no new bucket, no upload; the bucket settings are re-asserted', async () => {
    s3mock.on(HeadBucketCommand).resolves({});
    s3mock.on(HeadObjectCommand).resolves({ ChecksumSHA256: sha256HexToBase64(RELEASE.sha256) });
    const { result, lines } = prepare();
    expect(await result).toEqual({ uploaded: false, bucket: BUCKET, key: KEY });
    expect(sent(CreateBucketCommand)).toEqual([]);
    expect(sent(PutObjectCommand)).toEqual([]);
    expect(sent(PutBucketPolicyCommand)).toHaveLength(1);
    expect(lines.join('\n')).toContain('already holds these bytes; nothing uploaded');
  });

  test('an object with other bytes is replaced (versioning keeps the old one)', async () => {
    s3mock.on(HeadBucketCommand).resolves({});
    s3mock.on(HeadObjectCommand).resolves({ ChecksumSHA256: sha256HexToBase64('00'.repeat(32)) });
    expect((await prepare().result).uploaded).toBe(true);
  });

  test('us-east-1 takes no location constraint', async () => {
    s3mock.on(HeadBucketCommand).rejects(notFound());
    s3mock.on(HeadObjectCommand).rejects(notFound());
    await prepare({ region: 'us-east-1' }).result;
    expect(sent(CreateBucketCommand)[0].CreateBucketConfiguration).toBeUndefined();
  });

  test('a zip that is not the pinned release is refused before any AWS call', async () => {
    await expect(prepare({ zip: new Uint8Array(Buffer.from('tampered')) }).result).rejects.toThrow(/the zip's SHA-256 is [0-9a-f]{64}, not the pinned [0-9a-f]{64} of Vault 1\.18\.3/);
    expect(s3mock.calls()).toHaveLength(0);
  });

  test('a bucket of that name owned by someone else (403) stops everything', async () => {
    s3mock.on(HeadBucketCommand).rejects(forbidden());
    await expect(prepare().result).rejects.toThrow('Forbidden');
    expect(sent(CreateBucketCommand)).toEqual([]);
    expect(sent(PutObjectCommand)).toEqual([]);
  });
});

describe('vaultArtifactCheck (for the deploy-readiness check)', () => {
  const check = () => vaultArtifactCheck({ s3, account: '222222222222', region: 'eu-west-2', release: RELEASE });
  test('ready when the pinned bytes are there', async () => {
    s3mock.on(HeadObjectCommand).resolves({ ChecksumSHA256: sha256HexToBase64(RELEASE.sha256) });
    expect(await check()).toEqual(expect.objectContaining({ status: 'ready', bucket: BUCKET, key: KEY }));
    expect(sent(HeadObjectCommand)[0]).toEqual({ Bucket: BUCKET, Key: KEY, ChecksumMode: 'ENABLED', ExpectedBucketOwner: '222222222222' });
  });
  test('missing, with the command that fixes it', async () => {
    s3mock.on(HeadObjectCommand).rejects(notFound());
    const r = await check();
    expect(r.status).toBe('missing');
    expect(r.message).toContain(`s3://${BUCKET}/${KEY} does not exist`);
    expect(r.message).toContain('cellkit vault artifacts --account 222222222222 --region eu-west-2 --zip');
  });
  test('mismatch when other bytes (or no checksum) are there', async () => {
    s3mock.on(HeadObjectCommand).resolves({});
    expect((await check()).status).toBe('mismatch');
  });
  test('error (could not tell) on anything else', async () => {
    s3mock.on(HeadObjectCommand).rejects(forbidden());
    expect(await check()).toEqual(expect.objectContaining({ status: 'error', message: expect.stringContaining('could not check') }));
  });
  test('the bucket policy denies every request without TLS', () => {
    expect(JSON.parse(tlsOnlyPolicy('b')).Statement[0].Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
  });
});

describe('cellkit vault artifacts', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, deps: { registryDir: REPO_ROOT, s3: () => s3, write: (l: string) => out.push(l), error: (l: string) => err.push(l) } };
  };
  test.each([
    [{ account: '12345', region: 'eu-west-2', zip: 'x' }, /--account must be a 12-digit AWS account id; got "12345"/],
    [{ account: '222222222222', region: 'mars-north-1', zip: 'x' }, /--region must be one of the allowed regions in regions.json \(.*\); got "mars-north-1"/],
    [{ tenant: 'nobody' }, /--tenant: no tenant "nobody" in tenants\/ \(have: contoso, northwind\)/],
    [{ tenant: 'contoso', account: '222222222222' }, /give either --tenant or --account and --region, not both/],
    [{ tenant: 'contoso' }, /--zip is required: the path of vault_.*_linux_amd64\.zip/],
    [{ tenant: 'contoso', zip: '/nonexistent/vault.zip' }, /--zip: cannot read \/nonexistent\/vault.zip/],
  ])('bad input %j: exit 3 with a clear message and no AWS call', async (opts, message) => {
    const { err, deps } = io();
    expect(await runVaultArtifacts(opts, deps)).toBe(ARTIFACTS_EXIT.usage);
    expect(err.join('\n')).toMatch(message);
    expect(s3mock.calls()).toHaveLength(0);
  });

  test('a zip that is not the pinned release: exit 3, nothing sent', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-zip-')), 'vault.zip');
    fs.writeFileSync(file, 'not vault');
    const { err, deps } = io();
    expect(await runVaultArtifacts({ tenant: 'contoso', zip: file }, deps)).toBe(ARTIFACTS_EXIT.usage);
    expect(err.join('\n')).toContain(`not the pinned ${VAULT_RELEASE.sha256}`);
    expect(s3mock.calls()).toHaveLength(0);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  test('--check uses the tenant\'s account and pinned region: exit 1 when the zip is missing, 0 when ready, 2 when S3 cannot tell', async () => {
    s3mock.on(HeadObjectCommand).rejects(notFound());
    let r = io();
    expect(await runVaultArtifacts({ tenant: 'contoso', check: true }, r.deps)).toBe(ARTIFACTS_EXIT.problem);
    expect(r.err.join('\n')).toContain('missing: s3://cellkit-artifacts-222222222222-eu-west-2/vault/');
    s3mock.on(HeadObjectCommand).resolves({ ChecksumSHA256: sha256HexToBase64(VAULT_RELEASE.sha256) });
    r = io();
    expect(await runVaultArtifacts({ tenant: 'contoso', check: true }, r.deps)).toBe(ARTIFACTS_EXIT.ok);
    s3mock.on(HeadObjectCommand).rejects(forbidden());
    expect(await runVaultArtifacts({ tenant: 'contoso', check: true }, io().deps)).toBe(ARTIFACTS_EXIT.unknown);
  });
});
