// The roll's AWS adapters against mocked SDK v3 clients (aws-sdk-client-mock). Request and response
// shapes follow the API references: SSM SendCommand/GetCommandInvocation/PutParameter, Auto Scaling
// DescribeAutoScalingGroups/DetachInstances, EC2 TerminateInstances/DescribeLaunchTemplates,
// S3 HeadObject (ChecksumSHA256 is the base64 SHA-256 digest), and Vault's
// GET sys/storage/raft/autopilot/state response as `vault read -format=json` prints it.
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, DetachInstancesCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeLaunchTemplatesCommand, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { HeadObjectCommand, NotFound, S3Client } from '@aws-sdk/client-s3';
import { DeleteParameterCommand, GetCommandInvocationCommand, GetParameterCommand, InvocationDoesNotExist, ParameterAlreadyExists, PutParameterCommand, SSMClient, SendCommandCommand } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { AsgFleet, S3SnapshotStore, SsmClusterApi, SsmNodeRunner, SsmParameterLock, rollLockName } from '../../../lib/vault/roll/aws';
import { rollCluster } from '../../../lib/vault/roll/roll';

const ssm = mockClient(SSMClient);
const asg = mockClient(AutoScalingClient);
const ec2 = mockClient(EC2Client);
const s3 = mockClient(S3Client);
beforeEach(() => [ssm, asg, ec2, s3].forEach((m) => m.reset()));
afterAll(() => [ssm, asg, ec2, s3].forEach((m) => m.restore()));

const noWait = { sleep: async () => undefined, pollMs: 0 };
const ctx = { region: 'eu-west-2', tlsServerName: 'vault.acme.cellkit.internal' };
const runner = () => new SsmNodeRunner(new SSMClient({ region: 'eu-west-2' }), noWait);
const ssmErr = (E: any, message: string) => new E({ message, $metadata: {} });

const group = (instances: Array<[string, string, string]>, version = '7') => ({
  AutoScalingGroups: [
    {
      AutoScalingGroupName: 'Cell-acme-VaultServers-ABC',
      DefaultCooldown: 300,
      AvailabilityZones: ['eu-west-2a', 'eu-west-2b', 'eu-west-2c'],
      HealthCheckType: 'EC2',
      CreatedTime: new Date('2026-11-01T00:00:00Z'),
      DesiredCapacity: 3,
      MinSize: 3,
      MaxSize: 3,
      LaunchTemplate: { LaunchTemplateId: 'lt-0123', Version: version },
      Instances: instances.map(([id, state, v]) => ({ InstanceId: id, LifecycleState: state as never, LaunchTemplate: { LaunchTemplateId: 'lt-0123', Version: v }, AvailabilityZone: 'eu-west-2a', HealthStatus: 'Healthy', ProtectedFromScaleIn: false })),
    },
  ],
});

describe('SSM node runner', () => {
  test('sends the script with AWS-RunShellScript, waits through InvocationDoesNotExist and InProgress, returns stdout', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
    ssm
      .on(GetCommandInvocationCommand)
      .rejectsOnce(ssmErr(InvocationDoesNotExist, 'not yet'))
      .resolvesOnce({ Status: 'InProgress' })
      .resolves({ Status: 'Success', StandardOutputContent: '{"ok":true}\n' });
    expect(await runner().run('i-0abc12345', 'echo hi', 'test')).toBe('{"ok":true}\n');
    const sent = ssm.commandCalls(SendCommandCommand)[0].args[0].input;
    expect(sent).toEqual(expect.objectContaining({ DocumentName: 'AWS-RunShellScript', InstanceIds: ['i-0abc12345'], Parameters: { commands: ['echo hi'], executionTimeout: ['600'] } }));
    expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(3);
  });

  test('a failed command is an error naming the node, the status and the last lines of stderr', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-2' } });
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Failed', StandardErrorContent: 'line1\nError reading sys/storage/raft/autopilot/state: permission denied\n' });
    await expect(runner().run('i-0abc12345', 'x', 'autopilot state')).rejects.toThrow('autopilot state on i-0abc12345: Failed: line1 / Error reading sys/storage/raft/autopilot/state: permission denied');
  });
});

