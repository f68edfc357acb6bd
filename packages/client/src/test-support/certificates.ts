/**
 * Certificates for browser tests of HTTPS pages: a self-signed one for a
 * test page on 127.0.0.1 (made by OpenSSL), and the SPKI hash Chromium's
 * --ignore-certificate-errors-spki-list takes to accept a certificate
 * without a trust store.
 */
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export async function selfSignedForLoopback(): Promise<{ key: string; cert: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sb-page-cert-'));
  try {
    const [key, cert] = [path.join(dir, 'page.key'), path.join(dir, 'page.crt')];
    await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=test page', '-addext', 'subjectAltName=IP:127.0.0.1']);
    return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** base64(SHA-256(SubjectPublicKeyInfo)) of the first certificate in `pem`. */
export function spkiHash(pem: string): string {
  const spki = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}
