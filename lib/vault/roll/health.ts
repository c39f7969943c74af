// Is the Raft cluster healthy, and are its voters exactly the nodes we expect?
import { AutopilotState, ClusterApi } from './types';

export interface Health {
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly state?: AutopilotState;
  /** The node the state was read through. */
  readonly via?: string;
}

const list = (ids: Iterable<string>) => [...ids].sort().join(', ') || '(none)';

/** Nodes judged differently while one is being replaced. */
export interface Transition {
  /** Just launched: may or may not be a voter yet; its health is not required. */
  readonly pending?: ReadonlySet<string>;
  /** Being replaced: must still be a voter (it is removed explicitly); its health is not required. */
  readonly leaving?: ReadonlySet<string>;
}

/** Compares autopilot's view with the nodes that should be voters: one voter per node, no more, no fewer. */
export function judge(state: AutopilotState, expected: ReadonlySet<string>, t: Transition = {}): string[] {
  const pending = t.pending ?? new Set<string>();
  const leaving = t.leaving ?? new Set<string>();
  const problems: string[] = [];
  const voters = new Set(state.voters);
  const missing = [...expected].filter((id) => !voters.has(id));
  const extra = [...voters].filter((id) => !expected.has(id) && !pending.has(id));
  if (missing.length) problems.push(`nodes that are not Raft voters: ${list(missing)}`);
  if (extra.length) problems.push(`Raft voters that are not nodes of the cluster: ${list(extra)}`);
  if (!state.leader) problems.push('the cluster has no leader');
  for (const id of expected) {
    const s = state.servers[id];
    if (!leaving.has(id) && s && !s.healthy) problems.push(`node ${id} is unhealthy (autopilot status "${s.status}")`);
  }
  if (!state.healthy && problems.length === 0 && pending.size === 0 && leaving.size === 0) problems.push(`autopilot reports the cluster unhealthy (failure tolerance ${state.failureTolerance})`);
  return problems;
}

/** Reads autopilot state through the first node that answers and judges it. */
export async function readHealth(cluster: ClusterApi, through: readonly string[], expected: ReadonlySet<string>, t?: Transition): Promise<Health> {
  const unreachable: string[] = [];
  for (const via of through) {
    let state: AutopilotState;
    try {
      state = await cluster.autopilotState(via);
    } catch (e) {
      unreachable.push(`${via} (${(e as Error).message})`);
      continue;
    }
    const problems = judge(state, expected, t);
    return { ok: problems.length === 0, problems, state, via };
  }
  return { ok: false, problems: [`no node answered for autopilot state: ${unreachable.join('; ') || 'no nodes'}`] };
}