describe('Vault through SSM', () => {
  const api = () => new SsmClusterApi(runner(), ctx);
  const answer = (stdout: string) => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'c' } });
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Success', StandardOutputContent: stdout });
  };

  test('parses autopilot state as `vault read -format=json` prints it', async () => {
    answer(
      JSON.stringify({
        request_id: 'r',
        data: {
          healthy: false,
          failure_tolerance: 0,
          leader: 'i-0aaa11111',
          voters: ['i-0aaa11111', 'i-0bbb22222', 'i-0ccc33333'],
          servers: {
            'i-0aaa11111': { id: 'i-0aaa11111', name: 'i-0aaa11111', address: '10.0.1.10:8201', node_status: 'alive', healthy: true, status: 'leader', last_contact: '0s' },
            'i-0bbb22222': { id: 'i-0bbb22222', healthy: true, status: 'voter' },
            'i-0ccc33333': { id: 'i-0ccc33333', healthy: false, status: 'voter' },
          },
        },
      }),
    );
    expect(await api().autopilotState('i-0aaa11111')).toEqual({
      healthy: false,
      failureTolerance: 0,
      leader: 'i-0aaa11111',
      voters: ['i-0aaa11111', 'i-0bbb22222', 'i-0ccc33333'],
      servers: {
        'i-0aaa11111': { id: 'i-0aaa11111', healthy: true, status: 'leader' },
        'i-0bbb22222': { id: 'i-0bbb22222', healthy: true, status: 'voter' },
        'i-0ccc33333': { id: 'i-0ccc33333', healthy: false, status: 'voter' },
      },
    });
    // The script logs in on the node; no token travels in the command's parameters.
    const script = ssm.commandCalls(SendCommandCommand)[0].args[0].input.Parameters!.commands![0];
    expect(script).toContain('vault login -method=aws -token-only role=cellkit-roll');
    expect(script).not.toMatch(/VAULT_TOKEN=['"]?(hvs\.|s\.)/);
  });

  test('status: is_self marks the active node; a sealed node reads as sealed', async () => {
    answer('{"initialized":true,"sealed":false,"version":"2.1.1","ha_enabled":true,"is_self":true}\n');
    expect(await api().status('i-0aaa11111')).toEqual({ initialized: true, sealed: false, version: '2.1.1', active: true });
    ssm.reset();
    answer('{"initialized":true,"sealed":true,"version":"2.1.1"}');
    expect(await api().status('i-0aaa11111')).toEqual(expect.objectContaining({ sealed: true, active: false }));
  });

  test('output that is not JSON is an error, not a guess', async () => {
    answer('Error checking seal status: connection refused\n');
    await expect(api().status('i-0aaa11111')).rejects.toThrow('vault status on i-0aaa11111: the node printed no JSON (Error checking seal status: connection refused)');
  });
});

describe('Auto Scaling group', () => {
  test('found by its cellkit:vault-cluster tag; none or two are refused', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves(group([]));
    const f = await AsgFleet.find(new AutoScalingClient({}), new EC2Client({}), 'acme');
    expect(f.groupName).toBe('Cell-acme-VaultServers-ABC');
    expect(asg.commandCalls(DescribeAutoScalingGroupsCommand)[0].args[0].input.Filters).toEqual([{ Name: 'tag:cellkit:vault-cluster', Values: ['acme'] }]);
    asg.reset();
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    await expect(AsgFleet.find(new AutoScalingClient({}), new EC2Client({}), 'acme')).rejects.toThrow('expected one Auto Scaling group tagged cellkit:vault-cluster=acme, found 0 (is the cell deployed in this account and region?)');
  });

  test('an instance is current when it came from the group\'s launch template version; $Latest is resolved', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves(group([['i-1', 'InService', '7'], ['i-2', 'InService', '6'], ['i-3', 'Pending', '7']]));
    const view = await new AsgFleet(new AutoScalingClient({}), new EC2Client({}), 'g').describe();
    expect(view.instances).toEqual([
      { instanceId: 'i-1', lifecycleState: 'InService', current: true },
      { instanceId: 'i-2', lifecycleState: 'InService', current: false },
      { instanceId: 'i-3', lifecycleState: 'Pending', current: true },
    ]);
    asg.reset();
    asg.on(DescribeAutoScalingGroupsCommand).resolves(group([['i-1', 'InService', '7'], ['i-2', 'InService', '8']], '$Latest'));
    ec2.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateId: 'lt-0123', LatestVersionNumber: 8, DefaultVersionNumber: 1 }] });
    const latest = await new AsgFleet(new AutoScalingClient({}), new EC2Client({}), 'g').describe();
    expect(latest.instances.map((i) => i.current)).toEqual([false, true]);
  });

  test('detach keeps desired capacity (the group launches a replacement); terminate goes to EC2', async () => {
    asg.on(DetachInstancesCommand).resolves({});
    ec2.on(TerminateInstancesCommand).resolves({});
    const f = new AsgFleet(new AutoScalingClient({}), new EC2Client({}), 'g');
    await f.detach('i-1');
    await f.terminate('i-1');
    expect(asg.commandCalls(DetachInstancesCommand)[0].args[0].input).toEqual({ AutoScalingGroupName: 'g', InstanceIds: ['i-1'], ShouldDecrementDesiredCapacity: false });
    expect(ec2.commandCalls(TerminateInstancesCommand)[0].args[0].input).toEqual({ InstanceIds: ['i-1'] });
  });
});

