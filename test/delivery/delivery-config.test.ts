import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadDeliveryConfig } from '../../lib/delivery/delivery-config';
import { CellkitConfigError } from '../../lib/registry/errors';
import { REPO_ROOT, regions } from '../fixtures';

const VALID = {
  account: '999999999999',
  region: 'eu-west-2',
  source: { repository: 'example-org/cellkit-fleet', branch: 'main', connectionArn: 'arn:aws:codeconnections:eu-west-2:999999999999:connection/00000000-0000-4000-8000-000000000000' },
  canaries: ['contoso'],
};

function load(body: unknown, tenants = ['contoso', 'northwind']) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-delivery-')), 'delivery.json');
  fs.writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
  return loadDeliveryConfig(file, regions, tenants);
}

function problems(body: unknown): string[] {
  try {
    load(body);
  } catch (e) {
    if (e instanceof CellkitConfigError) return [...e.problems];
    throw e;
  }
  throw new Error('expected the config to be refused');
}

describe('delivery.json', () => {
  test('the committed file is valid and names real tenants', () => {
    const config = loadDeliveryConfig(path.join(REPO_ROOT, 'delivery.json'), regions, ['contoso', 'northwind']);
    expect(config.canaries).toEqual(['contoso']);
    expect(config.firstWaveSize).toBeLessThanOrEqual(config.maxWaveSize);
  });

  test('defaults: branch main, no canaries, first wave 2, waves of at most 20', () => {
    const { branch, ...source } = VALID.source;
    void branch;
    const config = load({ ...VALID, source, canaries: undefined });
    expect(config).toMatchObject({ source: { branch: 'main' }, canaries: [], firstWaveSize: 2, maxWaveSize: 20 });
  });

  test.each([
    ['account', { ...VALID, account: '12345' }, 'delivery.json: field "account": must be a 12-digit AWS account id; got "12345"'],
    ['region', { ...VALID, region: 'us-west-2' }, 'delivery.json: field "region": must be one of the allowed regions in regions.json'],
    ['connection ARN', { ...VALID, source: { ...VALID.source, connectionArn: 'arn:aws:iam::999999999999:role/x' } }, 'delivery.json: field "source.connectionArn": must be a CodeConnections'],
    ['repository', { ...VALID, source: { ...VALID.source, repository: 'no-owner' } }, 'delivery.json: field "source.repository": must be "owner/name"'],
    ['unknown canary', { ...VALID, canaries: ['ghost'] }, 'delivery.json: field "canaries[0]": no tenant "ghost" in tenants/; got "ghost"'],
    ['canary id', { ...VALID, canaries: ['../x'] }, 'delivery.json: field "canaries[0]": must be 3-32 characters'],
    ['wave size', { ...VALID, maxWaveSize: 40 }, 'delivery.json: field "maxWaveSize": must be at most 20 (CodePipeline allows 50 actions per stage); got 40'],
    ['first wave above max', { ...VALID, firstWaveSize: 8, maxWaveSize: 4 }, 'delivery.json: field "firstWaveSize": must be at most maxWaveSize (4); got 8'],
    ['unknown field', { ...VALID, wavez: 3 }, 'delivery.json: unknown field "wavez"'],
  ])('refuses a bad %s, naming the file, field and value', (_what, body, message) => {
    expect(problems(body).join('\n')).toContain(message);
  });

  test('refuses broken JSON with the file named', () => {
    expect(problems('{ "account": ').join('\n')).toMatch(/^delivery\.json: delivery\.json is not valid JSON/);
  });
});
