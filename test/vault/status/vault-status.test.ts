// `cellkit vault status` against mocked EC2 and SSM clients (aws-sdk-client-mock). The mocks answer as the
// EC2 DescribeInstances and SSM SendCommand/GetCommandInvocation API references describe; the node answers
// follow `vault status -format=json` (Vault CLI docs: exit 0 unsealed, 2 sealed, 1 error) and
// `openssl x509 -enddate` ("notAfter=Feb 26 12:00:00 2027 GMT").
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, GetCommandInvocationCommandOutput, InvocationDoesNotExist, SSMClient, SendCommandCommand } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { certificateFacts, issueCa, issueServer, vaultServerNames } from '../../../lib/vault/tls/handler/certs';
import { VAULT_PATHS } from '../../../lib/vault/vault-config';
import { ANSWER_MARKER, STATUS_EXIT, VaultStatusOptions, nodeStatusScript, parseAnswer, renderStatus, vaultStatus } from '../../../lib/vault/status/vault-status';

const NOW = new Date('2026-11-28T12:00:00Z');
const IDS = ['i-0aaa', 'i-0bbb', 'i-0ccc'];
const LEADER = 'https://10.0.1.10:8200';

interface Answer {
  vault_exit: number;
  vault_error?: string;
  cert_enddate?: string;
  status: Record<string, unknown> | null;
}
const healthy = (active: boolean, overrides: Partial<Answer> = {}): Answer => ({
  vault_exit: 0,
  cert_enddate: 'Feb 26 12:00:00 2027 GMT',
  status: { type: 'awskms', initialized: true, sealed: false, version: '2.1.1', ha_enabled: true, is_self: active, leader_address: LEADER },
  ...overrides,
});

