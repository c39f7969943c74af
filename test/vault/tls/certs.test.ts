// The issued chain checked with real components: OpenSSL's `openssl verify` and `openssl x509`, and a
// real TLS handshake between Node's `tls` server and client that validates the server name against the CA.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tls from 'tls';
import { AddressInfo } from 'net';
import { TLS_POLICY, bundleProblems, certificateFacts, issueCa, issueServer, vaultServerNames } from '../../../lib/vault/tls/handler/certs';

const NOW = new Date('2026-11-28T12:00:00Z');
const SERVER_NAME = 'vault.acme.cellkit.internal';
const NLB = 'internal-Cell-acme-Vault-1A2B3C4D5E6F-0123456789abcdef.elb.ap-southeast-2.amazonaws.com';
const NAMES = vaultServerNames(SERVER_NAME, NLB);

let dir: string;
const write = (name: string, content: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content, { mode: 0o600 });
  return file;
};
const openssl = (...args: string[]) => spawnSync('openssl', args, { encoding: 'utf8' });

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-tls-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('issued chain, checked by OpenSSL', () => {
  test('openssl verify accepts the server certificate under the cell CA, at the issue time', async () => {
    const ca = await issueCa('acme', NOW);
    const server = await issueServer(ca, NAMES, NOW);
    const caFile = write('ca.pem', ca.certificate);
    const serverFile = write('server.pem', server.certificate);
    const at = String(Math.floor(NOW.getTime() / 1000) + 60);
    const r = openssl('verify', '-attime', at, '-purpose', 'sslserver', '-CAfile', caFile, serverFile);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`${serverFile}: OK`);
    expect(server.ca).toBe(ca.certificate);
  });

  test('openssl verify refuses it under another CA', async () => {
    const ca = await issueCa('acme', NOW);
    const other = await issueCa('acme', NOW);
    const server = await issueServer(ca, NAMES, NOW);
    const r = openssl('verify', '-attime', String(Math.floor(NOW.getTime() / 1000) + 60), '-CAfile', write('other.pem', other.certificate), write('server2.pem', server.certificate));
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/signature failure|unable to get local issuer certificate/);
  });

  test('SANs: the tenant name, the NLB DNS name, localhost and 127.0.0.1 (openssl x509 -ext subjectAltName)', async () => {
    const ca = await issueCa('acme', NOW);
    const server = await issueServer(ca, NAMES, NOW);
    const out = execFileSync('openssl', ['x509', '-noout', '-ext', 'subjectAltName', '-in', write('san.pem', server.certificate)], { encoding: 'utf8' });
    expect(out).toContain(`DNS:${SERVER_NAME}, DNS:${NLB.toLowerCase()}, DNS:localhost, IP Address:127.0.0.1`);
  });

  test('the CA is a CA limited to path length 0; the server certificate is not a CA, serverAuth, ECDSA P-256, 90 days', async () => {
    const ca = await issueCa('acme', NOW);
    const server = await issueServer(ca, NAMES, NOW);
    const caText = execFileSync('openssl', ['x509', '-noout', '-text', '-in', write('ca-text.pem', ca.certificate)], { encoding: 'utf8' });
    expect(caText).toMatch(/CA:TRUE, pathlen:0/);
    expect(caText).toMatch(/Certificate Sign, CRL Sign/);
    const text = execFileSync('openssl', ['x509', '-noout', '-text', '-in', write('srv-text.pem', server.certificate)], { encoding: 'utf8' });
    expect(text).toMatch(/CA:FALSE/);
    expect(text).toMatch(/TLS Web Server Authentication/);
    expect(text).toMatch(/ASN1 OID: prime256v1/);
    expect(text).toMatch(/ecdsa-with-SHA256/);
    const facts = await certificateFacts(server.certificate, ca.certificate);
    expect(facts.notAfter.getTime() - NOW.getTime()).toBe(TLS_POLICY.serverValidityDays * 86_400_000);
    // OpenSSL reads the key as PKCS #8 and it matches the certificate's public key.
    const keyPub = execFileSync('openssl', ['pkey', '-pubout', '-in', write('srv.key', server.private_key)], { encoding: 'utf8' });
    const certPub = execFileSync('openssl', ['x509', '-noout', '-pubkey', '-in', write('srv-pub.pem', server.certificate)], { encoding: 'utf8' });
    expect(keyPub).toBe(certPub);
  });
});

