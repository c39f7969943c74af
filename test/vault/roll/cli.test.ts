// `cellkit vault roll` as a user runs it: only the paths that make no AWS call (bad input, exit 3).
// The roll itself is covered against the simulated cluster (roll.test.ts) and mocked SDK clients (aws.test.ts).
import { spawnSync } from 'child_process';
import * as path from 'path';
import { REPO_ROOT } from '../../fixtures';

function cellkit(...args: string[]) {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_PROFILE: '', AWS_REGION: '' };
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run-ts.js'), path.join(REPO_ROOT, 'bin', 'cellkit.ts'), ...args], { encoding: 'utf8', env, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('bad input exits 3 with a clear message and touches nothing', () => {
  const unknown = cellkit('vault', 'roll', '--tenant', 'nope');
  expect(unknown.status).toBe(3);
  expect(unknown.stderr).toContain('cellkit vault roll: no tenant "nope" in tenants/');
  const missing = cellkit('vault', 'roll');
  expect(missing.status).toBe(3);
  expect(missing.stderr).toContain("required option '--tenant <id>' not specified");
  const timeout = cellkit('vault', 'roll', '--tenant', 'acme', '--join-timeout', '0.5');
  expect(timeout.status).toBe(3);
  expect(timeout.stderr).toContain('cellkit vault roll: --join-timeout must be a whole number of minutes from 1 to 120; got "0.5"');
  expect(unknown.stdout + missing.stdout + timeout.stdout).toBe('');
});
