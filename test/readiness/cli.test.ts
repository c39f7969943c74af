// `cellkit readiness` run as a user runs it. AWS is a local HTTP server on 127.0.0.1 (AWS_ENDPOINT_URL)
// that answers sts:GetCallerIdentity in the STS Query/XML format (AWS STS API Reference); no other traffic.
import { spawn } from 'child_process';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { REPO_ROOT } from '../fixtures';

function cellkit(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const base = { ...process.env, AWS_PROFILE: '', AWS_REGION: '', AWS_EC2_METADATA_DISABLED: 'true', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' };
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'run-ts.js'), path.join(REPO_ROOT, 'bin', 'cellkit.ts'), 'readiness', ...args], { env: { ...base, ...env }, timeout: 60_000 });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

describe('cellkit readiness (CLI)', () => {
  test.each([
    ['an unknown tenant', ['--tenant', 'nope'], 'cellkit readiness: no tenant "nope" in tenants/; known tenants: contoso, northwind'],
    ['no --tenant', [], "required option '--tenant <id>' not specified"],
    ['a bad --timeout', ['--tenant', 'northwind', '--timeout', '0'], 'cellkit readiness: --timeout: must be a whole number of seconds from 1 to 600; got "0"'],
  ])('exits 3 (bad input, nothing checked) for %s', async (_, args, message) => {
    const r = await cellkit(args);
    expect(r.stderr).toContain(message);
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('');
  }, 60_000);

  test('credentials for another account: exit 1, the fix printed, nothing else asked', async () => {
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        requests.push(body);
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::999999999999:user/bob</Arn><UserId>AIDAEXAMPLE</UserId><Account>999999999999</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const r = await cellkit(['--tenant', 'northwind', '--cdk-out', path.join(REPO_ROOT, 'no-such-cdk-out')], { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'test-only' });
      expect(r.stdout).toContain('FAIL    credentials-account  the credentials (arn:aws:iam::999999999999:user/bob) are for account 999999999999, but tenant "northwind" lives in account 111111111111');
      expect(r.stdout).toContain('NOT READY: credentials-account failed');
      expect(r.status).toBe(1);
      expect(requests).toEqual([expect.stringContaining('Action=GetCallerIdentity')]);
    } finally {
      server.close();
    }
  }, 60_000);
});
