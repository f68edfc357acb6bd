/**
 * The real thing: Chromium (Debian's /usr/bin/chromium) with a temporary
 * HOME, so it reads <temp home>/.pki/nssdb, opens the running service over
 * HTTPS with a certificate error before `cert install`, without one after,
 * and with one again after `cert remove`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { certCommand } from '../../cli/cert.js';
import { certificatePaths } from '../certificate.js';
import { EXIT } from '../../cli/usage.js';
import { runCli, startChild, tempHome, type ChildService } from '../../test-support/service-harness.js';
import { VERSION_INFO } from '../../version.js';
import type { TrustEnv } from './stores.js';

const CHROMIUM = process.env['SCANBRIDGE_CHROMIUM'] ?? '/usr/bin/chromium';
const run = promisify(execFile);

/**
 * An HTTPS server on 127.0.0.1 whose certificate OpenSSL signed with the
 * service's CA key for `san`: what someone holding that key could make.
 */
async function serveSignedByCa(certDir: string, work: string, san: string): Promise<{ url: string; close(): void }> {
  const files = certificatePaths(certDir);
  const [key, csr, crt, ext] = ['key', 'csr', 'crt', 'ext'].map((e) => path.join(work, `forged.${e}`)) as [string, string, string, string];
  await writeFile(ext, `basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`);
  await run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=forged']);
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', files.caCert, '-CAkey', files.caKey, '-days', '30', '-extfile', ext, '-out', crt]);
  const server = https.createServer({ key: await readFile(key), cert: (await readFile(crt, 'utf8')) + (await readFile(files.caCert, 'utf8')) }, (_req, res) => res.end('forged'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

/** Opens `url` in a fresh Chromium of the temporary user; answers the body, or the navigation error. */
async function openInChromium(userHome: string, url: string): Promise<{ body: string } | { error: string }> {
  const profile = await mkdtemp(path.join(tmpdir(), 'sb-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    env: { ...process.env, HOME: userHome },
  });
  // Tests wait for what they expect however slow the machine is.
  context.setDefaultTimeout(0);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    try {
      const response = await page.goto(url);
      return { body: (await response?.text()) ?? '' };
    } catch (err) {
      return { error: (err as Error).message };
    }
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

describe('Chromium trusts the service after `cert install`, and not after `cert remove`', () => {
  let userHome: string;
  let home: string;
  let svc: ChildService;
  let te: TrustEnv;
  const envelope = `{"id":"1","method":"VersionInfo","result":["${VERSION_INFO}","","64"],"cmdId":""}`;

  before(async () => {
    userHome = await mkdtemp(path.join(tmpdir(), 'sb-user-'));
    home = await tempHome();
    // The temporary user's stores only: the system store is tested on temporary folders elsewhere.
    te = { platform: 'linux', userHome, configHome: path.join(userHome, '.config'), env: { ...process.env, HOME: userHome }, admin: false, systemLayout: null };
    svc = await startChild(home);
  });
  after(async () => {
    await svc.stop();
    await rm(userHome, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  });

  it('certificate error, then the VersionInfo envelope over HTTPS on 127.0.0.1 and localhost (and nothing outside loopback), then the error again', async () => {
    const urls = [`https://127.0.0.1:${svc.ports.https}/fa/VersionInfo`, `https://localhost:${svc.ports.https}/fa/VersionInfo`];
    const untrusted = await openInChromium(userHome, urls[0]!);
    assert.match('error' in untrusted ? untrusted.error : 'opened', /net::ERR_CERT_AUTHORITY_INVALID/);

    assert.equal(await certCommand(home, {}, ['install'], te), EXIT.ok);
    for (const url of urls) assert.deepEqual(await openInChromium(userHome, url), { body: envelope }, url);

    // The name constraint holds in the browser: with the CA trusted, a certificate its key signed for
    // 127.0.0.1 is accepted, the same one that also names another host is refused.
    for (const [san, expected] of [['IP:127.0.0.1', { body: 'forged' }], ['IP:127.0.0.1,DNS:bank.example', /net::ERR_CERT_INVALID/]] as const) {
      const forged = await serveSignedByCa(path.join(home, 'cert'), userHome, san);
      try {
        const got = await openInChromium(userHome, forged.url);
        if (expected instanceof RegExp) assert.match('error' in got ? got.error : 'opened', expected, san);
        else assert.deepEqual(got, expected, san);
      } finally {
        forged.close();
      }
    }

    // The command as a user types it, with the temporary HOME; remove touches only what install added.
    const removed = await runCli(['cert', 'remove', '--home', home], { HOME: userHome });
    assert.equal(removed.code, EXIT.ok, removed.stdout + removed.stderr);
    assert.match(removed.stdout, new RegExp(`^removed from Chromium/Chrome \\(NSS\\) ${userHome}/\\.pki/nssdb$`, 'm'));
    const again = await openInChromium(userHome, urls[0]!);
    assert.match('error' in again ? again.error : 'opened', /net::ERR_CERT_AUTHORITY_INVALID/);
  });
});
