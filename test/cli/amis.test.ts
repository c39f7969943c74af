// `cellkit amis pin` with a mocked SSM client (aws-sdk-client-mock): no AWS account here. Responses follow
// the SSM API reference for GetParameter (Parameter.Value, Parameter.Version; ParameterNotFound,
// AccessDeniedException errors).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { AmiFetchError, pinAmis } from '../../lib/cli/amis';
import { CellkitConfigError } from '../../lib/registry/errors';
import { AL2023_PARAMETER, parseAmiFile } from '../../lib/vault/vault-image';
import { REPO_ROOT } from '../fixtures';

const ssm = mockClient(SSMClient);
const ALLOWED = ['eu-west-2', 'ap-southeast-2', 'us-east-1'];
const NOW = new Date('2026-11-28T12:00:00.000Z');
let dir: string;
let file: string;
beforeEach(() => {
  ssm.reset();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-amis-'));
  file = path.join(dir, 'amis.json');
  fs.copyFileSync(path.join(REPO_ROOT, 'lib', 'vault', 'amis.json'), file);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const regionOf = async (c: unknown) => (c as { config: { region: () => Promise<string> } }).config.region();
const answer = (byRegion: Record<string, { Value?: string; Version?: number } | Error>) =>
  ssm.on(GetParameterCommand, { Name: AL2023_PARAMETER }).callsFake(async (_input, getClient) => {
    const a = byRegion[await regionOf(getClient())];
    if (a instanceof Error) throw a;
    return { Parameter: { Name: AL2023_PARAMETER, Type: 'String', ...a } };
  });
const pin = (regions: string[], lines: string[] = []) =>
  pinAmis({ file, regions, allowedRegions: ALLOWED, client: (region) => new SSMClient({ region }), now: NOW, write: (l) => lines.push(l) });
const before = () => fs.readFileSync(file, 'utf8');

test('writes the fetched ID per region with the parameter, its version and the fetch time', async () => {
  answer({ 'eu-west-2': { Value: 'ami-0aaaaaaaaaaaaaaaa', Version: 7 }, 'ap-southeast-2': { Value: 'ami-0bbbbbbbbbbbbbbbb', Version: 9 } });
  const lines: string[] = [];
  await pin(['eu-west-2', 'ap-southeast-2'], lines);
  const written = parseAmiFile(JSON.parse(fs.readFileSync(file, 'utf8')));
  expect(written.pins).toEqual({
    'ap-southeast-2': { imageId: 'ami-0bbbbbbbbbbbbbbbb', parameter: AL2023_PARAMETER, parameterVersion: 9, fetchedAt: '2026-11-28T12:00:00.000Z' },
    'eu-west-2': { imageId: 'ami-0aaaaaaaaaaaaaaaa', parameter: AL2023_PARAMETER, parameterVersion: 7, fetchedAt: '2026-11-28T12:00:00.000Z' },
  });
  expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
  expect(lines).toEqual([`eu-west-2: ami-0aaaaaaaaaaaaaaaa (${AL2023_PARAMETER} version 7)`, `ap-southeast-2: ami-0bbbbbbbbbbbbbbbb (${AL2023_PARAMETER} version 9)`]);
});

test('re-pinning one region keeps the others and says what changed', async () => {
  answer({ 'eu-west-2': { Value: 'ami-0aaaaaaaaaaaaaaaa', Version: 7 }, 'us-east-1': { Value: 'ami-0cccccccccccccccc', Version: 3 } });
  await pin(['eu-west-2', 'us-east-1']);
  answer({ 'eu-west-2': { Value: 'ami-0dddddddddddddddd', Version: 8 } });
  const lines: string[] = [];
  await pin(['eu-west-2'], lines);
  const written = parseAmiFile(JSON.parse(fs.readFileSync(file, 'utf8')));
  expect(Object.fromEntries(Object.entries(written.pins).map(([r, p]) => [r, p.imageId]))).toEqual({ 'eu-west-2': 'ami-0dddddddddddddddd', 'us-east-1': 'ami-0cccccccccccccccc' });
  expect(lines).toEqual([`eu-west-2: ami-0dddddddddddddddd (${AL2023_PARAMETER} version 8), was ami-0aaaaaaaaaaaaaaaa`]);
});

test.each([
  ['AccessDenied', Object.assign(new Error('User is not authorized to perform: ssm:GetParameter'), { name: 'AccessDeniedException' }), /ap-southeast-2: could not read .*: AccessDeniedException: User is not authorized/],
  ['ParameterNotFound', new ParameterNotFound({ message: 'Parameter not found.', $metadata: {} }), /ap-southeast-2: could not read .*: ParameterNotFound: Parameter not found/],
  ['a value that is not an AMI ID', { Value: 'not-an-ami', Version: 1 }, /ap-southeast-2: .* returned "not-an-ami", which is not an AMI ID .*nothing was pinned/],
  ['no value', { Version: 1 }, /ap-southeast-2: .* returned null, which is not an AMI ID/],
  ['no version', { Value: 'ami-0aaaaaaaaaaaaaaaa' }, /ap-southeast-2: .* returned no parameter version; nothing was pinned/],
])('%s in one region: AmiFetchError (exit 2) and the file is unchanged for every region', async (_what, bad, message) => {
  answer({ 'eu-west-2': { Value: 'ami-0aaaaaaaaaaaaaaaa', Version: 7 }, 'ap-southeast-2': bad as never });
  const original = before();
  const run = pin(['eu-west-2', 'ap-southeast-2']);
  await expect(run).rejects.toThrow(AmiFetchError);
  await expect(pin(['eu-west-2', 'ap-southeast-2'])).rejects.toThrow(message);
  expect(before()).toBe(original);
});

test.each([
  [['mars-north-1'], /--region: "mars-north-1" not in regions.json \(allowed: eu-west-2, ap-southeast-2, us-east-1\)/],
  [[], /--region: name at least one region/],
])('bad input %j: CellkitConfigError (exit 3), no AWS call, file unchanged', async (regions, message) => {
  const original = before();
  await expect(pin(regions)).rejects.toThrow(CellkitConfigError);
  await expect(pin(regions)).rejects.toThrow(message);
  expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
  expect(before()).toBe(original);
});

test('a broken image file is refused with its name and field, before any AWS call', async () => {
  fs.writeFileSync(file, JSON.stringify({ parameter: AL2023_PARAMETER, pins: { 'eu-west-2': { imageId: 'ami-bogus' } } }));
  await expect(pin(['eu-west-2'])).rejects.toThrow(/amis.json: field "pins.eu-west-2.imageId": must be "ami-"/);
  expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
});

describe('the cellkit amis pin command (the real CLI process; no AWS call is reached)', () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run-ts.js'), path.join(REPO_ROOT, 'bin', 'cellkit.ts'), 'amis', 'pin', '--file', file, ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: dir },
      timeout: 60_000,
    });

  test('an unknown region exits 3 with the allowed regions named, and the file is unchanged', () => {
    const original = before();
    const r = cli('--region', 'mars-north-1');
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/cellkit amis pin: --region: "mars-north-1" not in regions.json \(allowed: eu-west-2, eu-central-1/);
    expect(before()).toBe(original);
  });

  test('an unknown option exits 3', () => {
    expect(cli('--regions', 'eu-west-2').status).toBe(3);
  });
});
