/**
 * A page served over https://, as every bank application is, in real
 * Chromium: it reaches the service on its HTTPS port, which works only once
 * the browser trusts the service's certificate. Without that trust the SDK
 * says so (certificate-not-trusted, with `scanbridge cert install`) rather
 * than "not running"; with the certificate trusted the way `scanbridge cert
 * install` does it (the user's NSS database, read by Chromium from a test
 * HOME), the page connects; with nothing running it is service-not-found.
 * The test page's own certificate is accepted by its SPKI hash
 * (--ignore-certificate-errors-spki-list), which leaves the service's alone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startInProcess, type InProcess } from '@scanbridge/service/dist/test-support/service-harness.js';
import { installTrust } from '@scanbridge/service/dist/security/trust/service-ca-trust.js';
import type { Page } from 'playwright-core';
import { launchChromium, type Browser } from '../test-support/chromium.js';
import { selfSignedForLoopback, spkiHash } from '../test-support/certificates.js';
import { SDK_FILE, servePage, type PageServer } from '../test-support/page-server.js';
import { closedPort } from '../test-support/same-ports.js';

declare const scanbridge: typeof import('../browser.js');

type Outcome = { devices: string[]; base: string } | { code: string; message: string };

/** connect() from the page, then list the scanners; or the error. */
function connectFrom(page: Page, ports: { http: number; https: number }): Promise<Outcome> {
  return page.evaluate(async ({ http, https }) => {
    try {
      const client = await scanbridge.connect({ httpPort: http, httpsPort: https, storageKey: false });
      const devices = (await client.listDevices()).map((d) => d.id);
      client.disconnect();
      return { devices, base: client.base };
    } catch (err) {
      return { code: (err as { code: string }).code, message: (err as Error).message };
    }
  }, ports);
}

describe('an https:// page', () => {
  let site: PageServer;
  let svc: InProcess;
  let userHome: string;
  const browsers: Browser[] = [];
  const launch = async (env?: NodeJS.ProcessEnv) => {
    const browser = await launchChromium({ args: [`--ignore-certificate-errors-spki-list=${spkiHash(pageCert.cert)}`], ...(env ? { env } : {}) });
    browsers.push(browser);
    await browser.page.goto(`${site.origin}/`);
    return browser;
  };
  let pageCert: { key: string; cert: string };

  before(async () => {
    pageCert = await selfSignedForLoopback();
    site = await servePage('<!doctype html><html lang="en"><body><script src="/scanbridge.js"></script></body></html>', { '/scanbridge.js': SDK_FILE }, pageCert);
    svc = await startInProcess({ 'allowed-origins': site.origin });
    userHome = await mkdtemp(path.join(tmpdir(), 'sb-user-'));
  });
  after(async () => {
    for (const browser of browsers) await browser.close();
    await svc?.close();
    await site?.close();
    if (userHome) await rm(userHome, { recursive: true, force: true });
  });

  it('is told that the certificate is not trusted, and what to do, when scanbridge runs but the browser does not trust it', async () => {
    const { page } = await launch();
    const outcome = await connectFrom(page, { http: svc.ports.http, https: svc.ports.https });
    assert.equal('code' in outcome && outcome.code, 'certificate-not-trusted', JSON.stringify(outcome));
    assert.match((outcome as { message: string }).message, /does not trust the certificate of https:\/\/127\.0\.0\.1:\d+.*run `scanbridge cert install`/);

    // The ready-made prompt says the same in the user's words, and keeps looking.
    await page.evaluate(({ http, https }) => void scanbridge.connect({ httpPort: http, httpsPort: https, storageKey: false, installPrompt: true }).catch(() => undefined), svc.ports);
    const dialog = page.locator('[data-scanbridge-dialog=install] dialog');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Your browser does not trust scanbridge yet[\s\S]*Run scanbridge cert install/);
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('is told that scanbridge is not running when nothing answers', async () => {
    const { page } = browsers[0]!;
    const outcome = await connectFrom(page, { http: await closedPort(), https: await closedPort() });
    assert.equal('code' in outcome && outcome.code, 'service-not-found', JSON.stringify(outcome));
  });

  it('connects over HTTPS once the certificate is trusted as `scanbridge cert install` trusts it', async () => {
    const te = { platform: 'linux' as const, userHome, configHome: path.join(userHome, '.config'), env: { ...process.env, HOME: userHome }, admin: false, systemLayout: null };
    const trusted = await installTrust(svc.home, te, { system: false });
    assert.ok(trusted.stores.some((r) => r.store === 'Chromium/Chrome (NSS)' && r.trusted), JSON.stringify(trusted.stores));
    const { page } = await launch({ ...process.env, HOME: userHome });
    const outcome = await connectFrom(page, { http: svc.ports.http, https: svc.ports.https });
    assert.deepEqual(outcome, { devices: ['demo:scanner', 'demo:flatbed'], base: `https://127.0.0.1:${svc.ports.https}` });
  });
});
