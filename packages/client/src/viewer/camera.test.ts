/**
 * Cameras in real Chromium (issue 16.4): a browser camera (Chromium's fake
 * capture device playing a Y4M of a page photographed on a desk, made with
 * ffmpeg) captured by the SDK into the session's buffer with the events of a
 * scan; and <scan-viewer> showing a service camera's live preview (a test
 * camera of the service) and the browser camera, each with a Capture button.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PageInfo } from '@scanbridge/protocol';
import { rpc, startInProcess, type InProcess } from '@scanbridge/service/dist/test-support/service-harness.js';
import { deskPhoto, mjpegVideo, y4mVideo } from '@scanbridge/service/dist/test-support/camera-photo.js';
import type { CameraDriver } from '@scanbridge/service/dist/devices/camera/camera-driver.js';
import type { Page } from 'playwright-core';
import { launchChromium, until, type Browser } from '../test-support/chromium.js';
import { servePage, type PageServer } from '../test-support/page-server.js';

declare const scanbridge: typeof import('../browser.js');
type TestWindow = { client: import('../client.js').ScanbridgeClient; camera?: import('../browser-camera.js').BrowserCamera; events: string[]; errors: string[] };

const DEVICE = 'camera:test-desk';

describe('cameras in Chromium', () => {
  let dir: string;
  let svc: InProcess;
  let browser: Browser;
  let page: Page;
  let session: string;
  let site: PageServer;

  const pages = async () => (await rpc(svc.base, 'f', 'GetImagesInfo', {}, session)).body.result![0] as PageInfo[];
  const viewers = () => (svc.service.ctx.devices.driverFor(DEVICE) as CameraDriver).preview.viewers(DEVICE);

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sb-camera-browser-'));
    const photo = await deskPhoto(dir, 1280, 720);
    const y4m = await y4mVideo(photo.path, path.join(dir, 'desk.y4m'));
    const mkv = await mjpegVideo(photo.path, path.join(dir, 'desk.mkv'));
    site = await servePage();
    svc = await startInProcess({ 'allowed-origins': site.origin, cameras: 'false', 'test-cameras': `desk=${mkv}` });
    site.html = `<!doctype html><html lang="en"><body><scan-viewer style="height:560px;width:900px"></scan-viewer><script src="${svc.base}/sdk/scanbridge.js"></script></body></html>`;
    browser = await launchChromium({ args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`] });
    page = browser.page;
    await page.goto(`${site.origin}/`);
    session = await page.evaluate(async (port) => {
      const w = window as unknown as TestWindow;
      w.events = [];
      w.errors = [];
      w.client = await scanbridge.connect({ httpPort: port });
      w.client.on('buffer', (e) => w.events.push(`buffer:${e.action}`));
      const viewer = document.querySelector('scan-viewer')!;
      viewer.addEventListener('scanbridge-error', (e) => w.errors.push((e as CustomEvent<{ error: { code: string } }>).detail.error.code));
      viewer.addEventListener('capture', () => w.events.push('capture'));
      viewer.client = w.client;
      return w.client.sessionId;
    }, svc.ports.http);
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
    await site?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('captures a browser camera at its full size into the buffer, with the job and buffer events of a scan', async () => {
    const result = await page.evaluate(async () => {
      const w = window as unknown as TestWindow;
      const cameras = await scanbridge.listBrowserCameras();
      w.camera = await scanbridge.BrowserCamera.open();
      const job = await w.client.captureBrowserCamera(w.camera);
      const steps: string[] = [];
      job.on('page', () => steps.push('page'));
      const done = await job.done;
      const got: string[] = [];
      for await (const p of job.pages()) got.push(`${p.width}x${p.height}:${p.tags.filter((t) => !t.startsWith('job:')).join(',')}`);
      return { cameras: cameras.length, size: w.camera.size, state: done.state, pages: got, imageCapture: 'ImageCapture' in window };
    });
    assert.equal(result.cameras >= 1, true);
    assert.deepEqual(result.size, { width: 1280, height: 720 });
    assert.equal(result.state, 'done');
    assert.deepEqual(result.pages, ['1280x720:camera']);
    // Chromium's ImageCapture hands the fake camera's photo over as PNG; it is kept as taken.
    assert.equal(result.imageCapture, true);
    const [p] = await pages();
    assert.deepEqual([p!.width, p!.height, p!.format], [1280, 720, 'png']);
    await until(() => page.evaluate(() => (window as unknown as TestWindow).events), (e) => e.includes('buffer:add'));
  });

  it('<scan-viewer> shows a service camera live and captures from it; hiding it ends the preview', async () => {
    const before = (await pages()).length;
    await page.evaluate((device) => document.querySelector('scan-viewer')!.showCamera({ deviceId: device }), DEVICE);
    const view = page.locator('scan-viewer .camera img.view');
    // Frames arrive: the <img> has the preview's size (1280 px wide at most).
    await page.waitForFunction(() => (document.querySelector('scan-viewer')!.shadowRoot!.querySelector<HTMLImageElement>('.camera img.view')?.naturalWidth ?? 0) > 0);
    assert.match((await view.getAttribute('src'))!, /\/camera\/preview\?id=[0-9a-f]+&device=camera%3Atest-desk&exp=\d+&sig=[\w-]+$/);
    assert.equal(await view.evaluate((img: HTMLImageElement) => `${img.naturalWidth}x${img.naturalHeight}`), '1280x720');
    assert.equal(viewers(), 1);
    await page.locator('scan-viewer .camera button.capture').click();
    await until(pages, (list) => list.length === before + 1);
    const added = (await pages()).at(-1)!;
    assert.deepEqual([added.width, added.height, added.format], [1280, 720, 'jpeg']);
    await until(() => page.evaluate(() => (window as unknown as TestWindow).events.filter((e) => e === 'capture').length), (n) => n === 1);
    await until(() => page.locator('scan-viewer .thumb').count(), (n) => n === before + 1);
    await page.locator('scan-viewer .camera button.close').click();
    assert.equal(await page.locator('scan-viewer .camera').count(), 0);
    await until(async () => viewers(), (n) => n === 0);
  });

  it('<scan-viewer> shows the browser camera as video and its Capture button loads the photo', async () => {
    const before = (await pages()).length;
    await page.evaluate(() => {
      const w = window as unknown as TestWindow;
      document.querySelector('scan-viewer')!.showCamera({ camera: w.camera! });
    });
    await page.waitForFunction(() => (document.querySelector('scan-viewer')!.shadowRoot!.querySelector<HTMLVideoElement>('.camera video.view')?.videoWidth ?? 0) > 0);
    await page.locator('scan-viewer .camera button.capture').click();
    await until(pages, (list) => list.length === before + 1);
    await page.evaluate(() => {
      document.querySelector('scan-viewer')!.hideCamera();
      (window as unknown as TestWindow).camera!.close();
    });
    assert.deepEqual(await page.evaluate(() => (window as unknown as TestWindow).errors), []);
    assert.deepEqual(browser.pageErrors, []);
  });
});
