import { ListAliasesCommand } from '@aws-sdk/client-kms';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';
import { TENANT_TAG } from '../../lib/cell/cell-stack';
import { GuardProperties, makeHandler, putResponse } from '../../lib/guard/handler';
import { ALLOWED, MockedRegions, PINNED, SCENARIOS, TEST_TIMEOUT_MS } from './scenarios';

const PROPS: GuardProperties = { TenantId: 'acme', PinnedRegion: PINNED, AllowedRegions: ALLOWED, TenantTagKey: TENANT_TAG, CellkitVersion: '1.2.3' };
const RESERVE_MS = 500;

function event(requestType: 'Create' | 'Update' | 'Delete', props: Partial<GuardProperties> = {}, oldProps: Partial<GuardProperties> = {}): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: 'arn:aws:lambda:ap-southeast-2:123456789012:function:guard',
    ResponseURL: 'https://cloudformation-custom-resource-response.example/presigned',
    StackId: 'arn:aws:cloudformation:ap-southeast-2:123456789012:stack/Cell-acme/guid',
    RequestId: 'req-1',
    LogicalResourceId: 'RegionGuardCheckEC19A7C9',
    ResourceType: 'Custom::CellkitRegionGuard',
    ResourceProperties: { ServiceToken: 'x', ...PROPS, ...props } as unknown as CloudFormationCustomResourceEvent['ResourceProperties'],
  };
  if (requestType === 'Create') return { ...base, RequestType: 'Create' };
  if (requestType === 'Update') return { ...base, RequestType: 'Update', PhysicalResourceId: 'cellkit-region-guard-acme', OldResourceProperties: { ServiceToken: 'x', ...PROPS, CellkitVersion: '1.2.2', ...oldProps } };
  return { ...base, RequestType: 'Delete', PhysicalResourceId: 'cellkit-region-guard-acme' };
}

