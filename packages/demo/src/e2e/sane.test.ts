/**
 * The demo in Chromium with a real SANE scanner: the `test` backend of SANE
 * (through libsane and a device worker), enabled by a test-owned
 * SANE_CONFIG_DIR. Its 10-page feeder ends up as 10 thumbnails and a 10-page
 * PDF; a scanner plugged in while the page is open appears in its list.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { rpc, startChild, tempHome, type ChildService } from '@scanbridge/service/dist/test-support/service-harness.js';
import { createTestBackend, type TestBackend } from '@scanbridge/service/dist/devices/sane/test-backend.js';
import { launchChromium, type Browser } from '@scanbridge/client/test-support/chromium';
import { demoSession, chooseDevice, pdfPageSizes, run, saveAs, scanEnded, screenshot, shownOrder, waitConnected, waitPagesShown } from './demo-page.js';

describe('demo with the SANE test scanner in Chromium', () => {
  let backend: TestBackend;
  let home: string;
  let svc: ChildService;
  let browser: Browser;

  before(async () => {
    backend = await createTestBackend(1);
    home = await tempHome();
    // The device list is looked at every second while a page is connected, to see a scanner plugged in.
    svc = await startChild(home, ['--device-list-interval', '1'], backend.env);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await svc?.stop();
    await rm(home, { recursive: true, force: true });
    await backend?.remove();
  });

  it("scans the test scanner's 10-page feeder into 10 thumbnails and a 10-page PDF", async () => {
    const { page } = browser;
    await page.goto(`http://127.0.0.1:${svc.ports.welcomeHttp}/demo`);
    await waitConnected(page);
    await chooseDevice(page, 'sane:test:0');
    await page.locator('[name=source]').selectOption('feeder');
    await page.locator('[name=mode]').selectOption('color');
    await page.locator('[name=dpi]').selectOption('75');
    // The backend's own options are in the form too: its colour test chart instead of black pages.
    await page.locator('#settings details summary').click();
    await page.locator('[name="option:test-picture"]').selectOption('Color pattern');
    await page.locator('#scan').click();
    assert.equal(await scanEnded(page), '10 page(s) scanned.');
    await waitPagesShown(page, 10);
    const session = await demoSession(page);
    const pages = (await rpc(svc.base, 'f', 'GetImagesInfo', {}, session)).body.result![0] as { id: string; width: number; height: number; xdpi: number; mode: string }[];
    assert.equal(pages.length, 10);
    assert.deepEqual(await shownOrder(page), pages.map((p) => p.id));
    // A4 at 75 dpi, as the form asked (the test backend's area is 300 mm square).
    assert.deepEqual([pages[0]!.width, pages[0]!.height, pages[0]!.xdpi, pages[0]!.mode], [620, 876, 75, 'color']);
    await screenshot(page, 'demo-sane-scan.png');

    const pdf = await saveAs(page, 'pdf', 'demo-sane-scan.pdf');
    const { stdout: info } = await run('pdfinfo', [pdf]);
    assert.match(info, /^Pages:\s+10$/m);
    await run('qpdf', ['--check', pdf]);
    for (const size of await pdfPageSizes(pdf, 10)) {
      // A4 is 595 x 842 pt; a pixel row is 0.96 pt at 75 dpi.
      assert.ok(Math.abs(size.width - 595) < 2 && Math.abs(size.height - 842) < 2, JSON.stringify(size));
    }
  });

  it('shows a scanner plugged in while the page is open, without a reload', async () => {
    const { page } = browser;
    await backend.setDevices(2);
    await page.locator('#device option[value="sane:test:1"]').waitFor({ state: 'attached' });
    assert.equal(await page.locator('#device').inputValue(), 'sane:test:0', 'the chosen scanner stays chosen');
    await backend.setDevices(1);
    await page.locator('#device option[value="sane:test:1"]').waitFor({ state: 'detached' });
    assert.equal(await page.locator('#error').isVisible(), false, (await page.locator('#error').textContent()) ?? '');
    assert.deepEqual(browser.pageErrors.map(String), []);
  });
});
