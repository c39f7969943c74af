// `cellkit vault status`: asks every running Vault node of a cell, read-only, how it is doing.
// The operator's machine cannot reach Vault inside the VPC, so the question travels by SSM Run Command
// (AWS-RunShellScript) and each node answers with `vault status -format=json` (no token needed) and the
// expiry of the certificate it serves. Nothing is written anywhere, on the nodes or in AWS, but the SSM
// command history. Exit codes follow the guard: 0 healthy, 1 found a problem, 2 could not tell.
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, SSMClient, SendCommandCommand } from '@aws-sdk/client-ssm';
import { VAULT_API_PORT, VAULT_PATHS } from '../vault-config';
import { TLS_POLICY } from '../tls/handler/settings';

/** Tag only a cluster's nodes carry (VaultCluster's VAULT_JOIN_TAG), value = tenant id. */
export const VAULT_NODE_TAG = 'cellkit:vault-cluster';
/** The line a node prints its answer on, so SSM's other output never confuses the parser. */
export const ANSWER_MARKER = 'CELLKIT_VAULT_STATUS ';

export const STATUS_EXIT = { healthy: 0, unhealthy: 1, unknown: 2, usage: 3 } as const;

export interface VaultStatusClients {
  readonly ec2: Pick<EC2Client, 'send'>;
  readonly ssm: Pick<SSMClient, 'send'>;
  /** The account the credentials belong to (STS GetCallerIdentity). */
  readonly callerAccount: () => Promise<string>;
}

export interface VaultStatusOptions {
  readonly tenantId: string;
  readonly account: string;
  readonly region: string;
  /** Servers the cluster should have (3 or 5). */
  readonly expectedNodes: number;
  /** Name the node's CLI verifies the local listener against. */
  readonly tlsServerName: string;
  readonly clients: VaultStatusClients;
  readonly now: Date;
  /** @default 2000 */
  readonly pollIntervalMs?: number;
  /** Give up on nodes that have not answered by then. @default 120000 */
  readonly timeoutMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** One node's answer. */
export interface NodeStatus {
  readonly instanceId: string;
  /** False when the node could not be asked or its answer could not be read. */
  readonly answered: boolean;
  readonly initialized?: boolean;
  readonly sealed?: boolean;
  /** This node is the active (leader) node. */
  readonly active?: boolean;
  readonly leaderAddress?: string;
  readonly version?: string;
  readonly certificateNotAfter?: string;
  /** Why the node counts as unhealthy or unknown. */
  readonly problem?: string;
}

export interface VaultStatusReport {
  readonly tenantId: string;
  readonly region: string;
  readonly verdict: 'healthy' | 'unhealthy' | 'unknown';
  readonly exitCode: number;
  readonly expectedNodes: number;
  readonly nodes: readonly NodeStatus[];
  /** Nodes that are initialised, unsealed and follow the one leader. */
  readonly inCluster: number;
  readonly leader?: string;
  /** The earliest expiry among the certificates the nodes serve. */
  readonly certificateNotAfter?: string;
  /** Definite problems (exit 1). */
  readonly problems: readonly string[];
  /** What could not be determined (exit 2 when there is no definite problem). */
  readonly unknowns: readonly string[];
}

/** The read-only script each node runs: one JSON line after the marker. Python 3 ships with Amazon Linux 2023. */
export function nodeStatusScript(tlsServerName: string): string[] {
  const env = {
    VAULT_ADDR: `https://127.0.0.1:${VAULT_API_PORT}`,
    VAULT_CACERT: VAULT_PATHS.ca,
    VAULT_TLS_SERVER_NAME: tlsServerName,
  };
  const py = [
    'import json, os, subprocess',
    `env = dict(os.environ, **${JSON.stringify(env)})`,
    'def run(cmd):',
    '    try:',
    '        r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=20)',
    '        return r.returncode, r.stdout, r.stderr',
    '    except (OSError, subprocess.TimeoutExpired) as e:',
    '        return 127, "", str(e)',
    // `vault status` needs no token; its exit code is 0 unsealed, 2 sealed, 1 error (Vault CLI docs, "status").
    `rc, so, se = run(["${VAULT_PATHS.bin}", "status", "-format=json"])`,
    `_, co, _ = run(["openssl", "x509", "-noout", "-enddate", "-in", "${VAULT_PATHS.cert}"])`,
    'out = {"vault_exit": rc, "vault_error": se.strip()[-300:], "cert_enddate": co.strip().partition("=")[2]}',
    'try:',
    '    out["status"] = json.loads(so)',
    'except ValueError:',
    '    out["status"] = None',
    `print(${JSON.stringify(ANSWER_MARKER)} + json.dumps(out))`,
  ].join('\n');
  return [`python3 - <<'CELLKIT_PY'`, py, 'CELLKIT_PY'];
}

const DONE = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut', 'Cancelling', 'Undeliverable', 'Terminated', 'InvalidPlatform', 'AccessDenied', 'DeliveryTimedOut', 'ExecutionTimedOut', 'Incomplete', 'RateExceeded']);

export async function vaultStatus(o: VaultStatusOptions): Promise<VaultStatusReport> {
  const base = { tenantId: o.tenantId, region: o.region, expectedNodes: o.expectedNodes };
  const unknown = (why: string): VaultStatusReport => ({ ...base, verdict: 'unknown', exitCode: STATUS_EXIT.unknown, nodes: [], inCluster: 0, problems: [], unknowns: [why] });
  try {
    const account = await o.clients.callerAccount();
    if (account !== o.account) return unknown(`the credentials are for account ${account}, but tenant "${o.tenantId}" lives in account ${o.account}`);
  } catch (e) {
    return unknown(`could not identify the credentials' account (STS): ${errorText(e)}`);
  }
  let instanceIds: string[];
  try {
    instanceIds = await runningNodes(o);
  } catch (e) {
    return unknown(`could not list the Vault nodes (EC2 DescribeInstances): ${errorText(e)}`);
  }
  if (!instanceIds.length) {
    return { ...base, verdict: 'unhealthy', exitCode: STATUS_EXIT.unhealthy, nodes: [], inCluster: 0, problems: [`no running instance tagged ${VAULT_NODE_TAG}=${o.tenantId} in ${o.region}`], unknowns: [] };
  }
  let nodes: NodeStatus[];
  try {
    nodes = await askNodes(o, instanceIds);
  } catch (e) {
    return unknown(`could not send the status command (SSM SendCommand): ${errorText(e)}`);
  }
  return judge(o, nodes);
}

async function runningNodes(o: VaultStatusOptions): Promise<string[]> {
  const ids: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await o.clients.ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: `tag:${VAULT_NODE_TAG}`, Values: [o.tenantId] },
          { Name: 'instance-state-name', Values: ['running'] },
        ],
        NextToken,
      }),
    );
    for (const r of page.Reservations ?? []) for (const i of r.Instances ?? []) if (i.InstanceId) ids.push(i.InstanceId);
    NextToken = page.NextToken;
  } while (NextToken);
  return ids.sort();
}

