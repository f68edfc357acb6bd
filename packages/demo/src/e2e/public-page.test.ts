/**
 * The demo as a page on the internet, in real Chromium: Chromium counts its
 * server as a public site (--ip-address-space-overrides), so its requests to
 * scanbridge on loopback need the user's "local network access" permission.
 * Allowed, it scans and shows the pages; blocked, it asks the user for that
 * permission (not to install scanbridge), and connects once it is allowed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcess, type InProcess } from '@scanbridge/service/dist/test-support/service-harness.js';
import { launchChromium, type Browser } from '@scanbridge/client/test-support/chromium';
import { publicOriginFlag, setLocalNetworkAccess } from '@scanbridge/client/test-support/local-network-access';
import { serveDemo, type DemoServer } from './static-server.js';
import { scanFromFeeder, screenshot, waitConnected, waitPagesShown } from './demo-page.js';

describe('demo as a public page (Local Network Access)', () => {
  let site: DemoServer;
  let svc: InProcess;
  const browsers: Browser[] = [];
  const open = async (setting: 'granted' | 'denied') => {
    const browser = await launchChromium({ args: [publicOriginFlag(site.origin)] });
    browsers.push(browser);
    await setLocalNetworkAccess(browser.context, site.origin, setting);
    await browser.page.goto(`${site.origin}/?http=${svc.ports.http}`);
    return browser;
  };

  before(async () => {
    site = await serveDemo({ host: '127.0.0.1' });
    svc = await startInProcess({ 'allowed-origins': site.origin });
  });
  after(async () => {
    for (const browser of browsers) await browser.close();
    await svc?.close();
    await site?.close();
  });

  it('allowed: scans and shows the pages', async () => {
    const { page, pageErrors } = await open('granted');
    await waitConnected(page);
    await scanFromFeeder(page, 2, 100);
    await waitPagesShown(page, 2);
    assert.deepEqual(pageErrors.map(String), []);
  });

  it('blocked: asks the user to allow local network access, and connects once allowed', async () => {
    const { page, context, pageErrors } = await open('denied');
    const dialog = page.locator('[data-scanbridge-dialog=install] dialog');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Allow this page to reach scanbridge[\s\S]*allow local network access/);
    await screenshot(page, 'demo-local-network-access.png');
    await setLocalNetworkAccess(context, site.origin, 'granted');
    await waitConnected(page);
    await dialog.waitFor({ state: 'detached' });
    assert.deepEqual(pageErrors.map(String), []);
  });
});