describe('vaultStatus', () => {
  const ec2 = mockClient(EC2Client);
  const ssm = mockClient(SSMClient);
  let account: string | Error;

  function options(overrides: Partial<VaultStatusOptions> = {}): VaultStatusOptions {
    return {
      tenantId: 'contoso',
      account: '222222222222',
      region: 'eu-west-2',
      expectedNodes: 3,
      tlsServerName: 'vault.contoso.cellkit.internal',
      clients: {
        ec2: ec2 as unknown as EC2Client,
        ssm: ssm as unknown as SSMClient,
        callerAccount: async () => {
          if (account instanceof Error) throw account;
          return account;
        },
      },
      now: NOW,
      pollIntervalMs: 1,
      timeoutMs: 200,
      sleep: () => new Promise((r) => setTimeout(r, 1)),
      ...overrides,
    };
  }
  function nodes(ids: string[]) {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: ids.map((InstanceId) => ({ InstanceId })) }] });
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
  }
  function answers(byId: Record<string, Answer | { status: string; stdout?: string }>) {
    for (const [InstanceId, a] of Object.entries(byId)) {
      const done = ('vault_exit' in a ? { Status: 'Success', StandardOutputContent: `noise\n${ANSWER_MARKER}${JSON.stringify(a)}\n` } : { Status: a.status, StatusDetails: a.status, StandardOutputContent: a.stdout ?? '' }) as GetCommandInvocationCommandOutput;
      // First poll: not there yet, then in progress, then done.
      ssm
        .on(GetCommandInvocationCommand, { CommandId: 'cmd-1', InstanceId })
        .rejectsOnce(new InvocationDoesNotExist({ message: 'no such invocation', $metadata: {} }))
        .resolvesOnce({ Status: 'InProgress' })
        .resolves(done);
    }
  }

  beforeEach(() => {
    ec2.reset();
    ssm.reset();
    account = '222222222222';
  });

  test('healthy: three initialised, unsealed nodes, one active, one leader, certificate 90 days out -> exit 0', async () => {
    nodes(IDS);
    answers({ 'i-0aaa': healthy(true), 'i-0bbb': healthy(false), 'i-0ccc': healthy(false) });
    const r = await vaultStatus(options());
    expect(r).toMatchObject({ verdict: 'healthy', exitCode: 0, inCluster: 3, leader: LEADER, certificateNotAfter: '2027-02-26T12:00:00.000Z', problems: [], unknowns: [] });
    // Read-only: one SSM command of the standard shell document, on exactly these instances, looked up by the cluster tag.
    expect(ssm.commandCalls(SendCommandCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({ DocumentName: 'AWS-RunShellScript', InstanceIds: IDS, Parameters: expect.objectContaining({ commands: nodeStatusScript('vault.contoso.cellkit.internal') }) }),
    ]);
    expect(ec2.commandCalls(DescribeInstancesCommand)[0].args[0].input.Filters).toEqual([
      { Name: 'tag:cellkit:vault-cluster', Values: ['contoso'] },
      { Name: 'instance-state-name', Values: ['running'] },
    ]);
    expect(renderStatus(r).join('\n')).toContain('nodes following it: 3 of 3');
  });

  test.each([
    ['a sealed node', { 'i-0ccc': healthy(false, { vault_exit: 2, status: { initialized: true, sealed: true } }) }, 'i-0ccc: sealed'],
    ['an uninitialised cluster', Object.fromEntries(IDS.map((id) => [id, healthy(false, { vault_exit: 2, status: { initialized: false, sealed: true } })])), 'i-0aaa: not initialised'],
    ['Vault down on a node', { 'i-0bbb': { vault_exit: 1, vault_error: 'dial tcp 127.0.0.1:8200: connect: connection refused', cert_enddate: 'Feb 26 12:00:00 2027 GMT', status: null } }, 'i-0bbb: Vault does not answer on this node (vault status exit 1: dial tcp 127.0.0.1:8200: connect: connection refused)'],
    ['two active nodes', { 'i-0bbb': healthy(true) }, '2 active nodes; a healthy cluster has exactly one'],
    ['a node following another leader', { 'i-0ccc': healthy(false, { status: { initialized: true, sealed: false, is_self: false, leader_address: 'https://10.0.2.20:8200' } }) }, 'nodes disagree on the leader'],
    ['a certificate expiring in 20 days', { 'i-0bbb': healthy(false, { cert_enddate: 'Dec 18 12:00:00 2026 GMT' }) }, 'the served TLS certificate expires 2026-12-18T12:00:00.000Z (20 days)'],
  ] as const)('unhealthy: %s -> exit 1', async (_, override, problem) => {
    nodes(IDS);
    answers({ 'i-0aaa': healthy(true), 'i-0bbb': healthy(false), 'i-0ccc': healthy(false), ...override });
    const r = await vaultStatus(options());
    expect(r.verdict).toBe('unhealthy');
    expect(r.exitCode).toBe(STATUS_EXIT.unhealthy);
    expect(r.problems.join('\n')).toContain(problem);
  });

  test('unhealthy: two of three nodes running -> exit 1', async () => {
    nodes(IDS.slice(0, 2));
    answers({ 'i-0aaa': healthy(true), 'i-0bbb': healthy(false) });
    const r = await vaultStatus(options());
    expect(r).toMatchObject({ verdict: 'unhealthy', exitCode: 1, inCluster: 2, problems: ['2 running nodes, the cluster should have 3'] });
  });

  test('unhealthy: no running node -> exit 1, and no command sent', async () => {
    nodes([]);
    const r = await vaultStatus(options());
    expect(r).toMatchObject({ verdict: 'unhealthy', exitCode: 1, problems: ['no running instance tagged cellkit:vault-cluster=contoso in eu-west-2'] });
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
  });

  test.each([
    ['credentials of another account', () => (account = '999999999999'), 'the credentials are for account 999999999999, but tenant "contoso" lives in account 222222222222'],
    ['STS fails', () => (account = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })), "could not identify the credentials' account (STS): CredentialsProviderError: Could not load credentials"],
    ['EC2 access denied', (e: ReturnType<typeof mockClient>) => e.on(DescribeInstancesCommand).rejects(Object.assign(new Error('not authorized to perform ec2:DescribeInstances'), { name: 'UnauthorizedOperation' })), 'could not list the Vault nodes (EC2 DescribeInstances): UnauthorizedOperation'],
  ] as const)('could not tell: %s -> exit 2', async (_, setup, unknown) => {
    nodes(IDS);
    setup(ec2 as never);
    const r = await vaultStatus(options());
    expect(r).toMatchObject({ verdict: 'unknown', exitCode: STATUS_EXIT.unknown });
    expect(r.unknowns[0]).toContain(unknown);
  });

  test('could not tell: SendCommand throttled -> exit 2', async () => {
    nodes(IDS);
    ssm.on(SendCommandCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const r = await vaultStatus(options());
    expect(r).toMatchObject({ verdict: 'unknown', exitCode: 2, unknowns: ['could not send the status command (SSM SendCommand): ThrottlingException: Rate exceeded'] });
  });

  test('could not tell: a node whose SSM agent never answers -> exit 2 after the timeout', async () => {
    nodes(IDS);
    answers({ 'i-0aaa': healthy(true), 'i-0bbb': healthy(false) });
    ssm.on(GetCommandInvocationCommand, { CommandId: 'cmd-1', InstanceId: 'i-0ccc' }).resolves({ Status: 'Pending' });
    const r = await vaultStatus(options({ timeoutMs: 30 }));
    expect(r).toMatchObject({ verdict: 'unknown', exitCode: 2 });
    expect(r.unknowns).toEqual(['i-0ccc: did not answer before the timeout (SSM agent offline?)']);
  });

  test.each([
    ['the command failed on a node', { status: 'Failed' }, 'i-0ccc: the status command ended Failed, without an answer'],
    ['a node answered something else', { status: 'Success', stdout: 'python3: command not found' }, 'i-0ccc: the status command ended Success, without an answer'],
    ['the node is not managed by SSM', { status: 'Undeliverable' }, 'ended Undeliverable'],
  ] as const)('could not tell: %s -> exit 2', async (_, ccc, unknown) => {
    nodes(IDS);
    answers({ 'i-0aaa': healthy(true), 'i-0bbb': healthy(false), 'i-0ccc': ccc });
    const r = await vaultStatus(options());
    expect(r).toMatchObject({ verdict: 'unknown', exitCode: 2 });
    expect(r.unknowns.join('\n')).toContain(unknown);
  });

  test('could not tell: a certificate expiry that cannot be read -> exit 2', async () => {
    nodes(IDS);
    answers({ 'i-0aaa': healthy(true), 'i-0bbb': healthy(false, { cert_enddate: '' }), 'i-0ccc': healthy(false) });
    const r = await vaultStatus(options());
    expect(r).toMatchObject({ verdict: 'unknown', exitCode: 2, unknowns: ['the certificate expiry could not be read on every node'] });
  });

  test('a definite problem outranks what could not be told (exit 1, both listed)', async () => {
    nodes(IDS);
    answers({ 'i-0aaa': healthy(true), 'i-0bbb': healthy(false, { vault_exit: 2, status: { initialized: true, sealed: true } }), 'i-0ccc': { status: 'TimedOut' } });
    const r = await vaultStatus(options());
    expect(r).toMatchObject({ verdict: 'unhealthy', exitCode: 1 });
    expect(r.problems).toContain('i-0bbb: sealed');
    expect(r.unknowns[0]).toContain('i-0ccc');
  });

  test('parseAnswer refuses an answer that is not JSON', () => {
    expect(parseAnswer('i-1', '{oops')).toEqual({ instanceId: 'i-1', answered: false, problem: 'its answer is not JSON' });
  });
});