describe('region guard Lambda handler', () => {
  let m: MockedRegions;
  let sent: { url: string; body: CloudFormationCustomResourceResponse }[];
  const context = { getRemainingTimeInMillis: () => RESERVE_MS + TEST_TIMEOUT_MS };
  const invoke = (e: CloudFormationCustomResourceEvent, region = PINNED) =>
    makeHandler({ clients: m.clients, respond: async (url, body) => void sent.push({ url, body }), region, reserveMs: RESERVE_MS })(e, context);

  beforeEach(() => {
    m = new MockedRegions();
    sent = [];
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    m.restore();
    jest.restoreAllMocks();
  });

  test.each(SCENARIOS.map((s) => [s.name, s] as const))('create, %s', async (_, scenario) => {
    scenario.setup(m);
    await invoke(event('Create'));
    expect(sent).toHaveLength(1);
    const { url, body } = sent[0];
    expect(url).toBe('https://cloudformation-custom-resource-response.example/presigned');
    expect(body).toMatchObject({ Status: scenario.status === 'clear' ? 'SUCCESS' : 'FAILED', PhysicalResourceId: 'cellkit-region-guard-acme', RequestId: 'req-1', LogicalResourceId: 'RegionGuardCheckEC19A7C9' });
    for (const mention of scenario.mentions) expect(body.Reason).toContain(mention);
  });

  // Custom resources get an Update on an update and another Update, back to the old properties, on its rollback
  // ("Custom resources", CloudFormation User Guide): neither may fail on the other-region scan.
  const hostile = () => {
    SCENARIOS.find((s) => s.name === 'KMS data alias in another region')!.setup(m);
    SCENARIOS.find((s) => s.name === 'a service control policy denies every other region')!.setup(m);
  };

  test('an update that keeps tenant and pin succeeds without asking any region, even where they would fail', async () => {
    hostile();
    await invoke(event('Update', { CellkitVersion: '1.2.3', AllowedRegions: ALLOWED.slice(0, 5).concat(PINNED) }));
    expect(sent[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'cellkit-region-guard-acme' });
    expect(sent[0].body.Reason).toBe('region guard: tenant "acme" stays in ap-southeast-2, where this stack already lives; other regions are asked on create only');
    expect(m.asked.size).toBe(0);
  });

  test("an update's rollback (an Update back to the old properties) succeeds without asking any region", async () => {
    hostile();
    await invoke(event('Update', { CellkitVersion: '1.2.2' }, { CellkitVersion: '1.2.3' }));
    expect(sent[0].body.Status).toBe('SUCCESS');
    expect(m.asked.size).toBe(0);
  });

  test('an update to another pin is refused without asking any region, and its rollback to this region succeeds', async () => {
    hostile();
    await invoke(event('Update', { PinnedRegion: 'eu-west-1' }));
    expect(sent[0].body.Status).toBe('FAILED');
    expect(sent[0].body.Reason).toContain('pinned to eu-west-1 but this stack is being deployed to ap-southeast-2; refusing');
    await invoke(event('Update', {}, { PinnedRegion: 'eu-west-1' }));
    expect(sent[1].body.Status).toBe('SUCCESS');
    expect(m.asked.size).toBe(0);
  });

  test('an update that gives the stack another tenant id is checked like a create, and keeps the physical id', async () => {
    SCENARIOS.find((s) => s.name === 'KMS data alias in another region')!.setup(m);
    await invoke(event('Update', {}, { TenantId: 'acme-old' }));
    expect(sent[0].body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'cellkit-region-guard-acme' });
    expect(sent[0].body.Reason).toContain('already lives in eu-west-1');
  });

  test('a create under the SCP, had it not exempted the guard role, answers FAILED naming the explicit deny', async () => {
    SCENARIOS.find((s) => s.name === 'a service control policy denies every other region')!.setup(m);
    await invoke(event('Create'));
    expect(sent[0].body.Status).toBe('FAILED');
    expect(sent[0].body.Reason).toContain('kms:ListAliases (AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/deployer/alice is not authorized');
  });

  test('whatever throws while deciding answers FAILED with the error as the reason, never silence', async () => {
    const broken = { ...event('Create'), ResourceProperties: undefined } as unknown as CloudFormationCustomResourceEvent;
    await invoke(broken);
    expect(sent[0].body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'cellkit-region-guard', RequestId: 'req-1' });
    expect(sent[0].body.Reason).toMatch(/^region guard: unexpected error, failing closed: TypeError: Cannot read properties of undefined/);
    const dying = { getRemainingTimeInMillis: () => { throw new RangeError('context gone'); } };
    await makeHandler({ clients: m.clients, respond: async (url, body) => void sent.push({ url, body }), region: PINNED, reserveMs: RESERVE_MS })(event('Create'), dying);
    expect(sent[1].body).toMatchObject({ Status: 'FAILED', Reason: 'region guard: unexpected error, failing closed: RangeError: context gone', PhysicalResourceId: 'cellkit-region-guard-acme' });
  });

  test('delete succeeds at once even with broken properties', async () => {
    const broken = { ...event('Delete'), ResourceProperties: undefined } as unknown as CloudFormationCustomResourceEvent;
    await invoke(broken);
    expect(sent[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'cellkit-region-guard-acme' });
  });

  test('delete succeeds without asking any region', async () => {
    SCENARIOS.find((s) => s.name === 'KMS data alias in another region')!.setup(m);
    await invoke(event('Delete'));
    expect(sent[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'cellkit-region-guard-acme' });
    expect(m.asked.size).toBe(0);
  });

  test('refuses when the function runs outside the pinned region', async () => {
    await invoke(event('Create'), 'eu-west-1');
    expect(sent[0].body.Status).toBe('FAILED');
    expect(sent[0].body.Reason).toContain('pinned to ap-southeast-2 but this stack is being deployed to eu-west-1');
  });

  test('fails closed on missing properties', async () => {
    await invoke(event('Create', { AllowedRegions: undefined, TenantTagKey: '' }));
    expect(sent[0].body.Status).toBe('FAILED');
    expect(sent[0].body.Reason).toContain('invalid properties (missing TenantTagKey, AllowedRegions)');
  });

  test('fails closed, naming the error, when a client cannot even be created', async () => {
    const clients = { ...m.clients, kms: () => { throw new Error('no endpoint for region'); } };
    await makeHandler({ clients, respond: async (url, body) => void sent.push({ url, body }), region: PINNED, reserveMs: RESERVE_MS })(event('Create'), context);
    expect(sent[0].body.Status).toBe('FAILED');
    expect(sent[0].body.Reason).toContain('kms:ListAliases (Error: no endpoint for region)');
  });

  test('keeps the reason within the 4 KB response limit', async () => {
    m.in('eu-west-1').kms.on(ListAliasesCommand).rejects(new Error('x'.repeat(5000)));
    await invoke(event('Create'));
    expect(sent[0].body.Reason!.length).toBeLessThanOrEqual(3000);
    expect(JSON.stringify(sent[0].body).length).toBeLessThan(4096);
  });
});

describe('putResponse', () => {
  afterEach(() => jest.restoreAllMocks());
  const body: CloudFormationCustomResourceResponse = { Status: 'SUCCESS', Reason: 'ok', PhysicalResourceId: 'p', StackId: 's', RequestId: 'r', LogicalResourceId: 'l' };

  test('PUTs the JSON body with an empty content type to the pre-signed URL', async () => {
    const fetchMock = jest.spyOn(global, 'fetch').mockResolvedValue(new Response(null, { status: 200 }));
    await putResponse('https://example.invalid/presigned?sig=1', body);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('https://example.invalid/presigned?sig=1');
    expect(init).toMatchObject({ method: 'PUT', headers: { 'content-type': '' } });
    expect(JSON.parse(init!.body as string)).toEqual(body);
    expect(init!.signal).toBeInstanceOf(AbortSignal);
  });

  test('retries a failed PUT, then gives up with a clear error', async () => {
    const fetchMock = jest.spyOn(global, 'fetch').mockRejectedValueOnce(new TypeError('fetch failed')).mockResolvedValueOnce(new Response(null, { status: 200 }));
    await putResponse('https://example.invalid/p', body);
    expect(fetchMock).toHaveBeenCalledTimes(2);
    fetchMock.mockReset().mockResolvedValue(new Response(null, { status: 403 }));
    await expect(putResponse('https://example.invalid/p', body)).rejects.toThrow('could not send the response to CloudFormation: Error: HTTP 403');
    expect(fetchMock).toHaveBeenCalledTimes(3);
  });
});
