// Rolling replacement of Vault nodes, one at a time, keeping Raft quorum:
//   snapshot (verified) -> for each outdated node, standbys first and the active node last:
//   detach it (the group launches a replacement) -> the new node is a healthy voter ->
//   stop Vault on the old node (an active node hands over to a standby) -> remove-peer -> terminate.
// It stops and reports at the first unhealthy answer. Everything it does goes through ClusterApi,
// NodeFleet, SnapshotStore and RollLock (types.ts), so a simulated cluster can drive it step by step.
import { Health, readHealth } from './health';
import { ClusterApi, FleetView, NodeFleet, RollLock, SnapshotRef, SnapshotStore } from './types';

export interface RollDeps {
  readonly fleet: NodeFleet;
  readonly cluster: ClusterApi;
  readonly snapshots: SnapshotStore;
  readonly lock: RollLock;
  /** Waits; the simulation advances its clock instead. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Milliseconds, monotonic enough for timeouts. */
  readonly now: () => number;
  /** One line of progress for the operator. */
  readonly log: (line: string) => void;
  /** Names this roll in the lock (who, when). */
  readonly holder: string;
}

export interface RollOptions {
  /** Replace every node, not only those launched from an older launch template version. @default false */
  readonly all?: boolean;
  /** @default 15000 */
  readonly pollMs?: number;
  /** How long a new node may take to be launched, join and become a healthy voter. @default 20 minutes */
  readonly joinTimeoutMs?: number;
  /** How long a standby may take to become active after the active node stops. @default 2 minutes */
  readonly takeoverTimeoutMs?: number;
}

export type RollStatus = 'rolled' | 'nothing-to-do' | 'stopped' | 'refused' | 'error';

export interface RollResult {
  readonly status: RollStatus;
  /** Old and new instance id of every completed replacement. */
  readonly replaced: ReadonlyArray<{ readonly old: string; readonly new: string }>;
  readonly snapshot?: SnapshotRef;
  /** Why it stopped, was refused or failed. */
  readonly reason?: string;
}

/** Stops the roll with a reason the operator reads. */
class Stop extends Error {
  constructor(
    readonly status: 'stopped' | 'refused',
    message: string,
  ) {
    super(message);
  }
}

const inService = (v: FleetView) => v.instances.filter((i) => i.lifecycleState === 'InService');

export async function rollCluster(deps: RollDeps, options: RollOptions = {}): Promise<RollResult> {
  const lock = await deps.lock.acquire(deps.holder);
  if (!lock.acquired) return { status: 'refused', replaced: [], reason: `another roll holds the lock (${lock.heldBy}); wait for it to finish, or if it died, check the cluster and delete the lock (docs/vault-upgrades.md)` };
  const replaced: Array<{ old: string; new: string }> = [];
  let snapshot: SnapshotRef | undefined;
  try {
    const r = new Roll(deps, options);
    const plan = await r.plan();
    if (plan.outdated.length === 0) {
      deps.log(`all ${plan.members.size} nodes already run the current launch template version; nothing to roll`);
      return { status: 'nothing-to-do', replaced };
    }
    snapshot = await r.snapshot(plan.leader);
    const todo = [...plan.outdated];
    let members = plan.members;
    while (todo.length) {
      const health = await r.healthy(members, 'before the next replacement');
      const leader = health.state!.leader;
      // The active node goes last: standbys are replaced first, so it hands over to an upgraded node.
      const next = todo.find((id) => id !== leader) ?? todo[0];
      const fresh = await r.replace(next, members, leader === next);
      replaced.push({ old: next, new: fresh });
      todo.splice(todo.indexOf(next), 1);
      members = new Set([...members].filter((id) => id !== next).concat(fresh));
    }
    await r.healthy(members, 'after the roll');
    deps.log(`rolled: ${replaced.length} node(s) replaced; ${members.size} nodes, ${members.size} voters, cluster healthy`);
    return { status: 'rolled', replaced, snapshot };
  } catch (e) {
    if (e instanceof Stop) return { status: e.status, replaced, snapshot, reason: e.message };
    return { status: 'error', replaced, snapshot, reason: `could not tell: ${(e as Error).message}` };
  } finally {
    await deps.lock.release().catch((e: Error) => deps.log(`could not delete the roll lock (${e.message}): delete it by hand once you checked the cluster (docs/vault-upgrades.md)`));
  }
}

