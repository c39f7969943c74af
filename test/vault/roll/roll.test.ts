// The rolling replacement against a simulated cluster (sim-cluster.ts): real step-by-step scenarios
// on a virtual clock. Vault behaviour modelled: a standby that stops leaves the voter set unchanged
// until remove-peer; an active node stopped with SIGINT gives up leadership and a standby is elected
// ("Vault HA upgrades", developer.hashicorp.com/vault/docs/upgrade/vault-ha-upgrade); autopilot
// reports per-server health and the voter set (/sys/storage/raft/autopilot/state API docs).
import { RollDeps, RollOptions, RollResult, rollCluster } from '../../../lib/vault/roll/roll';
import { SimCluster, SimOptions } from './sim-cluster';

function roll(sim: SimCluster, options: RollOptions = {}, holder = 'test-roll'): { run: Promise<RollResult>; lines: string[] } {
  const lines: string[] = [];
  const deps: RollDeps = { fleet: sim, cluster: sim, snapshots: sim, lock: sim.lock(), sleep: sim.sleep, now: sim.now, log: (l) => lines.push(l), holder };
  return { run: rollCluster(deps, { pollMs: 15_000, ...options }), lines };
}

async function rolled(options: SimOptions, rollOptions?: RollOptions) {
  const sim = new SimCluster(options);
  const r = roll(sim, rollOptions);
  return { sim, result: await r.run, lines: r.lines };
}

const order = (calls: string[], re: RegExp) => calls.filter((c) => re.test(c));

describe('vault roll: happy path', () => {
  test.each([3, 5])('replaces all %i outdated nodes one at a time, active node last, never losing quorum', async (nodes) => {
    const { sim, result, lines } = await rolled({ nodes });
    expect(result.status).toBe('rolled');
    expect(sim.violations).toEqual([]);
    expect(result.replaced).toHaveLength(nodes);
    // The active node (i-old0) goes last.
    expect(result.replaced[nodes - 1].old).toBe('i-old0');
    const s = sim.summary();
    expect(s.inGroup.sort()).toEqual(s.voters.sort());
    expect(s.inGroup).toHaveLength(nodes);
    expect(s.running.sort()).toEqual(s.inGroup.sort());
    expect(s.inGroup.every((id) => id.startsWith('i-new'))).toBe(true);
    expect(sim.nodes.filter((n) => n.inGroup).every((n) => n.version === '2.1.1')).toBe(true);
    // Strictly one at a time: detach, then its remove-peer and terminate, before the next detach.
    const steps = order(sim.calls, /^(detach|remove-peer|terminate) /).map((c) => c.split(' ')[0]);
    expect(steps).toEqual(Array(nodes).fill(['detach', 'remove-peer', 'terminate']).flat());
    expect(lines.join('\n')).toMatch(/snapshot verified: s3:\/\/sim-snapshots\/raft\/vault.snap version v1/);
    expect(lines[lines.length - 1]).toBe(`rolled: ${nodes} node(s) replaced; ${nodes} nodes, ${nodes} voters, cluster healthy`);
    expect(sim.lockStore.holder).toBeUndefined();
  });

  test('takes and verifies the snapshot before the first node is touched', async () => {
    const { sim } = await rolled({});
    const firstDetach = sim.calls.findIndex((c) => c.startsWith('detach'));
    expect(sim.calls.findIndex((c) => c.startsWith('snapshot'))).toBeLessThan(sim.calls.findIndex((c) => c.startsWith('verify')));
    expect(sim.calls.findIndex((c) => c.startsWith('verify'))).toBeLessThan(firstDetach);
  });

  test('nothing to do when every node runs the current launch template; --all replaces them anyway', async () => {
    const none = await rolled({ current: true });
    expect(none.result.status).toBe('nothing-to-do');
    expect(none.sim.calls.some((c) => /^(detach|snapshot)/.test(c))).toBe(false);
    const all = await rolled({ current: true }, { all: true });
    expect(all.result.status).toBe('rolled');
    expect(all.result.replaced).toHaveLength(3);
  });
});

