// Times one process tree and measures its memory: /usr/bin/time for the exact peak of the largest
// process, plus /proc sampling of every descendant (the CDK CLI runs the app as a child, through bin/run-ts.js).
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface ProcessMemory {
  /** Peak RSS of the largest single process in the tree (getrusage via `/usr/bin/time -v`, exact). */
  readonly largestProcessKb: number;
  /** Peak of the tree's summed RSS, sampled: a lower bound of the tree's true peak. */
  readonly treeSampledKb: number;
  /** Sum of every process's own peak (VmHWM): an upper bound of the tree's true peak. */
  readonly sumOfPeaksKb: number;
  /** Peak (VmHWM) of the process whose command line holds `appMarker`, i.e. the CDK app. */
  readonly appKb: number;
  /** Peak (VmHWM) of the CDK CLI process. */
  readonly cliKb: number;
}

export interface ProcessRun {
  readonly wallMs: number;
  readonly exitCode: number | null;
  /** The last 4 KB of stderr, for error reports. */
  readonly stderrTail: string;
  readonly memory: ProcessMemory;
}

interface Seen {
  cmd: string;
  peakKb: number;
}

const SAMPLE_MS = 100;

function parentOf(pid: string): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined; // exited between readdir and read
  }
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = parentOf(entry);
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

function sample(root: number, seen: Map<number, Seen>): number {
  let treeKb = 0;
  for (const pid of descendants(root)) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const prev = seen.get(pid);
      seen.set(pid, { cmd: cmd || prev?.cmd || '', peakKb: Math.max(prev?.peakKb ?? 0, kb('VmHWM')) });
      treeKb += kb('VmRSS');
    } catch {
      // exited while sampled
    }
  }
  return treeKb;
}

/**
 * Runs `command args` under `/usr/bin/time -v` and samples its process tree every 100 ms.
 * @param appMarker a string only the app process's command line holds (its script path)
 */
export function measure(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; appMarker: string }): Promise<ProcessRun> {
  const timeFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-bench-time-')), 'time.txt');
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-v', '-o', timeFile, command, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4096);
    });
    const seen = new Map<number, Seen>();
    let treeSampledKb = 0;
    const timer = setInterval(() => {
      if (child.pid) treeSampledKb = Math.max(treeSampledKb, sample(child.pid, seen));
    }, SAMPLE_MS);
    child.on('error', (e) => {
      clearInterval(timer);
      reject(new Error(`bench: could not start /usr/bin/time (apt-get install time): ${e.message}`));
    });
    child.on('close', (exitCode) => {
      const wallMs = performance.now() - started;
      clearInterval(timer);
      const timeText = fs.existsSync(timeFile) ? fs.readFileSync(timeFile, 'utf8') : '';
      fs.rmSync(path.dirname(timeFile), { recursive: true, force: true });
      const largestProcessKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(timeText)?.[1] ?? NaN);
      const processes = [...seen.values()];
      const peakOf = (match: (cmd: string) => boolean) => Math.max(0, ...processes.filter((p) => match(p.cmd)).map((p) => p.peakKb));
      resolve({
        wallMs,
        exitCode,
        stderrTail: stderr,
        memory: {
          largestProcessKb,
          treeSampledKb,
          sumOfPeaksKb: processes.reduce((sum, p) => sum + p.peakKb, 0),
          appKb: peakOf((cmd) => cmd.includes(options.appMarker)),
          cliKb: peakOf((cmd) => /aws-cdk\/bin\/cdk|\.bin\/cdk /.test(cmd)),
        },
      });
    });
  });
}
