// The whole roll through the real AWS adapters: mocked SDK v3 clients whose answers come from the
// simulated cluster, in the shapes the APIs use (SSM command output as the Vault CLI prints it,
// Auto Scaling instances with launch template versions, S3 HeadObject checksums). Proves the
// adapters ask for what the roll needs and read the answers right.
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, DetachInstancesCommand } from '@aws-sdk/client-auto-scaling';
import { EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteParameterCommand, GetCommandInvocationCommand, PutParameterCommand, SSMClient, SendCommandCommand } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { AsgFleet, S3SnapshotStore, SsmClusterApi, SsmNodeRunner, SsmParameterLock, rollLockName } from '../../../lib/vault/roll/aws';
import { rollCluster } from '../../../lib/vault/roll/roll';
import { SimCluster } from './sim-cluster';

const ssm = mockClient(SSMClient);
const asg = mockClient(AutoScalingClient);
const ec2 = mockClient(EC2Client);
const s3 = mockClient(S3Client);
afterAll(() => [ssm, asg, ec2, s3].forEach((m) => m.restore()));

// Instance ids as EC2 spells them (the node commands refuse anything else): i-old1 <-> i-a00000001.
const toAws = (id: string) => id.replace(/^i-old(\d+)$/, (_, n) => `i-a${n.padStart(8, '0')}`).replace(/^i-new(\d+)$/, (_, n) => `i-b${n.padStart(8, '0')}`);
const fromAws = (id: string) => id.replace(/^i-a0*(\d)$/, 'i-old$1').replace(/^i-a0*(\d+)$/, 'i-old$1').replace(/^i-b0*(\d+)$/, 'i-new$1');
const mapState = <T>(x: T): T => JSON.parse(JSON.stringify(x).replace(/i-(old|new)\d+/g, (m) => toAws(m)));

/** Answers SSM Run Command by running the script's intent against the simulated cluster. */
function wire(sim: SimCluster) {
  [ssm, asg, ec2, s3].forEach((m) => m.reset());
  const results = new Map<string, { Status: string; StandardOutputContent?: string; StandardErrorContent?: string }>();
  const lock = new Map<string, string>();
  let n = 0;
  ssm.on(SendCommandCommand).callsFake(async (input) => {
    const id = fromAws(input.InstanceIds[0] as string);
    const script = input.Parameters.commands[0] as string;
    const commandId = `cmd-${++n}`;
    try {
      let out: unknown;
      if (script.includes('sys/storage/raft/autopilot/state')) {
        const st = await sim.autopilotState(id);
        out = mapState({ data: { healthy: st.healthy, failure_tolerance: st.failureTolerance, leader: st.leader, voters: st.voters, servers: st.servers } });
      } else if (script.includes('sys/storage/raft/remove-peer')) {
        const peer = /server_id='([^']+)'/.exec(script)![1];
        await sim.removePeer(id, fromAws(peer));
        out = { removed: peer };
      } else if (script.includes('raft snapshot save')) out = await sim.snapshot(id);
      else if (script.includes('systemctl stop vault.service')) out = (await sim.stopVault(id), { stopped: true });
      else if (script.includes('systemctl start vault.service')) out = (await sim.startVault(id), { started: true });
      else if (script.includes('vault status -format=json')) {
        const st = await sim.status(id);
        out = { initialized: st.initialized, sealed: st.sealed, version: st.version, ha_enabled: true, is_self: st.active };
      } else throw new Error(`unexpected script on ${id}`);
      results.set(commandId, { Status: 'Success', StandardOutputContent: `${JSON.stringify(out)}\n` });
    } catch (e) {
      results.set(commandId, { Status: 'Failed', StandardErrorContent: (e as Error).message });
    }
    return { Command: { CommandId: commandId } };
  });
  ssm.on(GetCommandInvocationCommand).callsFake(async (input) => results.get(input.CommandId));
  ssm.on(PutParameterCommand).callsFake(async (input) => {
    if (lock.has(input.Name)) throw Object.assign(new Error('exists'), { name: 'ParameterAlreadyExists' });
    lock.set(input.Name, input.Value);
    return { Version: 1 };
  });
  ssm.on(DeleteParameterCommand).callsFake(async (input) => (lock.delete(input.Name), {}));
  asg.on(DescribeAutoScalingGroupsCommand).callsFake(async () => {
    const v = await sim.describe();
    return {
      AutoScalingGroups: [
        {
          AutoScalingGroupName: v.groupName,
          DesiredCapacity: v.desired,
          LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '2' },
          Instances: v.instances.map((i) => ({ InstanceId: toAws(i.instanceId), LifecycleState: i.lifecycleState, LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: i.current ? '2' : '1' } })),
        },
      ],
    };
  });
  asg.on(DetachInstancesCommand).callsFake(async (input) => (await sim.detach(fromAws(input.InstanceIds[0])), {}));
  ec2.on(TerminateInstancesCommand).callsFake(async (input) => (await sim.terminate(fromAws(input.InstanceIds[0])), {}));
  s3.on(HeadObjectCommand).callsFake(async (input) => {
    const ref = { bucket: input.Bucket, key: input.Key, versionId: input.VersionId, sha256: 'ab'.repeat(32), size: 4096 };
    if (await sim.verify(ref)) throw Object.assign(new Error('Not Found'), { name: 'NotFound' });
    return { ContentLength: 4096, ChecksumSHA256: Buffer.from(ref.sha256, 'hex').toString('base64'), VersionId: input.VersionId };
  });
  return lock;
}

