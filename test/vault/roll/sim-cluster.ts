// A small in-memory Vault Raft cluster behind an Auto Scaling group. It answers the same calls as
// the AWS adapter (NodeFleet, ClusterApi, SnapshotStore, RollLock) and moves on only when the roll
// sleeps, so scenarios run step by step on a virtual clock. It records every call and every broken
// promise (lost quorum, active node removed, stale voter, terminated voter) as a violation.
import { AutopilotState, ClusterApi, FleetView, NodeFleet, NodeStatus, RollLock, SnapshotRef, SnapshotStore } from '../../../lib/vault/roll/types';

export interface SimNode {
  readonly id: string;
  running: boolean;
  terminated?: boolean;
  vaultUp: boolean;
  inGroup: boolean;
  lifecycle: 'Pending' | 'InService';
  current: boolean;
  voter: boolean;
  /** Autopilot calls a server healthy once it has been up this long (server stabilisation). */
  healthySince: number;
  version: string;
}

export interface SimOptions {
  /** Nodes in the group. @default 3 */
  readonly nodes?: number;
  /** Launch template version of the existing nodes is the group's current one. @default false */
  readonly current?: boolean;
  readonly launchMs?: number;
  readonly joinMs?: number;
  readonly stabilizeMs?: number;
  readonly electionMs?: number;
  /** What a newly launched node does. @default 'joins' */
  readonly newNodes?: 'joins' | 'never-starts';
  /** The uploaded snapshot is not what the node reported (S3 object missing or different). */
  readonly snapshotBroken?: boolean;
  /** No standby wins an election after the active node stops. */
  readonly electionBlocked?: boolean;
}

type Event = { at: number; run: () => void };

export class SimCluster implements NodeFleet, ClusterApi, SnapshotStore {
  clock = 0;
  leader = '';
  readonly nodes: SimNode[] = [];
  readonly calls: string[] = [];
  readonly violations: string[] = [];
  readonly lockStore: { holder?: string } = {};
  private events: Event[] = [];
  private launched = 0;
  private readonly snapshots = new Map<string, SnapshotRef>();
  private readonly o: Required<SimOptions>;

  constructor(options: SimOptions = {}) {
    this.o = { nodes: 3, current: false, launchMs: 60_000, joinMs: 60_000, stabilizeMs: 30_000, electionMs: 5_000, newNodes: 'joins', snapshotBroken: false, electionBlocked: false, ...options };
    for (let i = 0; i < this.o.nodes; i++) {
      this.nodes.push({ id: `i-old${i}`, running: true, vaultUp: true, inGroup: true, lifecycle: 'InService', current: this.o.current, voter: true, healthySince: 0, version: '1.18.3' });
    }
    this.leader = this.nodes[0].id;
  }

  node(id: string): SimNode {
    const n = this.nodes.find((x) => x.id === id);
    if (!n) throw new Error(`sim: no node ${id}`);
    return n;
  }

  /** Runs `fn` once the clock reaches `at` (ms). */
  at(at: number, fn: () => void): void {
    this.events.push({ at, run: fn });
  }

  /** Kills a node's instance (hardware failure). */
  kill(id: string): void {
    const n = this.node(id);
    n.running = false;
    n.vaultUp = false;
    if (this.leader === id) this.loseLeader();
    this.check(`kill ${id}`);
  }

  // -- the roll's clock
  sleep = async (ms: number): Promise<void> => {
    this.clock += ms;
    for (;;) {
      const due = this.events.filter((e) => e.at <= this.clock).sort((a, b) => a.at - b.at);
      if (!due.length) break;
      this.events = this.events.filter((e) => !due.includes(e));
      for (const e of due) e.run();
    }
  };
  now = (): number => this.clock;

  // -- NodeFleet
  async describe(): Promise<FleetView> {
    this.calls.push('describe');
    return { groupName: 'sim-vault', desired: this.o.nodes, instances: this.nodes.filter((n) => n.inGroup).map((n) => ({ instanceId: n.id, lifecycleState: n.lifecycle, current: n.current })) };
  }

  async detach(id: string): Promise<void> {
    this.calls.push(`detach ${id}`);
    const n = this.node(id);
    if (!n.inGroup) throw new Error(`sim: ${id} is not in the group`);
    n.inGroup = false;
    const fresh: SimNode = { id: `i-new${this.launched++}`, running: true, vaultUp: false, inGroup: true, lifecycle: 'Pending', current: true, voter: false, healthySince: Infinity, version: '2.1.1' };
    this.nodes.push(fresh);
    this.at(this.clock + this.o.launchMs, () => {
      fresh.lifecycle = 'InService';
      if (this.o.newNodes === 'never-starts') return;
      this.at(this.clock + this.o.joinMs, () => {
        if (!fresh.running) return;
        fresh.vaultUp = true;
        fresh.voter = true;
        fresh.healthySince = this.clock + this.o.stabilizeMs;
        this.check(`${fresh.id} joins`);
      });
    });
  }