describe('snapshot verification (S3 HeadObject)', () => {
  const ref = { bucket: 'b', key: 'raft/vault.snap', versionId: 'v1', sha256: 'ab'.repeat(32), size: 4096 };
  const b64 = Buffer.from(ref.sha256, 'hex').toString('base64');
  const store = () => new S3SnapshotStore(new S3Client({}));

  test('passes when that version has the size and SHA-256 the node reported', async () => {
    s3.on(HeadObjectCommand).resolves({ ContentLength: 4096, ChecksumSHA256: b64, VersionId: 'v1' });
    expect(await store().verify(ref)).toBeUndefined();
    expect(s3.commandCalls(HeadObjectCommand)[0].args[0].input).toEqual({ Bucket: 'b', Key: 'raft/vault.snap', VersionId: 'v1', ChecksumMode: 'ENABLED' });
  });

  test.each([
    ['a different checksum', { ContentLength: 4096, ChecksumSHA256: 'AAAA' }, /SHA-256 in S3 is AAAA, the node computed/],
    ['a different size', { ContentLength: 10, ChecksumSHA256: b64 }, /10 bytes in S3, 4096 on the node/],
    ['no checksum', { ContentLength: 4096 }, /SHA-256 in S3 is \(none\)/],
  ])('fails on %s', async (_n, head, message) => {
    s3.on(HeadObjectCommand).resolves(head);
    expect(await store().verify(ref)).toMatch(message);
  });

  test('fails when the object is missing or the upload had no version', async () => {
    s3.on(HeadObjectCommand).rejects(new NotFound({ message: 'Not Found', $metadata: {} }));
    expect(await store().verify(ref)).toMatch(/s3:\/\/b\/raft\/vault.snap version v1: HeadObject failed: NotFound/);
    expect(await store().verify({ ...ref, versionId: '' })).toMatch(/returned no version id \(is bucket versioning on\?\)/);
  });
});

describe('roll lock (SSM parameter, created only if absent)', () => {
  test('acquire creates it with Overwrite=false; release deletes it', async () => {
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    ssm.on(DeleteParameterCommand).resolves({});
    const lock = new SsmParameterLock(new SSMClient({}), rollLockName('acme'));
    expect(await lock.acquire('alice')).toEqual({ acquired: true });
    expect(ssm.commandCalls(PutParameterCommand)[0].args[0].input).toEqual(expect.objectContaining({ Name: '/cellkit/acme/vault/roll-lock', Value: 'alice', Overwrite: false }));
    await lock.release();
    expect(ssm.commandCalls(DeleteParameterCommand)[0].args[0].input).toEqual({ Name: '/cellkit/acme/vault/roll-lock' });
  });

  test('a held lock refuses the roll before any group or node is touched, and is not deleted', async () => {
    ssm.on(PutParameterCommand).rejects(ssmErr(ParameterAlreadyExists, 'exists'));
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'bob@laptop since 2026-11-28T11:00:00Z' } });
    const lock = new SsmParameterLock(new SSMClient({}), rollLockName('acme'));
    const never = () => {
      throw new Error('must not be called');
    };
    const result = await rollCluster({
      fleet: { describe: never, detach: never, terminate: never },
      cluster: { status: never, autopilotState: never, snapshot: never, stopVault: never, startVault: never, removePeer: never },
      snapshots: { verify: never },
      lock,
      sleep: async () => undefined,
      now: () => 0,
      log: () => undefined,
      holder: 'alice',
    });
    expect(result.status).toBe('refused');
    expect(result.reason).toContain('another roll holds the lock (bob@laptop since 2026-11-28T11:00:00Z; parameter /cellkit/acme/vault/roll-lock)');
    expect(ssm.commandCalls(DeleteParameterCommand)).toHaveLength(0);
  });
});
