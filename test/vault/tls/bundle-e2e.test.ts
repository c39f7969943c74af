// The issuer exactly as deployed: the esbuild bundle, run in a separate Node process like Lambda runs it,
// talking to a local HTTP server on 127.0.0.1 that plays Secrets Manager (AWS JSON 1.1 protocol:
// POST / with X-Amz-Target "secretsmanager.<Operation>", errors as {"__type": ...} with HTTP 400, per the
// Secrets Manager API reference) and CloudFormation's pre-signed response URL (a PUT of the JSON response).
// The SDK is pointed at it with AWS_ENDPOINT_URL_SECRETS_MANAGER (AWS SDKs and Tools reference,
// "Service-specific endpoints"). The written chain is then checked with the real `openssl verify`.
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { tlsIssuerBundleDir } from '../../../lib/vault/tls/vault-tls-issuer';

const TLS_ARN = 'arn:aws:secretsmanager:eu-west-2:222222222222:secret:/cellkit/contoso/vault/tls-AbCdEf';
const CA_ARN = 'arn:aws:secretsmanager:eu-west-2:222222222222:secret:/cellkit/contoso/vault/tls-ca-GhIjKl';
const NLB = 'internal-vault-123.elb.eu-west-2.amazonaws.com';

test('the bundled issuer fills both empty secrets through the Secrets Manager API and answers CloudFormation SUCCESS', async () => {
  const stored: Record<string, string> = {};
  const targets: string[] = [];
  let response: { Status: string; Reason: string; PhysicalResourceId: string } | undefined;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.method === 'PUT' && req.url?.startsWith('/cfn-response')) {
        response = JSON.parse(body);
        res.writeHead(200).end();
        return;
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      targets.push(target);
      const input = JSON.parse(body || '{}') as { SecretId: string; SecretString?: string };
      const reply = (status: number, doc: object) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(doc));
      };
      if (target === 'secretsmanager.GetSecretValue') {
        if (!stored[input.SecretId]) return reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT" });
        return reply(200, { ARN: input.SecretId, SecretString: stored[input.SecretId], VersionId: 'v1', VersionStages: ['AWSCURRENT'] });
      }
      if (target === 'secretsmanager.PutSecretValue') {
        stored[input.SecretId] = input.SecretString!;
        return reply(200, { ARN: input.SecretId, VersionId: 'v1', VersionStages: ['AWSCURRENT'] });
      }
      reply(400, { __type: 'InvalidRequestException', message: `unexpected ${target}` });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-issuer-e2e-'));
  try {
    const event = {
      RequestType: 'Create',
      ServiceToken: 'arn:aws:lambda:eu-west-2:222222222222:function:tls',
      ResponseURL: `${base}/cfn-response?X-Amz-Signature=abc`,
      StackId: 'arn:aws:cloudformation:eu-west-2:222222222222:stack/Cell-contoso/guid',
      RequestId: 'req-1',
      LogicalResourceId: 'VaultTlsCertificate0908901C',
      ResourceType: 'Custom::CellkitVaultTls',
      ResourceProperties: { ServiceToken: 'x', TenantId: 'contoso', TlsSecretArn: TLS_ARN, CaSecretArn: CA_ARN, ServerName: 'vault.contoso.cellkit.internal', LoadBalancerDnsName: NLB },
    };
    const script = `require(${JSON.stringify(path.join(tlsIssuerBundleDir(), 'index.js'))}).handler(${JSON.stringify(event)}).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });`;
    const child = spawn(process.execPath, ['-e', script], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'eu-west-2',
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: base,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let logs = '';
    child.stdout.on('data', (c) => (logs += c));
    child.stderr.on('data', (c) => (logs += c));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect({ code, logs: code === 0 ? '' : logs }).toEqual({ code: 0, logs: '' });
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'cellkit-vault-tls-contoso' });
    expect(targets).toEqual(['secretsmanager.GetSecretValue', 'secretsmanager.GetSecretValue', 'secretsmanager.PutSecretValue', 'secretsmanager.PutSecretValue']);
    expect(logs).not.toMatch(/BEGIN/);

    const tls = JSON.parse(stored[TLS_ARN]) as { certificate: string; private_key: string; ca: string };
    const ca = JSON.parse(stored[CA_ARN]) as { certificate: string; private_key: string };
    expect(tls.ca).toBe(ca.certificate);
    fs.writeFileSync(path.join(dir, 'ca.pem'), ca.certificate);
    fs.writeFileSync(path.join(dir, 'server.pem'), tls.certificate);
    expect(execFileSync('openssl', ['verify', '-CAfile', path.join(dir, 'ca.pem'), path.join(dir, 'server.pem')], { encoding: 'utf8' }).trim()).toBe(`${path.join(dir, 'server.pem')}: OK`);
    expect(execFileSync('openssl', ['x509', '-noout', '-ext', 'subjectAltName', '-in', path.join(dir, 'server.pem')], { encoding: 'utf8' })).toContain(`DNS:vault.contoso.cellkit.internal, DNS:${NLB}, DNS:localhost, IP Address:127.0.0.1`);
  } finally {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