  async terminate(id: string): Promise<void> {
    this.calls.push(`terminate ${id}`);
    const n = this.node(id);
    if (n.inGroup) this.violations.push(`terminated ${id} while it was still in the group`);
    if (n.voter) this.violations.push(`terminated ${id} while it was still a Raft voter (stale voter)`);
    n.running = false;
    n.terminated = true;
    n.vaultUp = false;
    this.check(`terminate ${id}`);
  }

  // -- ClusterApi
  private answering(id: string): SimNode {
    const n = this.node(id);
    if (!n.running || !n.vaultUp) throw new Error(`Vault does not answer on ${id}`);
    return n;
  }

  private healthy(n: SimNode): boolean {
    return n.running && n.vaultUp && this.clock >= n.healthySince;
  }

  async status(id: string): Promise<NodeStatus> {
    this.calls.push(`status ${id}`);
    const n = this.answering(id);
    return { initialized: true, sealed: false, version: n.version, active: this.leader === id };
  }

  async autopilotState(via: string): Promise<AutopilotState> {
    this.calls.push(`autopilot via ${via}`);
    this.answering(via);
    const voters = this.nodes.filter((n) => n.voter);
    const servers = Object.fromEntries(voters.map((n) => [n.id, { id: n.id, healthy: this.healthy(n), status: n.id === this.leader ? 'leader' : 'voter' }]));
    const up = voters.filter((n) => this.healthy(n)).length;
    return { healthy: up === voters.length && this.leader !== '', failureTolerance: Math.max(0, up - (Math.floor(voters.length / 2) + 1)), leader: this.leader, voters: voters.map((n) => n.id), servers };
  }

  async snapshot(via: string): Promise<SnapshotRef> {
    this.calls.push(`snapshot via ${via}`);
    this.answering(via);
    if (!this.leader) throw new Error('no leader');
    const ref = { bucket: 'sim-snapshots', key: 'raft/vault.snap', versionId: `v${this.snapshots.size + 1}`, sha256: 'ab'.repeat(32), size: 4096 };
    this.snapshots.set(ref.versionId, ref);
    return ref;
  }

  async verify(ref: SnapshotRef): Promise<string | undefined> {
    this.calls.push(`verify ${ref.versionId}`);
    const stored = this.snapshots.get(ref.versionId);
    if (!stored || this.o.snapshotBroken) return `s3://${ref.bucket}/${ref.key} version ${ref.versionId}: not found or its SHA-256 differs`;
    return undefined;
  }

  async stopVault(id: string): Promise<void> {
    this.calls.push(`stop ${id}`);
    const n = this.node(id);
    n.vaultUp = false;
    if (this.leader === id) this.loseLeader();
    this.check(`stop ${id}`);
  }

  async startVault(id: string): Promise<void> {
    this.calls.push(`start ${id}`);
    const n = this.node(id);
    if (!n.running) throw new Error(`${id} is not running`);
    n.vaultUp = true;
    n.healthySince = this.clock + this.o.stabilizeMs;
    if (!this.leader) this.leader = id;
  }

  async removePeer(via: string, nodeId: string): Promise<void> {
    this.calls.push(`remove-peer ${nodeId} via ${via}`);
    this.answering(via);
    if (!this.leader) throw new Error('no leader to remove a peer');
    if (nodeId === this.leader) this.violations.push(`removed the active node ${nodeId} before a standby took over`);
    this.node(nodeId).voter = false;
    this.check(`remove-peer ${nodeId}`);
  }

  // -- RollLock (one store per cluster; each roll gets its own handle)
  lock(): RollLock {
    let mine = false;
    return {
      acquire: async (holder: string) => {
        if (this.lockStore.holder) return { acquired: false as const, heldBy: this.lockStore.holder };
        this.lockStore.holder = holder;
        mine = true;
        return { acquired: true as const };
      },
      release: async () => {
        if (mine) this.lockStore.holder = undefined;
        mine = false;
      },
    };
  }

  private loseLeader(): void {
    this.leader = '';
    if (this.o.electionBlocked) return;
    this.at(this.clock + this.o.electionMs, () => {
      const voters = this.nodes.filter((n) => n.voter);
      const up = voters.filter((n) => n.running && n.vaultUp);
      if (!this.leader && up.length > voters.length / 2) this.leader = up[up.length - 1].id;
    });
  }

  /** Quorum and stale-voter invariants, after every change. */
  private check(after: string): void {
    const voters = this.nodes.filter((n) => n.voter);
    const up = voters.filter((n) => n.running && n.vaultUp).length;
    if (up <= voters.length / 2) this.violations.push(`quorum lost after ${after}: ${up} of ${voters.length} voters up`);
    for (const v of voters) if (v.terminated) this.violations.push(`stale voter ${v.id} (instance terminated) after ${after}`);
  }

  /** The settled end state: voters = nodes in the group = desired, every node current and up. */
  summary(): { inGroup: string[]; voters: string[]; running: string[]; leader: string } {
    return {
      inGroup: this.nodes.filter((n) => n.inGroup).map((n) => n.id),
      voters: this.nodes.filter((n) => n.voter).map((n) => n.id),
      running: this.nodes.filter((n) => n.running).map((n) => n.id),
      leader: this.leader,
    };
  }
}