async function askNodes(o: VaultStatusOptions, instanceIds: string[]): Promise<NodeStatus[]> {
  const sent = await o.clients.ssm.send(
    new SendCommandCommand({
      DocumentName: 'AWS-RunShellScript',
      InstanceIds: instanceIds,
      Comment: 'cellkit vault status (read-only)',
      TimeoutSeconds: 60,
      Parameters: { commands: nodeStatusScript(o.tlsServerName), executionTimeout: ['30'] },
    }),
  );
  const commandId = sent.Command?.CommandId;
  if (!commandId) throw new Error('SSM returned no command id');
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const interval = o.pollIntervalMs ?? 2_000;
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  const answers = new Map<string, NodeStatus>();
  while (answers.size < instanceIds.length) {
    await sleep(interval);
    for (const instanceId of instanceIds.filter((id) => !answers.has(id))) {
      const answer = await invocation(o, commandId, instanceId);
      if (answer) answers.set(instanceId, answer);
    }
    if (answers.size < instanceIds.length && Date.now() >= deadline) {
      for (const id of instanceIds.filter((i) => !answers.has(i))) answers.set(id, { instanceId: id, answered: false, problem: 'did not answer before the timeout (SSM agent offline?)' });
    }
  }
  return instanceIds.map((id) => answers.get(id)!);
}

/** The node's answer, or undefined while the command still runs. */
async function invocation(o: VaultStatusOptions, commandId: string, instanceId: string): Promise<NodeStatus | undefined> {
  let result;
  try {
    result = await o.clients.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
  } catch (e) {
    // Right after SendCommand the invocation may not exist yet (SSM API reference, GetCommandInvocation).
    if ((e as Error).name === 'InvocationDoesNotExist') return undefined;
    return { instanceId, answered: false, problem: `SSM GetCommandInvocation failed: ${errorText(e)}` };
  }
  const status = result.Status ?? 'Pending';
  if (!DONE.has(status)) return undefined;
  const line = (result.StandardOutputContent ?? '').split('\n').find((l) => l.startsWith(ANSWER_MARKER));
  if (status !== 'Success' || !line) {
    return { instanceId, answered: false, problem: `the status command ended ${status}${result.StatusDetails && result.StatusDetails !== status ? ` (${result.StatusDetails})` : ''}${line ? '' : ', without an answer'}` };
  }
  return parseAnswer(instanceId, line.slice(ANSWER_MARKER.length));
}

interface NodeAnswer {
  vault_exit: number;
  vault_error?: string;
  cert_enddate?: string;
  status: { initialized?: boolean; sealed?: boolean; is_self?: boolean; leader_address?: string; version?: string } | null;
}