describe('the node script', () => {
  test('is read-only: only `vault status` and `openssl x509`, no token, no write', () => {
    const script = nodeStatusScript('vault.contoso.cellkit.internal').join('\n');
    expect(script).toContain('"status", "-format=json"');
    expect(script).toContain('"openssl", "x509", "-noout", "-enddate"');
    expect(script).not.toMatch(/VAULT_TOKEN|login|write|put-secret|> /);
  });

  test('runs under python3: with Vault absent and a real certificate, one marked JSON line that parseAnswer reads', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-status-'));
    try {
      const now = new Date();
      const server = await issueServer(await issueCa('contoso', now), vaultServerNames('vault.contoso.cellkit.internal', 'nlb.example'), now);
      const cert = path.join(dir, 'vault.crt');
      fs.writeFileSync(cert, server.certificate);
      const lines = nodeStatusScript('vault.contoso.cellkit.internal');
      // The heredoc body is the Python program the node runs; here the vault binary is missing, as on a broken node.
      const py = lines.slice(1, -1).join('\n').replace(`"${VAULT_PATHS.bin}"`, `"${path.join(dir, 'no-vault')}"`).replace(`"${VAULT_PATHS.cert}"`, JSON.stringify(cert));
      const out = execFileSync('python3', ['-c', py], { encoding: 'utf8' });
      expect(out.startsWith(ANSWER_MARKER)).toBe(true);
      const node = parseAnswer('i-1', out.trim().slice(ANSWER_MARKER.length));
      expect(node).toMatchObject({ instanceId: 'i-1', answered: true, problem: expect.stringMatching(/^Vault does not answer on this node \(vault status exit 127: .*No such file/) });
      const facts = await certificateFacts(server.certificate);
      expect(node.certificateNotAfter).toBe(facts.notAfter.toISOString());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