describe('vault roll: the leader is the next to go', () => {
  test('only the active node is outdated: Vault stops on it, a standby takes over, only then it is removed', async () => {
    const sim = new SimCluster({ current: true });
    sim.node('i-old0').current = false; // the leader
    const r = roll(sim);
    const result = await r.run;
    expect(result.status).toBe('rolled');
    expect(sim.violations).toEqual([]);
    const stop = sim.calls.indexOf('stop i-old0');
    const remove = sim.calls.findIndex((c) => c.startsWith('remove-peer i-old0'));
    expect(stop).toBeGreaterThan(sim.calls.indexOf('detach i-old0'));
    expect(remove).toBeGreaterThan(stop);
    expect(r.lines.join('\n')).toMatch(/i-old0: stopped; i-\w+ took over as active node/);
    expect(sim.leader).not.toBe('i-old0');
  });

  test('leadership moving to the next outdated node postpones that node', async () => {
    const sim = new SimCluster({});
    const terminate = sim.terminate.bind(sim);
    sim.terminate = async (id: string) => {
      await terminate(id);
      if (id === 'i-old1') sim.leader = 'i-old2'; // leadership moves after the first replacement
    };
    const result = await roll(sim).run;
    expect(result.status).toBe('rolled');
    expect(sim.violations).toEqual([]);
    expect(result.replaced.map((x) => x.old)).toEqual(['i-old1', 'i-old0', 'i-old2']);
    expect(sim.calls).toContain('stop i-old2');
  });

  test('no standby takes over: Vault is started again on the old active node, which is not removed', async () => {
    const sim = new SimCluster({ current: true, electionBlocked: true });
    sim.node('i-old0').current = false;
    const result = await roll(sim, { takeoverTimeoutMs: 60_000 }).run;
    expect(result.status).toBe('stopped');
    expect(result.reason).toMatch(/i-old0 \(active\) was stopped but no standby took over within 60 s; Vault on i-old0 was started again and it was not removed/);
    expect(sim.calls).toContain('start i-old0');
    expect(sim.calls.some((c) => c.startsWith('remove-peer') || c.startsWith('terminate'))).toBe(false);
    expect(sim.node('i-old0').voter).toBe(true);
  });
});

