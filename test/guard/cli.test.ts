// The guard commands of bin/cellkit.ts, run as a user runs them. Only paths that make no AWS call:
// the check's outcomes are covered with mocked clients in preflight.test.ts.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from '../fixtures';

function cellkit(...args: string[]) {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_PROFILE: '', AWS_REGION: '' };
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run-ts.js'), path.join(REPO_ROOT, 'bin', 'cellkit.ts'), ...args], { encoding: 'utf8', env, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cellkit guard', () => {
  test('scp --out writes the policy for a tenant with its own account', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-scp-')), 'northwind.json');
    const r = cellkit('guard', 'scp', '--tenant', 'northwind', '--out', out);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`written to ${out}`);
    const scp = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(scp.Statement[0].Condition.StringNotEquals['aws:RequestedRegion']).toEqual(['ap-southeast-2']);
  });

  test('check exits 3 (bad input, nothing checked) for an unknown tenant or a missing option', () => {
    const unknown = cellkit('guard', 'check', '--tenant', 'nope');
    expect(unknown.status).toBe(3);
    expect(unknown.stderr).toContain('cellkit guard: no tenant "nope" in tenants/');
    const missing = cellkit('guard', 'check');
    expect(missing.status).toBe(3);
    expect(missing.stderr).toContain("required option '--tenant <id>' not specified");
  });
});
