/**
 * The first-hour guide's page in real Chromium, with the SDK served by the
 * application itself (not by the service it looks for): on a computer where
 * scanbridge is not running the install prompt shows, links to the end-user
 * install page, and keeps looking, so that once scanbridge starts the page
 * connects and the prompt closes without the user doing anything.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startInProcess, type InProcess } from '@scanbridge/service/dist/test-support/service-harness.js';
import type { ScanbridgeClient } from '../client.js';
import { DEFAULT_INSTALL_URL } from '../transport.js';
import { launchChromium, until, type Browser } from '../test-support/chromium.js';
import { SDK_FILE, servePage, type PageServer } from '../test-support/page-server.js';
import { closedPort } from '../test-support/same-ports.js';

interface TestWindow {
  client?: ScanbridgeClient;
  failed?: string;
}

/** The guide's page: the SDK from the application's own origin, connect() with the install prompt. */
const guidePage = (port: number) => `<!doctype html><html lang="en"><body>
<scan-viewer style="height: 300px"></scan-viewer>
<script src="/scanbridge.js"></script>
<script type="module">
  try {
    const client = await scanbridge.connect({ httpPort: ${port}, installPrompt: true });
    document.querySelector('scan-viewer').client = client;
    window.client = client;
  } catch (err) {
    window.failed = err.code + ': ' + err.message;
  }
</script></body></html>`;

describe('the install prompt of a page that serves the SDK itself', () => {
  let site: PageServer;
  let browser: Browser;
  let svc: InProcess | undefined;

  before(async () => {
    site = await servePage('', { '/scanbridge.js': SDK_FILE });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
    await site?.close();
  });

  it('shows while scanbridge is not running, links to the install page, and connects by itself once scanbridge starts', async () => {
    const port = await closedPort();
    site.html = guidePage(port);
    const page = browser.page;
    await page.goto(`${site.origin}/`);
    const dialog = page.locator('[data-scanbridge-dialog=install] dialog');
    await dialog.waitFor();
    assert.equal(await dialog.getByRole('link', { name: 'How to install' }).getAttribute('href'), DEFAULT_INSTALL_URL);
    assert.equal(await dialog.getByRole('button', { name: 'Try again' }).count(), 0, 'nothing to click: the prompt keeps looking');
    await dialog.getByText('Waiting for scanbridge to start…').waitFor();
    // Still there a while later: it looks again, and nothing answers yet.
    await page.waitForTimeout(2500);
    assert.ok(await dialog.isVisible());

    svc = await startInProcess({ 'http-port': String(port), 'allowed-origins': site.origin });
    await dialog.waitFor({ state: 'detached' });
    const outcome = await until(
      () => page.evaluate(() => ({ session: (window as unknown as TestWindow).client?.sessionId, failed: (window as unknown as TestWindow).failed })),
      (o) => o.session !== undefined || o.failed !== undefined,
    );
    assert.equal(outcome.failed, undefined);
    assert.match(outcome.session!, /^[0-9a-f]+$/);
    assert.deepEqual(browser.pageErrors.map(String), []);
  });

  it('the default install link is the repository\'s page for end users (the .deb and how to install it), not a developer quick start', async () => {
    const prefix = 'https://github.com/scanbridge/scanbridge/blob/main/';
    assert.ok(DEFAULT_INSTALL_URL.startsWith(prefix), DEFAULT_INSTALL_URL);
    const text = await readFile(new URL(`../../../../${DEFAULT_INSTALL_URL.slice(prefix.length)}`, import.meta.url), 'utf8');
    assert.match(text, /scanbridge_<version>_amd64\.deb/);
    assert.match(text, /sudo apt install \.\/scanbridge_/);
    assert.doesNotMatch(text, /npm|curl/, 'no developer commands on a page for end users');
  });
});
