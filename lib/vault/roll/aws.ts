// The AWS side of `cellkit vault roll`: thin adapters from the roll's interfaces (types.ts) to the
// AWS SDK v3. Vault is reached through SSM Run Command on a node (SendCommand with the
// AWS-RunShellScript document, then GetCommandInvocation); the group through Auto Scaling
// (DescribeAutoScalingGroups, DetachInstances with ShouldDecrementDesiredCapacity=false so the group
// launches a replacement and deregisters the old one from the NLB target group, per
// docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DetachInstances.html) and EC2
// (TerminateInstances, DescribeLaunchTemplates); the snapshot is checked with S3 HeadObject
// (ChecksumMode=ENABLED); the lock is an SSM parameter created with Overwrite=false, which fails
// with ParameterAlreadyExists when it exists (PutParameter API reference).
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, DetachInstancesCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeLaunchTemplatesCommand, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteParameterCommand, GetCommandInvocationCommand, GetParameterCommand, PutParameterCommand, SSMClient, SendCommandCommand } from '@aws-sdk/client-ssm';
import { NodeCommandContext, autopilotStateCommand, removePeerCommand, snapshotCommand, startVaultCommand, statusCommand, stopVaultCommand } from './node-commands';
import { AutopilotState, ClusterApi, FleetView, NodeFleet, NodeStatus, RollLock, SnapshotRef, SnapshotStore } from './types';

/** Tag every node and the group carry (VAULT_JOIN_TAG in lib/vault/cluster/node-constants.ts). */
export const VAULT_CLUSTER_TAG = 'cellkit:vault-cluster';
const TERMINAL = new Set(['Success', 'Cancelled', 'TimedOut', 'Failed']);

export interface Waiting {
  readonly sleep: (ms: number) => Promise<void>;
  /** @default 3000 */
  readonly pollMs?: number;
  /** Seconds a node command may run. @default 600 */
  readonly commandTimeoutS?: number;
}

/** Runs one script on one node and returns its standard output. */
export class SsmNodeRunner {
  constructor(
    private readonly ssm: SSMClient,
    private readonly w: Waiting,
  ) {}

  async run(instanceId: string, script: string, what: string): Promise<string> {
    const timeout = this.w.commandTimeoutS ?? 600;
    const sent = await this.ssm.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [instanceId],
        Comment: `cellkit vault roll: ${what}`.slice(0, 100),
        Parameters: { commands: [script], executionTimeout: [String(timeout)] },
        TimeoutSeconds: 60,
      }),
    );
    const commandId = sent.Command?.CommandId;
    if (!commandId) throw new Error(`${what} on ${instanceId}: SendCommand returned no command id`);
    const deadline = Date.now() + (timeout + 120) * 1000;
    for (;;) {
      await this.w.sleep(this.w.pollMs ?? 3000);
      let inv;
      try {
        inv = await this.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
      } catch (e) {
        // Right after SendCommand the invocation may not exist yet.
        if ((e as Error).name === 'InvocationDoesNotExist' && Date.now() < deadline) continue;
        throw e;
      }
      const status = inv.Status ?? 'Pending';
      if (!TERMINAL.has(status)) {
        if (Date.now() > deadline) throw new Error(`${what} on ${instanceId}: command ${commandId} still ${status} after ${timeout} s`);
        continue;
      }
      if (status !== 'Success') throw new Error(`${what} on ${instanceId}: ${status}: ${(inv.StandardErrorContent ?? '').trim().split('\n').slice(-3).join(' / ') || 'no error output'}`);
      return inv.StandardOutputContent ?? '';
    }
  }
}

function parseJson(text: string, what: string): Record<string, unknown> {
  try {
    return JSON.parse(text.trim().split('\n').filter((l) => l.trim()).pop() ?? '') as Record<string, unknown>;
  } catch {
    throw new Error(`${what}: the node printed no JSON (${text.trim().slice(0, 200) || 'nothing'})`);
  }
}

/** Vault through SSM on the nodes. */
export class SsmClusterApi implements ClusterApi {
  constructor(
    private readonly runner: SsmNodeRunner,
    private readonly ctx: NodeCommandContext,
  ) {}

  async status(instanceId: string): Promise<NodeStatus> {
    const j = parseJson(await this.runner.run(instanceId, statusCommand(this.ctx), 'vault status'), `vault status on ${instanceId}`);
    return { initialized: j.initialized === true, sealed: j.sealed !== false, version: String(j.version ?? ''), active: j.is_self === true };
  }

  async autopilotState(via: string): Promise<AutopilotState> {
    const j = parseJson(await this.runner.run(via, autopilotStateCommand(this.ctx), 'autopilot state'), `autopilot state on ${via}`);
    const d = (j.data ?? {}) as Record<string, unknown>;
    const servers = (d.servers ?? {}) as Record<string, Record<string, unknown>>;
    return {
      healthy: d.healthy === true,
      failureTolerance: Number(d.failure_tolerance ?? 0),
      leader: String(d.leader ?? ''),
      voters: Array.isArray(d.voters) ? d.voters.map(String) : [],
      servers: Object.fromEntries(Object.entries(servers).map(([id, s]) => [id, { id, healthy: s.healthy === true, status: String(s.status ?? '') }])),
    };
  }

  async snapshot(via: string): Promise<SnapshotRef> {
    const j = parseJson(await this.runner.run(via, snapshotCommand(this.ctx), 'raft snapshot'), `raft snapshot on ${via}`);
    return { bucket: String(j.bucket), key: String(j.key), versionId: String(j.versionId ?? ''), sha256: String(j.sha256), size: Number(j.size) };
  }

