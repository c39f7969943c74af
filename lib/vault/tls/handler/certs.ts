// The cell's private CA and Vault server certificates, built with @peculiar/x509 on Node's WebCrypto.
// Runs in the TLS issuer Lambda and in tests; imports no CDK.
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect polyfill loaded first (x509 README).
import 'reflect-metadata';
import { webcrypto } from 'crypto';
import * as x509 from '@peculiar/x509';
import { TLS_POLICY } from './settings';

export { TLS_POLICY };

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/**
 * ECDSA P-256 with SHA-256: 128-bit security, the strength of RSA 3072 (NIST SP 800-57 Part 1 Rev. 5,
 * Table 2) with 32-byte keys, so keys are generated in milliseconds and handshakes stay cheap. Go's
 * crypto/tls, which Vault's listener uses, accepts ECDSA P-256 certificates and PKCS #8 keys.
 */
const KEY_ALGORITHM: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING_ALGORITHM: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 24 * 60 * 60 * 1000;
/** Issued certificates start a little in the past, so nodes with a slightly slow clock accept them. */
const BACKDATE_MS = 5 * 60 * 1000;

/** PEM pair of the cell CA, kept in the CA secret (readable by the issuer Lambda only). */
export interface CaBundle {
  readonly certificate: string;
  readonly private_key: string;
}

/** The TLS secret's JSON, which the Vault nodes read: server certificate, its key and the CA certificate. */
export interface TlsBundle {
  readonly certificate: string;
  readonly private_key: string;
  readonly ca: string;
}

/** Names the server certificate must carry. */
export interface ServerNames {
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}

/** vault.<tenant>.cellkit.internal, the NLB's DNS name, localhost and 127.0.0.1. */
export function vaultServerNames(serverName: string, loadBalancerDnsName: string): ServerNames {
  return { dnsNames: [...new Set([serverName, loadBalancerDnsName.toLowerCase(), 'localhost'])], ipAddresses: ['127.0.0.1'] };
}

async function newKeys(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function importPrivateKey(pem: string): Promise<webcrypto.CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decode(pem)[0], KEY_ALGORITHM, false, ['sign']);
}

function validity(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter: new Date(now.getTime() + days * DAY_MS) };
}

/** A new self-signed CA that may sign end-entity certificates only (path length 0). */
export async function issueCa(tenantId: string, now: Date): Promise<CaBundle> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=cellkit ${tenantId} Vault CA, O=cellkit`,
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    ...validity(now, TLS_POLICY.caValidityDays),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate: cert.toString('pem'), private_key: await privateKeyPem(keys.privateKey) };
}

/** A fresh key and server certificate for `names`, signed by the CA. */
export async function issueServer(ca: CaBundle, names: ServerNames, now: Date): Promise<TlsBundle> {
  const caCert = new x509.X509Certificate(ca.certificate);
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${names.dnsNames[0]}`,
    issuer: caCert.subject,
    publicKey: keys.publicKey,
    signingKey: await importPrivateKey(ca.private_key),
    signingAlgorithm: SIGNING_ALGORITHM,
    ...validity(now, TLS_POLICY.serverValidityDays),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([...names.dnsNames.map((value) => ({ type: 'dns' as const, value })), ...names.ipAddresses.map((value) => ({ type: 'ip' as const, value }))]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { certificate: cert.toString('pem'), private_key: await privateKeyPem(keys.privateKey), ca: caCert.toString('pem') };
}

/** What the issuer needs to know about a certificate it finds in the TLS secret. */
export interface CertificateFacts {
  readonly notAfter: Date;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  /** Signed by `ca` (signature checked, not only names compared). */
  readonly issuedByCa: boolean;
}

export async function certificateFacts(pem: string, caPem?: string): Promise<CertificateFacts> {
  const cert = new x509.X509Certificate(pem);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = san?.names.items ?? [];
  let issuedByCa = false;
  if (caPem) {
    const ca = new x509.X509Certificate(caPem);
    issuedByCa = cert.issuer === ca.subject && (await cert.verify({ publicKey: ca, signatureOnly: true }));
  }
  return {
    notAfter: cert.notAfter,
    dnsNames: names.filter((n) => n.type === 'dns').map((n) => n.value.toLowerCase()),
    ipAddresses: names.filter((n) => n.type === 'ip').map((n) => n.value),
    issuedByCa,
  };
}

/** Problems that make a TLS bundle unfit to serve `names` under `ca`; empty when it is fine. */
export async function bundleProblems(bundle: Partial<TlsBundle>, ca: CaBundle, names: ServerNames, now: Date): Promise<string[]> {
  for (const field of ['certificate', 'private_key', 'ca'] as const) {
    if (typeof bundle[field] !== 'string' || !bundle[field]!.includes('-----BEGIN')) return [`field "${field}" is missing or not PEM`];
  }
  const problems: string[] = [];
  const facts = await certificateFacts(bundle.certificate!, ca.certificate);
  if (!facts.issuedByCa) problems.push('the certificate is not signed by the cell CA');
  if (bundle.ca!.trim() !== ca.certificate.trim()) problems.push('field "ca" is not the cell CA certificate');
  const missing = [
    ...names.dnsNames.filter((n) => !facts.dnsNames.includes(n.toLowerCase())),
    ...names.ipAddresses.filter((n) => !facts.ipAddresses.includes(n)),
  ];
  if (missing.length) problems.push(`the certificate lacks the names ${missing.join(', ')}`);
  if (remainingDays(facts.notAfter, now) < TLS_POLICY.minRemainingDays) problems.push(`the certificate expires ${facts.notAfter.toISOString()}, in under ${TLS_POLICY.minRemainingDays} days`);
  if (!(await keyMatches(bundle.private_key!, bundle.certificate!))) problems.push('the private key does not belong to the certificate');
  return problems;
}

export function remainingDays(notAfter: Date, now: Date): number {
  return (notAfter.getTime() - now.getTime()) / DAY_MS;
}

/** Signs a probe with the key and verifies it with the certificate's public key. */
async function keyMatches(keyPem: string, certPem: string): Promise<boolean> {
  try {
    const probe = new TextEncoder().encode('cellkit key check');
    const signature = await webcrypto.subtle.sign(SIGNING_ALGORITHM, await importPrivateKey(keyPem), probe);
    const publicKey = await new x509.X509Certificate(certPem).publicKey.export(KEY_ALGORITHM, ['verify']);
    return await webcrypto.subtle.verify(SIGNING_ALGORITHM, publicKey, signature, probe);
  } catch {
    return false;
  }
}
