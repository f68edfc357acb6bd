/**
 * The demo's Camera tab in Chromium (issue 16.5): a service test camera
 * (the demo page photographed on a desk) shown live in the viewer, captured
 * with the Capture button, its detected corners offered for adjusting and
 * Apply flattening it to A4; and "Flatten at once" (document: true).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PageInfo } from '@scanbridge/protocol';
import { rpc, startChild, tempHome, type ChildService } from '@scanbridge/service/dist/test-support/service-harness.js';
import { deskPhoto, mjpegVideo } from '@scanbridge/service/dist/test-support/camera-photo.js';
import { launchChromium, until, type Browser } from '@scanbridge/client/test-support/chromium';
import { demoSession, screenshot, waitConnected } from './demo-page.js';

const isA4 = (p: PageInfo) => Math.abs(p.width / p.height - 210 / 297) < 0.02;

describe('demo Camera tab in Chromium', () => {
  let home: string;
  let dir: string;
  let svc: ChildService;
  let browser: Browser;

  before(async () => {
    home = await tempHome();
    dir = await mkdtemp(path.join(tmpdir(), 'sb-demo-camera-'));
    const video = await mjpegVideo((await deskPhoto(dir, 1920, 1080)).path, path.join(dir, 'desk.mkv'));
    svc = await startChild(home, [], { SCANBRIDGE_CAMERAS: 'false', SCANBRIDGE_TEST_CAMERAS: `desk=${video}` });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await svc?.stop();
    await rm(home, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the camera live, captures, offers the detected corners and flattens the page to A4', async () => {
    const { page } = browser;
    await page.goto(`http://127.0.0.1:${svc.ports.welcomeHttp}/demo`);
    await waitConnected(page);
    const session = await demoSession(page);
    const pages = async () => (await rpc(svc.base, 'f', 'GetImagesInfo', {}, session)).body.result![0] as PageInfo[];

    await page.getByRole('tab', { name: 'Camera' }).click();
    assert.equal(await page.locator('#scan-form').isHidden(), true);
    await page.locator('#camera option[value="camera:test-desk"]').waitFor({ state: 'attached' });
    await page.locator('#camera').selectOption('camera:test-desk');
    await page.getByRole('button', { name: 'Show live picture' }).click();
    await page.waitForFunction(() => (document.querySelector('scan-viewer')!.shadowRoot!.querySelector<HTMLImageElement>('.camera img.view')?.naturalWidth ?? 0) > 0);
    await screenshot(page, 'demo-camera-live.png');
    await page.locator('scan-viewer .camera button.capture').click();
    // The corners found on the captured page are offered; Apply flattens it.
    const apply = page.locator('scan-viewer button.apply');
    await apply.waitFor();
    await screenshot(page, 'demo-camera-corners.png');
    await apply.click();
    const [flat] = await until(pages, (list) => list.length === 1 && list[0]!.version > 1);
    assert.ok(isA4(flat!), `${flat!.width} x ${flat!.height}`);

    // Flatten at once: the page arrives flat.
    await page.locator('#camera-page').selectOption('flatten');
    await page.getByRole('button', { name: 'Show live picture' }).click();
    await page.locator('scan-viewer .camera button.capture').click();
    const list = await until(pages, (l) => l.length === 2);
    assert.ok(isA4(list[1]!), `${list[1]!.width} x ${list[1]!.height}`);
    await page.getByRole('tab', { name: 'Scanner' }).click();
    assert.equal(await page.locator('scan-viewer .camera').count(), 0);
  });
});
