/**
 * The TLS key and certificate of the HTTPS listeners. Generated on this
 * machine on first start (never shipped): a local CA, name-constrained to the
 * loopback names (see local-ca.ts for why a CA), and the server certificate it
 * signs for exactly the names the service answers to. `cert install` makes
 * the CA trusted; the server certificate is renewed under the same CA without
 * asking the stores again.
 *
 * cert/scanbridge.crt holds the server certificate followed by the CA, which
 * is the chain the listeners send and what a client may pin as its `ca`.
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { KeyAndCertificate } from './local-ca.js';

// The certificate library behind local-ca.ts takes a fifth of a second to load;
// it is needed only to make a certificate (first start, renewal), not to read one.
const localCa = () => import('./local-ca.js');

export interface Authority {
  /** The CA certificate, PEM: what the trust stores hold. */
  cert: string;
  file: string;
  /** SHA-256 of the DER, colon-separated hex as Node prints it. */
  fingerprint: string;
  validTo: Date;
}

export interface TlsMaterial {
  key: string;
  /** Server certificate then CA, PEM. */
  cert: string;
  /** SHA-256 of the server certificate. */
  fingerprint: string;
  validTo: Date;
  authority: Authority;
}

/** Renew this long before expiry so a running service never serves an expired certificate. */
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

export function certificatePaths(certDir: string): { key: string; cert: string; caKey: string; caCert: string } {
  return {
    key: path.join(certDir, 'scanbridge.key'),
    cert: path.join(certDir, 'scanbridge.crt'),
    caKey: path.join(certDir, 'scanbridge-ca.key'),
    caCert: path.join(certDir, 'scanbridge-ca.crt'),
  };
}

function firstPem(text: string): string {
  const match = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text);
  if (!match) throw new Error('no certificate');
  return `${match[0]}\n`;
}

function keyMatches(key: string, cert: X509Certificate): boolean {
  const spki = (k: ReturnType<typeof createPublicKey>) => k.export({ type: 'spki', format: 'der' });
  return spki(createPublicKey(createPrivateKey(key))).equals(spki(cert.publicKey));
}

/** Whether `cert` was signed by `authority` (name and signature). */
function isIssuedBy(cert: X509Certificate, authority: X509Certificate): boolean {
  return cert.checkIssued(authority) && cert.verify(authority.publicKey);
}

function fresh(cert: X509Certificate): boolean {
  return new Date(cert.validTo).getTime() - Date.now() >= RENEW_BEFORE_MS;
}

/** A pair from disk when both files are there, match, and are not about to expire. */
async function readPair(keyFile: string, certFile: string, accept: (cert: X509Certificate) => boolean): Promise<(KeyAndCertificate & { x509: X509Certificate }) | null> {
  try {
    const [key, text] = await Promise.all([fs.readFile(keyFile, 'utf8'), fs.readFile(certFile, 'utf8')]);
    const cert = firstPem(text);
    const x509 = new X509Certificate(cert);
    return fresh(x509) && keyMatches(key, x509) && accept(x509) ? { key, cert, x509 } : null;
  } catch {
    return null;
  }
}

/** Write then rename, so a reader (the service starting, `cert install`) never sees half a file. */
async function writeAtomic(file: string, text: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, text, { mode });
  await fs.chmod(tmp, mode);
  await fs.rename(tmp, file);
}

function authorityInfo(cert: string, file: string): Authority {
  const x509 = new X509Certificate(cert);
  return { cert, file, fingerprint: x509.fingerprint256, validTo: new Date(x509.validTo) };
}

export async function loadOrCreateCertificate(certDir: string): Promise<TlsMaterial> {
  const files = certificatePaths(certDir);
  await fs.mkdir(certDir, { recursive: true, mode: 0o700 });
  let ca = await readPair(files.caKey, files.caCert, (c) => c.ca);
  let server = ca ? await readPair(files.key, files.cert, (c) => isIssuedBy(c, ca!.x509)) : null;
  if (!ca) {
    const made = await (await localCa()).createAuthority();
    await writeAtomic(files.caKey, made.key, 0o600);
    await writeAtomic(files.caCert, made.cert, 0o644);
    ca = { ...made, x509: new X509Certificate(made.cert) };
  }
  if (!server) {
    const made = await (await localCa()).issueServerCertificate(ca);
    await writeAtomic(files.key, made.key, 0o600);
    await writeAtomic(files.cert, made.cert + ca.cert, 0o644);
    server = { ...made, x509: new X509Certificate(made.cert) };
  }
  return {
    key: server.key,
    cert: server.cert + ca.cert,
    fingerprint: server.x509.fingerprint256,
    validTo: new Date(server.x509.validTo),
    authority: authorityInfo(ca.cert, files.caCert),
  };
}

/** The CA of a service folder without creating one (for `cert remove` and `cert status`); null when there is none. */
export async function readAuthority(certDir: string): Promise<Authority | null> {
  const file = certificatePaths(certDir).caCert;
  try {
    return authorityInfo(firstPem(await fs.readFile(file, 'utf8')), file);
  } catch {
    return null;
  }
}
