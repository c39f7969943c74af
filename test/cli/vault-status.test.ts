// The `cellkit vault status` command: input checks (exit 3), wiring to the tenant registry, output, and
// registration next to other `vault` commands. AWS is mocked (aws-sdk-client-mock); see
// test/vault/status/vault-status.test.ts for every health state.
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, SSMClient, SendCommandCommand } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { Command } from 'commander';
import { VaultStatusCommandDeps, expectedVaultNodes, registerVaultStatus, runVaultStatus } from '../../lib/cli/vault-status';
import { ANSWER_MARKER } from '../../lib/vault/status/vault-status';
import { REPO_ROOT, tenant } from '../fixtures';

const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);
let out: string;
let err: string;
let regions: string[];
const deps: VaultStatusCommandDeps = {
  clients: (region) => {
    regions.push(region);
    return { ec2: ec2 as unknown as EC2Client, ssm: ssm as unknown as SSMClient, callerAccount: async () => '222222222222' };
  },
  write: (t) => void (out += t),
  writeError: (t) => void (err += t),
  now: () => new Date('2026-11-28T12:00:00Z'),
  pollIntervalMs: 1,
};

beforeEach(() => {
  ec2.reset();
  ssm.reset();
  out = '';
  err = '';
  regions = [];
});

function healthyCluster(ids: string[]) {
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: ids.map((InstanceId) => ({ InstanceId })) }] });
  ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
  ids.forEach((InstanceId, i) => {
    const answer = { vault_exit: 0, cert_enddate: 'Feb 26 12:00:00 2027 GMT', status: { initialized: true, sealed: false, is_self: i === 0, leader_address: 'https://10.0.1.10:8200', version: '2.1.1' } };
    ssm.on(GetCommandInvocationCommand, { InstanceId }).resolves({ Status: 'Success', StandardOutputContent: `${ANSWER_MARKER}${JSON.stringify(answer)}\n` });
  });
}

test('a healthy cell of the registry: exit 0, asked in the tenant\'s pinned region, report printed', async () => {
  healthyCluster(['i-1', 'i-2', 'i-3']);
  const code = await runVaultStatus(REPO_ROOT, { tenant: 'contoso', timeout: '60' }, deps);
  expect(code).toBe(0);
  expect(regions).toEqual(['eu-west-2']);
  expect(out).toContain('Vault of tenant "contoso" (eu-west-2): HEALTHY');
  expect(out).toContain('nodes following it: 3 of 3');
  expect(ssm.commandCalls(SendCommandCommand)[0].args[0].input.Parameters!.commands!.join('\n')).toContain('vault.contoso.cellkit.internal');
  expect(err).toBe('');
});

test('--json prints the report as JSON', async () => {
  healthyCluster(['i-1', 'i-2', 'i-3']);
  expect(await runVaultStatus(REPO_ROOT, { tenant: 'contoso', timeout: '60', json: true }, deps)).toBe(0);
  expect(JSON.parse(out)).toMatchObject({ tenantId: 'contoso', verdict: 'healthy', exitCode: 0, inCluster: 3, certificateNotAfter: '2027-02-26T12:00:00.000Z' });
});

test('an unknown tenant: exit 3, names the known ones, asks AWS nothing', async () => {
  const code = await runVaultStatus(REPO_ROOT, { tenant: 'nobody', timeout: '60' }, deps);
  expect(code).toBe(3);
  expect(err).toMatch(/^cellkit vault status: no tenant "nobody" in tenants\/; known tenants: .*contoso/);
  expect(regions).toEqual([]);
});

test.each(['0', '5', '901', 'soon', '1.5'])('--timeout %s: exit 3 with what is allowed', async (timeout) => {
  expect(await runVaultStatus(REPO_ROOT, { tenant: 'contoso', timeout }, deps)).toBe(3);
  expect(err).toBe(`cellkit vault status: --timeout must be whole seconds from 10 to 900; got "${timeout}"\n`);
  expect(regions).toEqual([]);
});

test('prod tenants expect 5 nodes, others 3 (as cell-stack sizes the cluster)', () => {
  expect(expectedVaultNodes(tenant({ sizing: 'prod' }))).toBe(5);
  expect(expectedVaultNodes(tenant({ sizing: 'dev' }))).toBe(3);
});

test('registers `vault status`, joining an existing `vault` command group', () => {
  const program = new Command('cellkit');
  program.command('vault').description('Vault operations').command('artifact');
  registerVaultStatus(program, deps);
  const vault = program.commands.filter((c) => c.name() === 'vault');
  expect(vault).toHaveLength(1);
  expect(vault[0].commands.map((c) => c.name())).toEqual(['artifact', 'status']);
  const alone = new Command('cellkit');
  registerVaultStatus(alone, deps);
  expect(alone.commands.find((c) => c.name() === 'vault')!.commands.map((c) => c.name())).toEqual(['status']);
});