class Roll {
  private readonly pollMs: number;
  private readonly joinTimeoutMs: number;
  private readonly takeoverTimeoutMs: number;

  constructor(
    private readonly d: RollDeps,
    private readonly o: RollOptions,
  ) {
    this.pollMs = o.pollMs ?? 15_000;
    this.joinTimeoutMs = o.joinTimeoutMs ?? 20 * 60_000;
    this.takeoverTimeoutMs = o.takeoverTimeoutMs ?? 2 * 60_000;
  }

  /** The group is at its size, every node is a healthy voter, and which nodes are outdated. */
  async plan(): Promise<{ members: Set<string>; outdated: string[]; leader: string }> {
    const view = await this.d.fleet.describe();
    const nodes = inService(view);
    if (nodes.length !== view.desired || view.instances.length !== view.desired) {
      throw new Stop('refused', `group ${view.groupName} has ${nodes.length} of ${view.desired} instances in service (${view.instances.map((i) => `${i.instanceId}: ${i.lifecycleState}`).join(', ')}); roll only a settled cluster`);
    }
    const members = new Set(nodes.map((i) => i.instanceId));
    const health = await this.healthy(members, 'before the roll');
    const outdated = nodes.filter((i) => this.o.all || !i.current).map((i) => i.instanceId);
    this.d.log(`group ${view.groupName}: ${members.size} nodes, ${members.size} voters, leader ${health.state!.leader}; to replace: ${outdated.join(', ') || 'none'}`);
    return { members, outdated, leader: health.state!.leader };
  }

  async healthy(members: ReadonlySet<string>, when: string): Promise<Health> {
    const h = await readHealth(this.d.cluster, [...members], members);
    if (!h.ok) throw new Stop('stopped', `cluster not healthy ${when}: ${h.problems.join('; ')}`);
    return h;
  }

  /** Takes and verifies a snapshot before anything is replaced; no verified snapshot, no roll. */
  async snapshot(leader: string): Promise<SnapshotRef> {
    let ref: SnapshotRef;
    try {
      ref = await this.d.cluster.snapshot(leader);
    } catch (e) {
      throw new Stop('refused', `no Raft snapshot, so no roll: saving it on ${leader} failed: ${(e as Error).message}`);
    }
    const problem = await this.d.snapshots.verify(ref);
    if (problem) throw new Stop('refused', `no verified Raft snapshot, so no roll: ${problem}`);
    this.d.log(`snapshot verified: s3://${ref.bucket}/${ref.key} version ${ref.versionId}, ${ref.size} bytes, sha256 ${ref.sha256}`);
    return ref;
  }