export function parseAnswer(instanceId: string, text: string): NodeStatus {
  let a: NodeAnswer;
  try {
    a = JSON.parse(text) as NodeAnswer;
  } catch {
    return { instanceId, answered: false, problem: 'its answer is not JSON' };
  }
  const notAfter = a.cert_enddate ? new Date(a.cert_enddate) : undefined;
  const certificateNotAfter = notAfter && !isNaN(notAfter.getTime()) ? notAfter.toISOString() : undefined;
  const s = a.status;
  if (!s || typeof s.initialized !== 'boolean' || typeof s.sealed !== 'boolean') {
    // `vault status` could not reach the local server: Vault is down on that node, a definite problem.
    return { instanceId, answered: true, certificateNotAfter, problem: `Vault does not answer on this node (vault status exit ${a.vault_exit}${a.vault_error ? `: ${a.vault_error}` : ''})` };
  }
  return {
    instanceId,
    answered: true,
    initialized: s.initialized,
    sealed: s.sealed,
    active: s.is_self === true,
    leaderAddress: s.leader_address || undefined,
    version: s.version,
    certificateNotAfter,
  };
}

function judge(o: VaultStatusOptions, nodes: NodeStatus[]): VaultStatusReport {
  const problems: string[] = [];
  const unknowns: string[] = [];
  for (const n of nodes) {
    if (!n.answered) unknowns.push(`${n.instanceId}: ${n.problem}`);
    else if (n.problem) problems.push(`${n.instanceId}: ${n.problem}`);
    else if (!n.initialized) problems.push(`${n.instanceId}: not initialised`);
    else if (n.sealed) problems.push(`${n.instanceId}: sealed`);
  }
  if (nodes.length !== o.expectedNodes) problems.push(`${nodes.length} running nodes, the cluster should have ${o.expectedNodes}`);
  const up = nodes.filter((n) => n.answered && !n.problem && n.initialized && !n.sealed);
  const actives = up.filter((n) => n.active);
  const leaders = [...new Set(up.map((n) => n.leaderAddress).filter((l): l is string => !!l))];
  let leader: string | undefined;
  if (up.length) {
    if (actives.length !== 1) problems.push(`${actives.length} active nodes; a healthy cluster has exactly one`);
    if (leaders.length !== 1) problems.push(leaders.length ? `nodes disagree on the leader: ${leaders.join(', ')}` : 'no node knows a leader');
    else leader = leaders[0];
  }
  const inCluster = leader ? up.filter((n) => n.leaderAddress === leader).length : 0;
  // A node that did not answer may well follow the leader: only the answers can prove a shortfall.
  const allAnswered = nodes.every((n) => n.answered);
  if (leader && allAnswered && inCluster < o.expectedNodes && nodes.length === o.expectedNodes) problems.push(`${inCluster} of ${o.expectedNodes} nodes follow the leader`);

  const expiries = nodes.filter((n) => n.answered).map((n) => n.certificateNotAfter);
  if (expiries.some((e) => !e)) unknowns.push('the certificate expiry could not be read on every node');
  const known = expiries.filter((e): e is string => !!e).sort();
  const certificateNotAfter = known[0];
  if (certificateNotAfter) {
    const days = (new Date(certificateNotAfter).getTime() - o.now.getTime()) / 86_400_000;
    if (days < TLS_POLICY.minRemainingDays) problems.push(`the served TLS certificate expires ${certificateNotAfter} (${Math.floor(days)} days); renewal should keep more than ${TLS_POLICY.minRemainingDays}`);
  }
  const verdict = problems.length ? 'unhealthy' : unknowns.length ? 'unknown' : 'healthy';
  return {
    tenantId: o.tenantId,
    region: o.region,
    verdict,
    exitCode: STATUS_EXIT[verdict],
    expectedNodes: o.expectedNodes,
    nodes,
    inCluster,
    leader,
    certificateNotAfter,
    problems,
    unknowns,
  };
}

/** Human-readable report lines. */
export function renderStatus(r: VaultStatusReport): string[] {
  const lines = [`Vault of tenant "${r.tenantId}" (${r.region}): ${r.verdict.toUpperCase()}`];
  for (const n of r.nodes) {
    const state = !n.answered ? `no answer (${n.problem})` : n.problem ? n.problem : `${n.initialized ? 'initialised' : 'NOT initialised'}, ${n.sealed ? 'SEALED' : 'unsealed'}, ${n.active ? 'active' : 'standby'}`;
    lines.push(`  ${n.instanceId}: ${state}${n.version ? `, Vault ${n.version}` : ''}${n.certificateNotAfter ? `, certificate until ${n.certificateNotAfter}` : ''}`);
  }
  lines.push(`  leader: ${r.leader ?? '(none)'}; nodes following it: ${r.inCluster} of ${r.expectedNodes}`);
  lines.push(`  certificate expiry (earliest served): ${r.certificateNotAfter ?? '(unknown)'}`);
  for (const p of r.problems) lines.push(`  PROBLEM: ${p}`);
  for (const u of r.unknowns) lines.push(`  UNKNOWN: ${u}`);
  return lines;
}

function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  return `${e.name}: ${e.message}`;
}