  async stopVault(instanceId: string): Promise<void> {
    await this.runner.run(instanceId, stopVaultCommand(this.ctx), 'stop vault');
  }

  async startVault(instanceId: string): Promise<void> {
    await this.runner.run(instanceId, startVaultCommand(this.ctx), 'start vault');
  }

  async removePeer(via: string, nodeId: string): Promise<void> {
    await this.runner.run(via, removePeerCommand(this.ctx, nodeId), `remove-peer ${nodeId}`);
  }
}

/** The Vault Auto Scaling group of one tenant, found by its tag. */
export class AsgFleet implements NodeFleet {
  constructor(
    private readonly asg: AutoScalingClient,
    private readonly ec2: EC2Client,
    readonly groupName: string,
  ) {}

  /** The one group tagged `cellkit:vault-cluster=<tenant>`. */
  static async find(asg: AutoScalingClient, ec2: EC2Client, tenantId: string): Promise<AsgFleet> {
    const out = await asg.send(new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: `tag:${VAULT_CLUSTER_TAG}`, Values: [tenantId] }] }));
    const groups = out.AutoScalingGroups ?? [];
    if (groups.length !== 1) throw new Error(`expected one Auto Scaling group tagged ${VAULT_CLUSTER_TAG}=${tenantId}, found ${groups.length}${groups.length ? `: ${groups.map((g) => g.AutoScalingGroupName).join(', ')}` : ' (is the cell deployed in this account and region?)'}`);
    return new AsgFleet(asg, ec2, groups[0].AutoScalingGroupName!);
  }

  async describe(): Promise<FleetView> {
    const out = await this.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [this.groupName] }));
    const g = out.AutoScalingGroups?.[0];
    if (!g) throw new Error(`Auto Scaling group ${this.groupName} is gone`);
    const lt = g.LaunchTemplate;
    if (!lt?.LaunchTemplateId) throw new Error(`Auto Scaling group ${this.groupName} has no launch template`);
    const version = await this.resolveVersion(lt.LaunchTemplateId, lt.Version ?? '$Default');
    return {
      groupName: this.groupName,
      desired: g.DesiredCapacity ?? 0,
      instances: (g.Instances ?? []).map((i) => ({
        instanceId: i.InstanceId!,
        lifecycleState: String(i.LifecycleState ?? ''),
        current: i.LaunchTemplate?.LaunchTemplateId === lt.LaunchTemplateId && i.LaunchTemplate?.Version === version,
      })),
    };
  }

  private async resolveVersion(id: string, version: string): Promise<string> {
    if (!version.startsWith('$')) return version;
    const out = await this.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [id] }));
    const t = out.LaunchTemplates?.[0];
    const n = version === '$Latest' ? t?.LatestVersionNumber : t?.DefaultVersionNumber;
    if (n === undefined) throw new Error(`launch template ${id}: cannot resolve version ${version}`);
    return String(n);
  }

  async detach(instanceId: string): Promise<void> {
    await this.asg.send(new DetachInstancesCommand({ AutoScalingGroupName: this.groupName, InstanceIds: [instanceId], ShouldDecrementDesiredCapacity: false }));
  }

  async terminate(instanceId: string): Promise<void> {
    await this.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
  }
}

/** Checks the uploaded snapshot object: that version exists, with the size and SHA-256 the node reported. */
export class S3SnapshotStore implements SnapshotStore {
  constructor(private readonly s3: S3Client) {}

  async verify(ref: SnapshotRef): Promise<string | undefined> {
    const where = `s3://${ref.bucket}/${ref.key} version ${ref.versionId || '(none)'}`;
    if (!ref.versionId) return `${where}: the upload returned no version id (is bucket versioning on?)`;
    if (!/^[0-9a-f]{64}$/.test(ref.sha256) || !(ref.size > 0)) return `${where}: the node reported no SHA-256 or an empty snapshot`;
    let head;
    try {
      head = await this.s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId, ChecksumMode: 'ENABLED' }));
    } catch (e) {
      return `${where}: HeadObject failed: ${(e as Error).name}: ${(e as Error).message}`;
    }
    const expected = Buffer.from(ref.sha256, 'hex').toString('base64');
    if (head.ContentLength !== ref.size) return `${where}: ${head.ContentLength} bytes in S3, ${ref.size} on the node`;
    if (head.ChecksumSHA256 !== expected) return `${where}: SHA-256 in S3 is ${head.ChecksumSHA256 ?? '(none)'}, the node computed ${expected}`;
    return undefined;
  }
}

/** `/cellkit/<tenant>/vault/roll-lock`: created only if absent, deleted by the roll that created it. */
export class SsmParameterLock implements RollLock {
  private held = false;

  constructor(
    private readonly ssm: SSMClient,
    readonly name: string,
  ) {}

  async acquire(holder: string): Promise<{ acquired: true } | { acquired: false; heldBy: string }> {
    try {
      await this.ssm.send(new PutParameterCommand({ Name: this.name, Value: holder, Type: 'String', Overwrite: false, Description: 'cellkit vault roll in progress; delete only if that roll is dead' }));
    } catch (e) {
      if ((e as Error).name !== 'ParameterAlreadyExists') throw e;
      const cur = await this.ssm.send(new GetParameterCommand({ Name: this.name })).catch(() => undefined);
      return { acquired: false, heldBy: `${cur?.Parameter?.Value ?? 'unknown holder'}; parameter ${this.name}` };
    }
    this.held = true;
    return { acquired: true };
  }

  async release(): Promise<void> {
    if (!this.held) return;
    await this.ssm.send(new DeleteParameterCommand({ Name: this.name }));
    this.held = false;
  }
}

export function rollLockName(tenantId: string): string {
  return `/cellkit/${tenantId}/vault/roll-lock`;
}