  /** Replaces one node; returns the new node's id. */
  async replace(old: string, members: ReadonlySet<string>, isLeader: boolean): Promise<string> {
    const before = new Set(inService(await this.d.fleet.describe()).map((i) => i.instanceId));
    await this.d.fleet.detach(old);
    this.d.log(`${old}${isLeader ? ' (active)' : ''}: detached; the group launches its replacement`);
    const others = [...members].filter((id) => id !== old);
    const fresh = await this.waitForNewVoter(old, before, others);
    const afterJoin = new Set([...members, fresh]);
    // Vault on the old node stops first: a standby that stops no longer answers, an active one
    // gives up leadership (SIGINT) and a standby takes over. Never remove the active node itself.
    await this.d.cluster.stopVault(old);
    if (isLeader) await this.waitForTakeover(old, [fresh, ...others]);
    const survivors = new Set([...afterJoin].filter((id) => id !== old));
    const h = await readHealth(this.d.cluster, [fresh, ...others], afterJoin, { leaving: new Set([old]) });
    if (!h.state || h.state.leader === old || !h.state.leader) throw new Stop('stopped', `${old}: no leader other than the old node; it was not removed (${h.problems.join('; ')})`);
    await this.d.cluster.removePeer(h.via!, old);
    const after = await readHealth(this.d.cluster, [...survivors], survivors);
    if (!after.ok) throw new Stop('stopped', `${old}: removed from Raft, but the cluster is not as expected: ${after.problems.join('; ')}; ${old} is stopped and detached, not terminated`);
    await this.d.fleet.terminate(old);
    this.d.log(`${old}: removed from Raft and terminated; ${survivors.size} nodes, ${survivors.size} voters, leader ${after.state!.leader}`);
    return fresh;
  }

  private async waitForNewVoter(old: string, before: ReadonlySet<string>, others: readonly string[]): Promise<string> {
    const deadline = this.d.now() + this.joinTimeoutMs;
    let last = 'the group has not launched a replacement yet';
    for (;;) {
      const fresh = inService(await this.d.fleet.describe()).map((i) => i.instanceId).filter((id) => !before.has(id));
      if (fresh.length > 1) throw new Stop('stopped', `${old}: the group launched ${fresh.length} instances (${fresh.join(', ')}), expected one`);
      const expected = new Set([...others, old]);
      const h = await readHealth(this.d.cluster, [...others, old], expected, { pending: new Set(fresh) });
      // Another node failing while we wait ends the roll at once: quorum comes first.
      if (!h.ok) throw new Stop('stopped', `while waiting for ${old}'s replacement: ${h.problems.join('; ')}; ${old} is detached and still running, still a voter${fresh.length ? `; new node ${fresh[0]} joined the group` : ''}`);
      if (fresh.length === 1) {
        const id = fresh[0];
        const s = h.state?.servers[id];
        const st = await this.d.cluster.status(id).catch(() => undefined);
        if (s?.healthy && h.state!.voters.includes(id) && st && st.initialized && !st.sealed) {
          this.d.log(`${id}: joined as a healthy voter (Vault ${st.version}); ${expected.size + 1} nodes, ${expected.size + 1} voters while ${old} is replaced`);
          return id;
        }
        last = `new node ${id}: ${!st ? 'Vault does not answer' : st.sealed ? 'sealed' : !h.state!.voters.includes(id) ? 'not a Raft voter yet' : `autopilot status "${s?.status ?? 'unknown'}", not healthy yet`}`;
      }
      if (this.d.now() >= deadline) {
        throw new Stop(
          'stopped',
          `${old}: its replacement did not become a healthy voter within ${Math.round(this.joinTimeoutMs / 60_000)} min (${last}). ${old} is detached but still running and a voter, so quorum is kept; see docs/vault-upgrades.md "A roll stopped"`,
        );
      }
      await this.d.sleep(this.pollMs);
    }
  }

  private async waitForTakeover(old: string, candidates: readonly string[]): Promise<void> {
    const deadline = this.d.now() + this.takeoverTimeoutMs;
    for (;;) {
      const h = await readHealth(this.d.cluster, candidates, new Set([...candidates, old]), { leaving: new Set([old]) });
      if (h.state && h.state.leader && h.state.leader !== old && candidates.includes(h.state.leader)) {
        this.d.log(`${old}: stopped; ${h.state.leader} took over as active node`);
        return;
      }
      if (this.d.now() >= deadline) {
        await this.d.cluster.startVault(old).catch(() => undefined);
        throw new Stop('stopped', `${old} (active) was stopped but no standby took over within ${Math.round(this.takeoverTimeoutMs / 1000)} s; Vault on ${old} was started again and it was not removed`);
      }
      await this.d.sleep(this.pollMs);
    }
  }
}