describe('vault roll: stops and reports', () => {
  test('a new node that never becomes healthy: the old node stays a running voter, nothing removed', async () => {
    const { sim, result } = await rolled({ newNodes: 'never-starts' }, { joinTimeoutMs: 10 * 60_000 });
    expect(result.status).toBe('stopped');
    expect(result.reason).toMatch(/i-old1: its replacement did not become a healthy voter within 10 min \(new node i-new0: Vault does not answer\)\. i-old1 is detached but still running and a voter, so quorum is kept/);
    expect(sim.violations).toEqual([]);
    expect(sim.calls.some((c) => /^(remove-peer|terminate|stop) /.test(c))).toBe(false);
    expect(sim.node('i-old1').running && sim.node('i-old1').voter).toBe(true);
    expect(sim.lockStore.holder).toBeUndefined();
  });

  test('a node dying mid-roll stops the roll at the next look, before anything is removed', async () => {
    const sim = new SimCluster({ nodes: 5 });
    sim.at(45_000, () => sim.kill('i-old3'));
    const result = await roll(sim).run;
    expect(result.status).toBe('stopped');
    expect(result.reason).toMatch(/while waiting for i-old1's replacement: node i-old3 is unhealthy .*i-old1 is detached and still running, still a voter/);
    expect(result.replaced).toEqual([]);
    expect(sim.calls.some((c) => /^(remove-peer|terminate|stop) /.test(c))).toBe(false);
    expect(sim.violations).toEqual([]);
  });

  test('a node dying between two replacements stops before the next one starts', async () => {
    const sim = new SimCluster({});
    let killed = false;
    const r = roll(sim);
    const origTerminate = sim.terminate.bind(sim);
    sim.terminate = async (id: string) => {
      await origTerminate(id);
      if (!killed) {
        killed = true;
        sim.kill('i-new0');
      }
    };
    const result = await r.run;
    expect(result.status).toBe('stopped');
    expect(result.replaced).toHaveLength(1);
    expect(result.reason).toMatch(/cluster not healthy before the next replacement: node i-new0 is unhealthy/);
    expect(sim.calls.filter((c) => c.startsWith('detach'))).toHaveLength(1);
  });

  test('refuses to start on an unhealthy cluster or an unsettled group', async () => {
    const sick = new SimCluster({});
    sick.node('i-old2').vaultUp = false;
    const a = await roll(sick).run;
    expect(a.status).toBe('stopped');
    expect(a.reason).toMatch(/cluster not healthy before the roll: node i-old2 is unhealthy/);
    expect(sick.calls.some((c) => /^(detach|snapshot)/.test(c))).toBe(false);

    const stale = new SimCluster({});
    stale.nodes.push({ id: 'i-gone', running: false, terminated: true, vaultUp: false, inGroup: false, lifecycle: 'InService', current: false, voter: true, healthySince: 0, version: '1.18.3' });
    const b = await roll(stale).run;
    expect(b.status).toBe('stopped');
    expect(b.reason).toMatch(/Raft voters that are not nodes of the cluster: i-gone/);

    const pending = new SimCluster({});
    pending.node('i-old1').lifecycle = 'Pending';
    const c = await roll(pending).run;
    expect(c.status).toBe('refused');
    expect(c.reason).toMatch(/group sim-vault has 2 of 3 instances in service .*i-old1: Pending/);
  });

  test('refuses to roll without a verified snapshot', async () => {
    const { sim, result } = await rolled({ snapshotBroken: true });
    expect(result.status).toBe('refused');
    expect(result.reason).toMatch(/no verified Raft snapshot, so no roll: s3:\/\/sim-snapshots\/raft\/vault.snap version v1: not found or its SHA-256 differs/);
    expect(sim.calls.some((c) => c.startsWith('detach'))).toBe(false);
  });
});

describe('vault roll: two rolls at once', () => {
  test('the second is refused by the lock; the first completes', async () => {
    const sim = new SimCluster({});
    const first = roll(sim, {}, 'alice@2026-11-28T12:00:00Z');
    const second = roll(sim, {}, 'bob@2026-11-28T12:00:01Z');
    const [a, b] = await Promise.all([first.run, second.run]);
    expect(a.status).toBe('rolled');
    expect(b.status).toBe('refused');
    expect(b.reason).toMatch(/another roll holds the lock \(alice@2026-11-28T12:00:00Z\)/);
    expect(sim.violations).toEqual([]);
    expect(sim.calls.filter((c) => c.startsWith('detach'))).toHaveLength(3);
  });

  test('a lock left behind refuses every roll until it is removed', async () => {
    const sim = new SimCluster({});
    sim.lockStore.holder = 'carol@2026-11-27T09:00:00Z';
    const r = await roll(sim).run;
    expect(r.status).toBe('refused');
    expect(sim.lockStore.holder).toBe('carol@2026-11-27T09:00:00Z');
    expect(sim.calls).toEqual([]);
  });
});

test('a lock that cannot be deleted is reported and does not hide the outcome', async () => {
  const sim = new SimCluster({ current: true });
  const lines: string[] = [];
  const result = await rollCluster({
    fleet: sim,
    cluster: sim,
    snapshots: sim,
    lock: { acquire: async () => ({ acquired: true }), release: async () => Promise.reject(new Error('AccessDeniedException: ssm:DeleteParameter')) },
    sleep: sim.sleep,
    now: sim.now,
    log: (l) => lines.push(l),
    holder: 'x',
  });
  expect(result.status).toBe('nothing-to-do');
  expect(lines[lines.length - 1]).toBe('could not delete the roll lock (AccessDeniedException: ssm:DeleteParameter): delete it by hand once you checked the cluster (docs/vault-upgrades.md)');
});
