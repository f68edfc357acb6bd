/**
 * A page on the internet, as a real application is, in real Chromium: its
 * requests to scanbridge on loopback need the user's "local network access"
 * permission (Chromium 142 and later). The page server is made public with
 * Chromium's --ip-address-space-overrides. Allowed, the page connects, gets
 * events over the WebSocket and shows the pages' images; blocked, the SDK
 * says what to allow (local-network-access-denied), not "not installed".
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcess, type InProcess } from '@scanbridge/service/dist/test-support/service-harness.js';
import { launchChromium, type Browser } from '../test-support/chromium.js';
import { publicOriginFlag, setLocalNetworkAccess } from '../test-support/local-network-access.js';
import { SDK_FILE, servePage, type PageServer } from '../test-support/page-server.js';

declare const scanbridge: typeof import('../browser.js');

describe('a public page (Local Network Access)', () => {
  let site: PageServer;
  let svc: InProcess;
  const browsers: Browser[] = [];
  /** A fresh browser for which the page server is a public site, with the permission answered as `setting`. */
  const open = async (setting: 'granted' | 'denied') => {
    const browser = await launchChromium({ args: [publicOriginFlag(site.origin)] });
    browsers.push(browser);
    await setLocalNetworkAccess(browser.context, site.origin, setting);
    await browser.page.goto(`${site.origin}/`);
    return browser;
  };

  before(async () => {
    site = await servePage('<!doctype html><html lang="en"><body><scan-viewer style="height: 400px"></scan-viewer><script src="/scanbridge.js"></script></body></html>', { '/scanbridge.js': SDK_FILE });
    svc = await startInProcess({ 'allowed-origins': site.origin });
  });
  after(async () => {
    for (const browser of browsers) await browser.close();
    await svc?.close();
    await site?.close();
  });

  it('allowed: connects, scans, gets the events over the WebSocket and shows the pages\' images', async () => {
    const browser = await open('granted');
    const seen = await browser.page.evaluate(async (port) => {
      const client = await scanbridge.connect({ httpPort: port, storageKey: false });
      let events = 0;
      client.on('buffer', () => (events += 1));
      document.querySelector('scan-viewer')!.client = client;
      const job = await client.scan({ device: 'demo:scanner', settings: { source: 'feeder', dpi: 75, mode: 'gray', options: { sheets: 2 } } });
      await job.done;
      return { state: client.state, pages: job.info.pageIds.length, events };
    }, svc.ports.http);
    assert.equal(seen.state, 'connected');
    assert.equal(seen.pages, 2);
    assert.ok(seen.events > 0, 'buffer events came over the WebSocket');
    // The viewer's thumbnails and large page are <img> elements loading from loopback.
    await browser.page.waitForFunction(() => {
      const root = document.querySelector('scan-viewer')?.shadowRoot;
      const large = root?.querySelector<HTMLImageElement>('img.large');
      return root?.querySelectorAll('.thumb.loaded').length === 2 && !!large && large.complete && large.naturalWidth > 0;
    });
    assert.deepEqual(browser.pageErrors.map(String), []);
  });

  it('blocked: connect() says which permission to allow, and the prompt asks for it with a Connect button', async () => {
    const browser = await open('denied');
    const outcome = await browser.page.evaluate(async (port) => {
      try {
        await scanbridge.connect({ httpPort: port, storageKey: false });
        return { code: 'connected', message: '' };
      } catch (err) {
        return { code: (err as { code: string }).code, message: (err as Error).message };
      }
    }, svc.ports.http);
    assert.equal(outcome.code, 'local-network-access-denied', outcome.message);
    assert.match(outcome.message, /"Local network access" permission is blocked for http:\/\/127\.0\.0\.1:\d+: allow it in the site's settings/);

    await browser.page.evaluate((port) => {
      const w = window as unknown as { connected?: string };
      void scanbridge.connect({ httpPort: port, storageKey: false, installPrompt: true }).then((client) => (w.connected = client.state), (err: Error) => (w.connected = err.message));
    }, svc.ports.http);
    const dialog = browser.page.locator('[data-scanbridge-dialog=install] dialog');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Allow this page to reach scanbridge[\s\S]*allow local network access/);
    assert.ok(await dialog.getByRole('button', { name: 'Connect' }).isVisible());
    assert.equal(await dialog.getByRole('link', { name: 'How to install' }).isVisible(), false, 'scanbridge is installed: nothing to install');

    // The user allows it in the site's settings: the prompt finds out by itself and the page connects.
    await setLocalNetworkAccess(browser.context, site.origin, 'granted');
    await dialog.waitFor({ state: 'detached' });
    await browser.page.waitForFunction(() => (window as unknown as { connected?: string }).connected !== undefined);
    assert.equal(await browser.page.evaluate(() => (window as unknown as { connected?: string }).connected), 'connected');
  });
});
