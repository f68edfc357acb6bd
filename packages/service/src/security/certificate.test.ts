/**
 * The local CA and server certificate, checked with OpenSSL (an independent
 * verifier): private keys, one CA per service folder, name constraints that
 * hold, and renewal of the server certificate under the same CA.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { certificatePaths, loadOrCreateCertificate, readAuthority } from './certificate.js';

const run = promisify(execFile);

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sb-cert-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** openssl verify: exit 0 and "OK", else the error it printed. */
async function verify(caFile: string, certFile: string): Promise<string> {
  try {
    const { stdout } = await run('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', caFile, certFile]);
    return stdout.trim();
  } catch (err) {
    return `FAILED ${(err as { stdout?: string; stderr?: string }).stdout ?? ''} ${(err as { stderr?: string }).stderr ?? ''}`;
  }
}

/** A certificate signed with the CA key by OpenSSL, for names and days of the test's choosing. */
async function signWithCa(dir: string, name: string, san: string, days: number): Promise<{ key: string; cert: string }> {
  const files = certificatePaths(path.join(dir, 'cert'));
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const cert = path.join(dir, `${name}.crt`);
  const ext = path.join(dir, `${name}.ext`);
  await writeFile(ext, `basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`);
  await run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${name}`]);
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', files.caCert, '-CAkey', files.caKey, '-set_serial', '7', '-days', String(days), '-extfile', ext, '-out', cert]);
  return { key, cert };
}

describe('local CA and server certificate', () => {
  it('keys are readable only by the user; two service folders get different keys and CAs', async () => {
    await withDir(async (dir) => {
      const a = await loadOrCreateCertificate(path.join(dir, 'a'));
      const b = await loadOrCreateCertificate(path.join(dir, 'b'));
      for (const sub of ['a', 'b']) {
        const files = certificatePaths(path.join(dir, sub));
        assert.equal((await stat(files.key)).mode & 0o777, 0o600, `${sub} server key`);
        assert.equal((await stat(files.caKey)).mode & 0o777, 0o600, `${sub} CA key`);
        assert.equal((await stat(path.join(dir, sub))).mode & 0o777, 0o700, `${sub} cert folder`);
      }
      assert.notEqual(a.key, b.key);
      assert.notEqual(await readFile(certificatePaths(path.join(dir, 'a')).caKey, 'utf8'), await readFile(certificatePaths(path.join(dir, 'b')).caKey, 'utf8'));
      assert.notEqual(a.authority.fingerprint, b.authority.fingerprint);
      // NSS files certificates of one subject under one nickname: two CAs must not share a subject.
      assert.notEqual(new X509Certificate(a.authority.cert).subject, new X509Certificate(b.authority.cert).subject);
    });
  });

  it('the CA is a constrained CA that OpenSSL accepts for the server certificate; the chain file is server then CA', async () => {
    await withDir(async (dir) => {
      const certDir = path.join(dir, 'cert');
      const tls = await loadOrCreateCertificate(certDir);
      const files = certificatePaths(certDir);
      const { stdout: ca } = await run('openssl', ['x509', '-noout', '-text', '-in', files.caCert]);
      assert.match(ca, /Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
      assert.match(ca, /Key Usage: critical\s+Certificate Sign, CRL Sign/);
      assert.match(ca, /Name Constraints: critical\s+Permitted:\s+DNS:localhost\s+IP:127\.0\.0\.1\/255\.255\.255\.255\s+IP:0:0:0:0:0:0:0:1\/FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF\s/);
      const { stdout: leaf } = await run('openssl', ['x509', '-noout', '-text', '-in', files.cert]);
      assert.match(leaf, /Basic Constraints: critical\s+CA:FALSE/);
      assert.match(leaf, /Extended Key Usage:\s+TLS Web Server Authentication\n/);
      assert.match(leaf, /DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1\n/);
      assert.equal(await verify(files.caCert, files.cert), `${files.cert}: OK`);
      const chain = (await readFile(files.cert, 'utf8')).match(/-----BEGIN CERTIFICATE-----/g);
      assert.equal(chain?.length, 2);
      assert.equal(tls.cert, await readFile(files.cert, 'utf8'));
      assert.ok(tls.cert.endsWith(tls.authority.cert));
      assert.equal(new X509Certificate(tls.cert).fingerprint256, tls.fingerprint);
    });
  });

  it('the CA key cannot make a certificate other programs accept for a name outside loopback', async () => {
    await withDir(async (dir) => {
      await loadOrCreateCertificate(path.join(dir, 'cert'));
      const caFile = certificatePaths(path.join(dir, 'cert')).caCert;
      const loopback = await signWithCa(dir, 'loopback', 'IP:127.0.0.1', 30);
      assert.equal(await verify(caFile, loopback.cert), `${loopback.cert}: OK`);
      const outside = await signWithCa(dir, 'outside', 'DNS:bank.example,IP:127.0.0.1', 30);
      assert.match(await verify(caFile, outside.cert), /FAILED[\s\S]*permitted subtree violation/);
    });
  });

  it('a server certificate about to expire, or not issued by the CA, is replaced under the same CA', async () => {
    await withDir(async (dir) => {
      const certDir = path.join(dir, 'cert');
      const first = await loadOrCreateCertificate(certDir);
      const again = await loadOrCreateCertificate(certDir);
      assert.equal(again.fingerprint, first.fingerprint, 'a valid pair is kept');
      const files = certificatePaths(certDir);
      // 10 days left: inside the 30-day renewal window.
      const expiring = await signWithCa(dir, 'expiring', 'IP:127.0.0.1', 10);
      await writeFile(files.key, await readFile(expiring.key));
      await writeFile(files.cert, await readFile(expiring.cert));
      const renewed = await loadOrCreateCertificate(certDir);
      assert.notEqual(renewed.fingerprint, new X509Certificate(await readFile(expiring.cert)).fingerprint256);
      assert.equal(renewed.authority.fingerprint, first.authority.fingerprint, 'the trusted CA stays');
      assert.ok(renewed.validTo.getTime() - Date.now() > 390 * 24 * 3600 * 1000);
      // A self-signed server certificate (what earlier versions made): replaced, CA kept.
      await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', files.key, '-out', files.cert, '-subj', '/CN=old', '-days', '300']);
      const replaced = await loadOrCreateCertificate(certDir);
      assert.equal(replaced.authority.fingerprint, first.authority.fingerprint);
      assert.equal(await verify(files.caCert, files.cert), `${files.cert}: OK`);
      assert.equal((await stat(files.key)).mode & 0o777, 0o600);
    });
  });

  it('a CA whose key does not match is replaced with a new CA and server certificate', async () => {
    await withDir(async (dir) => {
      const certDir = path.join(dir, 'cert');
      const first = await loadOrCreateCertificate(certDir);
      const other = await loadOrCreateCertificate(path.join(dir, 'other'));
      await writeFile(certificatePaths(certDir).caKey, await readFile(certificatePaths(path.join(dir, 'other')).caKey));
      const next = await loadOrCreateCertificate(certDir);
      assert.notEqual(next.authority.fingerprint, first.authority.fingerprint);
      assert.notEqual(next.authority.fingerprint, other.authority.fingerprint);
      assert.equal(await verify(certificatePaths(certDir).caCert, certificatePaths(certDir).cert), `${certificatePaths(certDir).cert}: OK`);
      assert.equal((await readAuthority(certDir))?.fingerprint, next.authority.fingerprint);
      assert.equal(await readAuthority(path.join(dir, 'none')), null);
    });
  });
});
