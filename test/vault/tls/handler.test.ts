// The TLS issuer Lambda against a mocked Secrets Manager (aws-sdk-client-mock). The mock answers as the
// Secrets Manager API reference describes: GetSecretValue on a secret without a value (or without the
// asked version) throws ResourceNotFoundException; PutSecretValue without VersionStages makes AWSCURRENT.
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';
import { CaBundle, TlsBundle, certificateFacts, issueCa, issueServer, vaultServerNames } from '../../../lib/vault/tls/handler/certs';
import type { RotationEvent } from '../../../lib/lambda/rotation-event';
import { TLS_ENV, TlsIssuerProperties, makeHandler } from '../../../lib/vault/tls/handler';

const TLS_ARN = 'arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:/cellkit/acme/vault/tls-AbCdEf';
const CA_ARN = 'arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:/cellkit/acme/vault/tls-ca-GhIjKl';
const NLB = 'internal-vault-123.elb.ap-southeast-2.amazonaws.com';
const PROPS: TlsIssuerProperties = { TenantId: 'acme', TlsSecretArn: TLS_ARN, CaSecretArn: CA_ARN, ServerName: 'vault.acme.cellkit.internal', LoadBalancerDnsName: NLB };
const ENV = {
  [TLS_ENV.tenantId]: 'acme',
  [TLS_ENV.tlsSecretArn]: TLS_ARN,
  [TLS_ENV.caSecretArn]: CA_ARN,
  [TLS_ENV.serverName]: 'vault.acme.cellkit.internal',
  [TLS_ENV.loadBalancerDnsName]: NLB,
};
const NAMES = vaultServerNames(PROPS.ServerName, NLB);
const NOW = new Date('2026-11-28T12:00:00Z');
const DAY = 86_400_000;

function cfnEvent(requestType: 'Create' | 'Update' | 'Delete', props: Partial<TlsIssuerProperties> = {}): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: 'arn:aws:lambda:ap-southeast-2:123456789012:function:tls',
    ResponseURL: 'https://cloudformation-custom-resource-response.example/presigned',
    StackId: 'arn:aws:cloudformation:ap-southeast-2:123456789012:stack/Cell-acme/guid',
    RequestId: 'req-1',
    LogicalResourceId: 'VaultTlsIssuerCertificate',
    ResourceType: 'Custom::CellkitVaultTls',
    ResourceProperties: { ServiceToken: 'x', ...PROPS, ...props } as unknown as CloudFormationCustomResourceEvent['ResourceProperties'],
  };
  if (requestType === 'Create') return { ...base, RequestType: 'Create' };
  if (requestType === 'Update') return { ...base, RequestType: 'Update', PhysicalResourceId: 'cellkit-vault-tls-acme', OldResourceProperties: { ServiceToken: 'x' } };
  return { ...base, RequestType: 'Delete', PhysicalResourceId: 'cellkit-vault-tls-acme' };
}

const notFound = () => new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT", $metadata: {} });

