/**
 * Corner mode of <scan-viewer> in real Chromium: a generated photo of a page
 * on a desk is in the buffer; the viewer shows the detected corners as
 * handles, the user drags one with the mouse and moves another with the
 * keyboard, Apply flattens the page with exactly those corners; Escape
 * leaves the page as it was.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DocumentCorners, PageInfo } from '@scanbridge/protocol';
import { rpc, startInProcess, type InProcess } from '@scanbridge/service/dist/test-support/service-harness.js';
import { cornerError, demoPageImage, photograph, type Photo } from '@scanbridge/service/dist/imaging/document-photos.js';
import type { Page } from 'playwright-core';
import { launchChromium, type Browser } from '../test-support/chromium.js';
import { servePage, type PageServer } from '../test-support/page-server.js';

declare const scanbridge: typeof import('../browser.js');
type Corrected = import('./scan-viewer.js').CorrectedPage | null;
type TestWindow = { client: import('../client.js').ScanbridgeClient; corrected: Promise<Corrected> };

describe('<scan-viewer> corner mode in Chromium', () => {
  let svc: InProcess;
  let browser: Browser;
  let page: Page;
  let session: string;
  let site: PageServer;
  let photo: Photo;
  let added: PageInfo;

  const handle = (name: keyof DocumentCorners) => page.locator(`scan-viewer .corner[data-corner=${name}]`);
  const centre = async (name: keyof DocumentCorners) => {
    const box = (await handle(name).boundingBox())!;
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  };
  /** Page pixels per screen pixel of the large image. */
  const scale = () =>
    page.evaluate((width) => width / document.querySelector('scan-viewer')!.shadowRoot!.querySelector('img.large')!.getBoundingClientRect().width, photo.width);

  before(async () => {
    photo = await photograph(await demoPageImage(150), { width: 1600, height: 1200, tilt: 25, rotation: 8, seed: 41 });
    site = await servePage();
    svc = await startInProcess({ 'allowed-origins': site.origin });
    site.html = `<!doctype html><html lang="en"><body><scan-viewer style="height:700px;width:1100px"></scan-viewer><script src="${svc.base}/sdk/scanbridge.js"></script></body></html>`;
    browser = await launchChromium();
    page = browser.page;
    await page.goto(`${site.origin}/`);
    session = await page.evaluate(async (port) => {
      const w = window as unknown as TestWindow;
      w.client = await scanbridge.connect({ httpPort: port });
      document.querySelector('scan-viewer')!.client = w.client;
      return w.client.sessionId;
    }, svc.ports.http);
    added = (await rpc(svc.base, 'f', 'AddImage', { data: photo.jpeg.toString('base64') }, session)).body.result![0] as PageInfo;
    await page.waitForFunction(() => document.querySelector('scan-viewer')!.shadowRoot!.querySelector<HTMLImageElement>('img.large')!.naturalWidth > 0);
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
    await site?.close();
  });

  const start = () =>
    page.evaluate(() => {
      const w = window as unknown as TestWindow;
      w.corrected = document.querySelector('scan-viewer')!.correctPerspective({ paper: 'A4', dpi: 100 });
    });
  const result = () => page.evaluate(() => (window as unknown as TestWindow).corrected);

  it('Escape leaves the page as it was', async () => {
    await start();
    await handle('topLeft').waitFor();
    await page.keyboard.press('Escape');
    assert.equal(await result(), null);
    assert.equal(await handle('topLeft').count(), 0);
    const [info] = (await rpc(svc.base, 'f', 'GetImagesInfo', {}, session)).body.result![0] as PageInfo[];
    assert.equal(info!.version, added.version);
  });

  it('starts from the detected corners; a dragged and a keyed corner are what Apply flattens with', async () => {
    await start();
    await handle('topLeft').waitFor();
    const s = await scale();
    // The handles sit on the page's corners (detected within 1 % of the diagonal): compare on screen.
    const img = await page.locator('scan-viewer img.large').boundingBox();
    const shown = async (name: keyof DocumentCorners) => {
      const c = await centre(name);
      return { x: (c.x - img!.x) * s, y: (c.y - img!.y) * s };
    };
    const onScreen = { topLeft: await shown('topLeft'), topRight: await shown('topRight'), bottomRight: await shown('bottomRight'), bottomLeft: await shown('bottomLeft') };
    assert.ok(cornerError(onScreen, photo.corners) < 0.015, JSON.stringify(onScreen));

    // Drag the top-left handle 30 px left and 20 px up.
    const from = await centre('topLeft');
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x - 15, from.y - 10, { steps: 4 });
    await page.mouse.move(from.x - 30, from.y - 20, { steps: 4 });
    await page.mouse.up();
    const dragged = await centre('topLeft');
    assert.ok(Math.abs(dragged.x - (from.x - 30)) <= 1 && Math.abs(dragged.y - (from.y - 20)) <= 1, JSON.stringify(dragged));
    // The bottom-right one 10 px right with Shift+ArrowRight.
    await handle('bottomRight').focus();
    await page.keyboard.press('Shift+ArrowRight');

    const detected = ((await rpc(svc.base, 'f', 'DetectDocument', { pages: [added.id] }, session)).body.result![0] as { corners: DocumentCorners }[])[0]!.corners;
    await page.locator('scan-viewer .corner-bar .apply').click();
    const r = (await result())!;
    assert.equal(r.changed, true);
    assert.deepEqual([r.info.width, r.info.height, r.info.xdpi, r.info.version], [827, 1169, 100, added.version + 1]);
    const near = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.hypot(a.x - b.x, a.y - b.y) <= 1.5 * s;
    assert.ok(near(r.corners.topLeft, { x: detected.topLeft.x - 30 * s, y: detected.topLeft.y - 20 * s }), `${JSON.stringify(r.corners.topLeft)} vs ${JSON.stringify(detected.topLeft)}`);
    assert.ok(near(r.corners.bottomRight, { x: detected.bottomRight.x + 10 * s, y: detected.bottomRight.y }), `${JSON.stringify(r.corners.bottomRight)} vs ${JSON.stringify(detected.bottomRight)}`);
    assert.deepEqual(r.corners.topRight, detected.topRight);
    assert.deepEqual(r.corners.bottomLeft, detected.bottomLeft);
    assert.equal(await handle('topLeft').count(), 0);
    assert.deepEqual(browser.pageErrors.map(String), []);
  });
});