async function rollThroughAws(sim: SimCluster) {
  const lock = wire(sim);
  const client = new SSMClient({ region: 'eu-west-2' });
  const lines: string[] = [];
  const result = await rollCluster({
    fleet: new AsgFleet(new AutoScalingClient({ region: 'eu-west-2' }), new EC2Client({ region: 'eu-west-2' }), 'sim-vault'),
    cluster: new SsmClusterApi(new SsmNodeRunner(client, { sleep: async () => undefined, pollMs: 0 }), { region: 'eu-west-2', tlsServerName: 'vault.acme.cellkit.internal' }),
    snapshots: new S3SnapshotStore(new S3Client({ region: 'eu-west-2' })),
    lock: new SsmParameterLock(client, rollLockName('acme')),
    sleep: sim.sleep,
    now: sim.now,
    log: (l) => lines.push(l),
    holder: 'test',
  });
  return { result, lines, lock };
}

test('a 3-node roll through SSM, Auto Scaling, EC2 and S3 replaces every node and releases the lock', async () => {
  const sim = new SimCluster({});
  const { result, lines, lock } = await rollThroughAws(sim);
  expect([result.status, result.reason]).toEqual(['rolled', undefined]);
  expect(sim.violations).toEqual([]);
  expect(result.replaced.map((r) => r.old)).toEqual(['i-a00000001', 'i-a00000002', 'i-a00000000']);
  expect(result.replaced.map((r) => r.new)).toEqual(['i-b00000000', 'i-b00000001', 'i-b00000002']);
  expect(lines.join('\n')).toMatch(/i-a00000000: stopped; i-b0000000[012] took over as active node/);
  expect(asg.commandCalls(DetachInstancesCommand).map((c) => c.args[0].input.ShouldDecrementDesiredCapacity)).toEqual([false, false, false]);
  expect(ec2.commandCalls(TerminateInstancesCommand)).toHaveLength(3);
  expect(lock.size).toBe(0);
});

test('a node whose Vault stops answering mid-roll stops it through the same adapters', async () => {
  const sim = new SimCluster({ nodes: 5 });
  sim.at(45_000, () => sim.kill('i-old3'));
  const { result } = await rollThroughAws(sim);
  expect(result.status).toBe('stopped');
  expect(result.reason).toMatch(/node i-a00000003 is unhealthy/);
  expect(ec2.commandCalls(TerminateInstancesCommand)).toHaveLength(0);
  expect(ssm.commandCalls(SendCommandCommand).some((c) => String(c.args[0].input.Parameters!.commands![0]).includes('remove-peer'))).toBe(false);
});