describe('Vault TLS issuer handler', () => {
  const sm = mockClient(SecretsManagerClient);
  let sent: CloudFormationCustomResourceResponse[];
  let logs: string[];
  let now: Date;
  const invoke = (e: CloudFormationCustomResourceEvent | RotationEvent) =>
    makeHandler({ secrets: sm as unknown as SecretsManagerClient, respond: async (_, body) => void sent.push(body), env: ENV, now: () => now })(e);

  /** Stored values per secret, answered by GetSecretValue; PutSecretValue (AWSCURRENT) updates them. */
  function secrets(values: { tls?: object; ca?: object }) {
    const stored: Record<string, string | undefined> = {
      [TLS_ARN]: values.tls && JSON.stringify(values.tls), [CA_ARN]: values.ca && JSON.stringify(values.ca),
    };
    sm.on(GetSecretValueCommand).callsFake((input: { SecretId: string; VersionStage?: string }) => {
      const value = input.VersionStage === 'AWSPENDING' ? undefined : stored[input.SecretId];
      if (value === undefined) throw notFound();
      return { SecretString: value };
    });
    sm.on(PutSecretValueCommand).callsFake((input: { SecretId: string; SecretString: string; VersionStages?: string[] }) => {
      if (!input.VersionStages) stored[input.SecretId] = input.SecretString;
      return {};
    });
    return stored;
  }
  const puts = () => sm.commandCalls(PutSecretValueCommand).map((c) => c.args[0].input);

  beforeEach(() => {
    sm.reset();
    sent = [];
    logs = [];
    now = NOW;
    jest.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));
  });
  afterEach(() => jest.restoreAllMocks());

  test('create with both secrets empty: makes the CA, then the server certificate; answers SUCCESS', async () => {
    const stored = secrets({});
    await invoke(cfnEvent('Create'));
    expect(sent).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'cellkit-vault-tls-acme', RequestId: 'req-1' })]);
    expect(sent[0].Reason).toMatch(/created the cell CA and issued the server certificate for vault\.acme\.cellkit\.internal, internal-vault-123/);
    expect(puts().map((p) => p.SecretId)).toEqual([CA_ARN, TLS_ARN]);
    const ca = JSON.parse(stored[CA_ARN]!) as CaBundle;
    const tls = JSON.parse(stored[TLS_ARN]!) as TlsBundle;
    expect(tls.ca).toBe(ca.certificate);
    expect((await certificateFacts(tls.certificate, ca.certificate)).issuedByCa).toBe(true);
    // No private key, certificate or secret value in the log or the response.
    for (const text of [...logs, JSON.stringify(sent)]) expect(text).not.toMatch(/BEGIN|PRIVATE KEY/);
  });

  test('create with a CA but an empty TLS secret (retry after a failed write): signs with the existing CA', async () => {
    const ca = await issueCa('acme', NOW);
    const stored = secrets({ ca });
    await invoke(cfnEvent('Create'));
    expect(sent[0].Status).toBe('SUCCESS');
    expect(puts().map((p) => p.SecretId)).toEqual([TLS_ARN]);
    expect((await certificateFacts(JSON.parse(stored[TLS_ARN]!).certificate, ca.certificate)).issuedByCa).toBe(true);
  });

  test.each(['Create', 'Update'] as const)('%s with a valid certificate from the cell CA: writes nothing (no rotation by surprise)', async (type) => {
    const ca = await issueCa('acme', NOW);
    secrets({ ca, tls: await issueServer(ca, NAMES, NOW) });
    now = new Date(NOW.getTime() + 30 * DAY);
    await invoke(cfnEvent(type));
    expect(sent[0]).toMatchObject({ Status: 'SUCCESS' });
    expect(sent[0].Reason).toMatch(/kept the valid certificate, valid until 2027-02-26/);
    expect(puts()).toEqual([]);
  });

  test('update after the NLB changed: re-issues under the same CA with the new name', async () => {
    const ca = await issueCa('acme', NOW);
    const stored = secrets({ ca, tls: await issueServer(ca, NAMES, NOW) });
    await invoke(cfnEvent('Update', { LoadBalancerDnsName: 'internal-vault-456.elb.ap-southeast-2.amazonaws.com' }));
    expect(sent[0].Status).toBe('SUCCESS');
    expect(sent[0].Reason).toContain('re-issued the certificate under the same CA (the certificate lacks the names internal-vault-456.elb.ap-southeast-2.amazonaws.com)');
    expect(puts().map((p) => p.SecretId)).toEqual([TLS_ARN]);
    const facts = await certificateFacts(JSON.parse(stored[TLS_ARN]!).certificate, ca.certificate);
    expect(facts).toMatchObject({ issuedByCa: true, dnsNames: expect.arrayContaining(['internal-vault-456.elb.ap-southeast-2.amazonaws.com']) });
  });

  test('update with a certificate near expiry (a missed rotation): re-issues it', async () => {
    const ca = await issueCa('acme', NOW);
    secrets({ ca, tls: await issueServer(ca, NAMES, NOW) });
    now = new Date(NOW.getTime() + 70 * DAY);
    await invoke(cfnEvent('Update'));
    expect(sent[0].Reason).toMatch(/re-issued .* in under 30 days/);
    expect(puts()).toHaveLength(1);
  });

  test('an operator-supplied certificate (company CA) is kept, never overwritten', async () => {
    const company = await issueCa('company', NOW);
    secrets({ tls: await issueServer(company, NAMES, NOW) });
    await invoke(cfnEvent('Create'));
    expect(sent[0]).toMatchObject({ Status: 'SUCCESS' });
    expect(sent[0].Reason).toMatch(/kept the operator-supplied certificate/);
    expect(puts()).toEqual([]);
  });

  test('a TLS secret with a value that is not a certificate: FAILED with the reason, nothing written', async () => {
    secrets({ tls: { hello: 'world' } });
    await invoke(cfnEvent('Create'));
    expect(sent[0]).toMatchObject({ Status: 'FAILED', Reason: 'vault tls: the TLS secret has a value without a PEM "certificate" field; fix or empty it (docs/vault-tls.md)' });
    expect(puts()).toEqual([]);
  });

  test('a secret that is not JSON: FAILED without quoting the value', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'not-json-s3cr3t' });
    await invoke(cfnEvent('Create'));
    expect(sent[0].Status).toBe('FAILED');
    expect(sent[0].Reason).toBe(`vault tls: secret ${TLS_ARN} does not hold JSON`);
    expect(JSON.stringify([sent, logs])).not.toContain('s3cr3t');
  });

  test('AccessDenied from Secrets Manager: FAILED with the error', async () => {
    sm.on(GetSecretValueCommand).rejects(Object.assign(new Error('User is not authorized to perform secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' }));
    await invoke(cfnEvent('Create'));
    expect(sent[0]).toMatchObject({ Status: 'FAILED', Reason: 'vault tls: AccessDeniedException: User is not authorized to perform secretsmanager:GetSecretValue' });
  });

  test('a failed write is reported as FAILED', async () => {
    secrets({});
    sm.on(PutSecretValueCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await invoke(cfnEvent('Create'));
    expect(sent[0]).toMatchObject({ Status: 'FAILED', Reason: 'vault tls: ThrottlingException: Rate exceeded' });
  });

  test('missing properties: FAILED, naming them', async () => {
    secrets({});
    await invoke(cfnEvent('Create', { LoadBalancerDnsName: '' }));
    expect(sent[0]).toMatchObject({ Status: 'FAILED', Reason: 'vault tls: invalid properties (missing LoadBalancerDnsName)' });
  });

  test('delete: SUCCESS, keeps the physical id, touches no secret', async () => {
    await invoke(cfnEvent('Delete'));
    expect(sent[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'cellkit-vault-tls-acme' });
    expect(sm.calls()).toHaveLength(0);
  });

  describe('Secrets Manager rotation steps', () => {
    const TOKEN = 'b1c2d3e4-0000-4000-8000-000000000001';
    const OLD = 'a1b2c3d4-0000-4000-8000-000000000000';
    const step = (Step: RotationEvent['Step'], SecretId = TLS_ARN): RotationEvent => ({ Step, SecretId, ClientRequestToken: TOKEN });
    let ca: CaBundle;
    let current: TlsBundle;
    let pending: string | undefined;

    beforeEach(async () => {
      ca = await issueCa('acme', NOW);
      current = await issueServer(ca, NAMES, NOW);
      pending = undefined;
      sm.on(DescribeSecretCommand).resolves({ RotationEnabled: true, VersionIdsToStages: { [OLD]: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] } });
      sm.on(GetSecretValueCommand).callsFake((input: { SecretId: string; VersionStage?: string }) => {
        if (input.SecretId === CA_ARN) return { SecretString: JSON.stringify(ca) };
        if (input.VersionStage === 'AWSPENDING') {
          if (pending === undefined) throw notFound();
          return { SecretString: pending };
        }
        return { SecretString: JSON.stringify(current) };
      });
      sm.on(PutSecretValueCommand).callsFake((input: { SecretString: string }) => {
        pending = input.SecretString;
        return {};
      });
    });

    test('createSecret puts a new certificate as AWSPENDING with the rotation token; a second call does not', async () => {
      now = new Date(NOW.getTime() + 30 * DAY);
      await invoke(step('createSecret'));
      expect(puts()).toEqual([expect.objectContaining({ SecretId: TLS_ARN, ClientRequestToken: TOKEN, VersionStages: ['AWSPENDING'] })]);
      const next = JSON.parse(pending!) as TlsBundle;
      expect(next.certificate).not.toBe(current.certificate);
      expect(next.private_key).not.toBe(current.private_key);
      const facts = await certificateFacts(next.certificate, ca.certificate);
      expect(facts.issuedByCa).toBe(true);
      expect(facts.notAfter.getTime()).toBe(now.getTime() + 90 * DAY);
      await invoke(step('createSecret'));
      expect(puts()).toHaveLength(1);
      expect(logs.join('\n')).not.toMatch(/BEGIN/);
    });

    test('createSecret refuses to replace an operator-supplied certificate', async () => {
      current = await issueServer(await issueCa('company', NOW), NAMES, NOW);
      await expect(invoke(step('createSecret'))).rejects.toThrow('not issued by the cell CA (operator-supplied)');
      expect(puts()).toEqual([]);
    });

    test('createSecret fails clearly when the CA secret is empty', async () => {
      sm.on(GetSecretValueCommand, { SecretId: CA_ARN }).rejects(notFound());
      await expect(invoke(step('createSecret'))).rejects.toThrow('the CA secret is empty');
    });

    test('setSecret has nothing to push', async () => {
      await invoke(step('setSecret'));
      expect(puts()).toEqual([]);
      expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
    });

    test('testSecret accepts a good pending certificate and refuses a bad one', async () => {
      pending = JSON.stringify(await issueServer(ca, NAMES, NOW));
      await expect(invoke(step('testSecret'))).resolves.toBeUndefined();
      pending = JSON.stringify(await issueServer(await issueCa('acme', NOW), NAMES, NOW));
      await expect(invoke(step('testSecret'))).rejects.toThrow('the pending certificate is unfit: the certificate is not signed by the cell CA');
    });

    test('finishSecret moves AWSCURRENT to the new version', async () => {
      sm.on(UpdateSecretVersionStageCommand).resolves({});
      await invoke(step('finishSecret'));
      expect(sm.commandCalls(UpdateSecretVersionStageCommand).map((c) => c.args[0].input)).toEqual([
        { SecretId: TLS_ARN, VersionStage: 'AWSCURRENT', MoveToVersionId: TOKEN, RemoveFromVersionId: OLD },
      ]);
    });

    test('a version already AWSCURRENT is left alone', async () => {
      sm.on(DescribeSecretCommand).resolves({ RotationEnabled: true, VersionIdsToStages: { [TOKEN]: ['AWSCURRENT'] } });
      await invoke(step('finishSecret'));
      expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
    });

    test('refuses another secret, disabled rotation, and a token that is not AWSPENDING', async () => {
      await expect(invoke(step('createSecret', 'arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:other'))).rejects.toThrow('refusing secret');
      sm.on(DescribeSecretCommand).resolves({ RotationEnabled: false, VersionIdsToStages: {} });
      await expect(invoke(step('createSecret'))).rejects.toThrow('rotation is not enabled');
      sm.on(DescribeSecretCommand).resolves({ RotationEnabled: true, VersionIdsToStages: { [OLD]: ['AWSCURRENT'] } });
      await expect(invoke(step('createSecret'))).rejects.toThrow(`version ${TOKEN} has no stage`);
      sm.on(DescribeSecretCommand).resolves({ RotationEnabled: true, VersionIdsToStages: { [TOKEN]: ['AWSPREVIOUS'] } });
      await expect(invoke(step('createSecret'))).rejects.toThrow('is not AWSPENDING');
      expect(puts()).toEqual([]);
    });
  });
});
