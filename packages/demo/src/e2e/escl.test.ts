/**
 * The demo in Chromium with a network scanner: an "office" service shares
 * its demo scanner over eSCL, and the service the page talks to lists it by
 * URL (EsclScanners, as an administrator does for another subnet). The page
 * shows it as a network scanner and scans its feeder into thumbnails.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { rpc, startChild, startInProcess, tempHome, type ChildService, type InProcess } from '@scanbridge/service/dist/test-support/service-harness.js';
import { launchChromium, type Browser } from '@scanbridge/client/test-support/chromium';
import { chooseDevice, demoSession, scanEnded, screenshot, shownOrder, waitConnected, waitPagesShown } from './demo-page.js';

describe('demo with a network (eSCL) scanner in Chromium', () => {
  let office: InProcess;
  let home: string;
  let svc: ChildService;
  let browser: Browser;
  let url: string;

  before(async () => {
    office = await startInProcess({ 'escl-server': 'on', 'escl-share': 'demo:scanner', 'escl-port': '0', 'escl-bind-address': '127.0.0.1', 'demo-feeder-sheets': '3' });
    url = `${office.service.escl!.url}/eSCL`;
    home = await tempHome();
    svc = await startChild(home, ['--escl-scanners', url, '--demo-scanner', 'false']);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await svc?.stop();
    await office?.close();
    await rm(home, { recursive: true, force: true });
  });

  it("lists the office's scanner as a network scanner and scans its 3-sheet feeder", async () => {
    const { page } = browser;
    await page.goto(`http://127.0.0.1:${svc.ports.welcomeHttp}/demo`);
    await waitConnected(page);
    const device = `escl:${url}`;
    const option = page.locator(`#device option[value="${device}"]`);
    await option.waitFor({ state: 'attached' });
    assert.equal(await option.textContent(), `${new URL(url).host} — network scanner`);
    await chooseDevice(page, device);
    await page.locator('[name=source]').selectOption('feeder');
    await page.locator('[name=mode]').selectOption('gray');
    await page.locator('[name=dpi]').selectOption('75');
    await page.locator('#scan').click();
    assert.equal(await scanEnded(page), '3 page(s) scanned.');
    await waitPagesShown(page, 3);
    const session = await demoSession(page);
    const pages = (await rpc(svc.base, 'f', 'GetImagesInfo', {}, session)).body.result![0] as { id: string; xdpi: number; mode: string; format: string }[];
    assert.deepEqual(pages.map((p) => [p.xdpi, p.mode, p.format]), Array(3).fill([75, 'gray', 'png']));
    assert.deepEqual(await shownOrder(page), pages.map((p) => p.id));
    // The office kept nothing of them.
    assert.equal(office.service.ctx.sessions.size, 0);
    await screenshot(page, 'demo-escl-scan.png');
    assert.deepEqual(browser.pageErrors.map(String), []);
  });
});