describe('real TLS handshake (Node tls) with the issued key and certificate', () => {
  /** Starts a TLS server with the bundle, connects with the given CA and server name, reports the outcome. */
  async function handshake(serverBundle: { certificate: string; private_key: string }, clientCa: string, servername: string, host = '127.0.0.1'): Promise<{ authorized: boolean; error?: string }> {
    const server = tls.createServer({ key: serverBundle.private_key, cert: serverBundle.certificate, minVersion: 'TLSv1.2' }, (socket) => socket.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      return await new Promise((resolve) => {
        const socket = tls.connect({ host, port, ca: clientCa, servername, rejectUnauthorized: false }, () => {
          const result = { authorized: socket.authorized, error: socket.authorizationError ? String(socket.authorizationError) : undefined };
          socket.destroy();
          resolve(result);
        });
        socket.on('error', (e) => resolve({ authorized: false, error: e.message }));
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }

  // The handshake happens now, so these certificates are issued now (Node checks validity against the clock).
  test.each([SERVER_NAME, NLB, 'localhost'])('a client trusting the cell CA authorises the server as %s', async (name) => {
    const now = new Date();
    const ca = await issueCa('acme', now);
    const server = await issueServer(ca, NAMES, now);
    expect(await handshake(server, ca.certificate, name)).toEqual({ authorized: true, error: undefined });
  });

  test('a wrong server name is refused', async () => {
    const now = new Date();
    const ca = await issueCa('acme', now);
    const server = await issueServer(ca, NAMES, now);
    const r = await handshake(server, ca.certificate, 'vault.other.cellkit.internal');
    expect(r.authorized).toBe(false);
    expect(r.error).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames/);
  });

  test('a client trusting another CA refuses the server', async () => {
    const now = new Date();
    const ca = await issueCa('acme', now);
    const other = await issueCa('acme', now);
    const server = await issueServer(ca, NAMES, now);
    const r = await handshake(server, other.certificate, SERVER_NAME);
    expect(r.authorized).toBe(false);
    expect(r.error).toMatch(/signature|UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/i);
  });
});

describe('bundleProblems', () => {
  test('a fresh bundle has none; each defect is named', async () => {
    const ca = await issueCa('acme', NOW);
    const other = await issueCa('acme', NOW);
    const good = await issueServer(ca, NAMES, NOW);
    expect(await bundleProblems(good, ca, NAMES, NOW)).toEqual([]);
    expect(await bundleProblems({ ...good, certificate: 'nope' }, ca, NAMES, NOW)).toEqual(['field "certificate" is missing or not PEM']);
    expect(await bundleProblems(await issueServer(other, NAMES, NOW), ca, NAMES, NOW)).toEqual(['the certificate is not signed by the cell CA', 'field "ca" is not the cell CA certificate']);
    expect(await bundleProblems(good, ca, vaultServerNames(SERVER_NAME, 'internal-new.elb.amazonaws.com'), NOW)).toEqual(['the certificate lacks the names internal-new.elb.amazonaws.com']);
    const later = new Date(NOW.getTime() + 70 * 86_400_000);
    expect((await bundleProblems(good, ca, NAMES, later))[0]).toMatch(/expires .* in under 30 days/);
    const stranger = await issueServer(ca, NAMES, NOW);
    expect(await bundleProblems({ ...good, private_key: stranger.private_key }, ca, NAMES, NOW)).toEqual(['the private key does not belong to the certificate']);
  });
});
