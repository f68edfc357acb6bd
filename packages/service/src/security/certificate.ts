/**
 * The TLS key and certificate of the HTTPS listeners. Generated on this
 * machine on first start (never shipped), for exactly the loopback names the
 * service answers to. Trusting it in browser stores is the job of `cert install`.
 */
import { generate } from 'selfsigned';
import { X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface TlsMaterial {
  key: string;
  cert: string;
  fingerprint: string;
  validTo: Date;
}

const KEY_FILE = 'scanbridge.key';
const CERT_FILE = 'scanbridge.crt';
/** Renew this long before expiry so a running service never serves an expired certificate. */
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

export function certificatePaths(certDir: string): { key: string; cert: string } {
  return { key: path.join(certDir, KEY_FILE), cert: path.join(certDir, CERT_FILE) };
}

async function readExisting(certDir: string): Promise<TlsMaterial | null> {
  const files = certificatePaths(certDir);
  try {
    const [key, cert] = await Promise.all([fs.readFile(files.key, 'utf8'), fs.readFile(files.cert, 'utf8')]);
    const x509 = new X509Certificate(cert);
    const validTo = new Date(x509.validTo);
    if (validTo.getTime() - Date.now() < RENEW_BEFORE_MS) return null;
    return { key, cert, fingerprint: x509.fingerprint256, validTo };
  } catch {
    return null;
  }
}

export async function loadOrCreateCertificate(certDir: string): Promise<TlsMaterial> {
  const existing = await readExisting(certDir);
  if (existing) return existing;
  const notBefore = new Date(Date.now() - 60_000);
  // 397 days: the longest validity browsers accept for server certificates.
  const notAfter = new Date(notBefore.getTime() + 397 * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: 'scanbridge local service' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  const files = certificatePaths(certDir);
  await fs.mkdir(certDir, { recursive: true, mode: 0o700 });
  await fs.writeFile(files.key, pems.private, { mode: 0o600 });
  await fs.chmod(files.key, 0o600);
  await fs.writeFile(files.cert, pems.cert, { mode: 0o644 });
  const x509 = new X509Certificate(pems.cert);
  return { key: pems.private, cert: pems.cert, fingerprint: x509.fingerprint256, validTo: new Date(x509.validTo) };
}
