#!/usr/bin/env node
// bench/viewer: <scan-viewer> with a 500-page buffer in headless Chromium
// (Debian's /usr/bin/chromium), against a real service process: time to the
// first thumbnail, then a steady scroll to the end of the strip, reporting
// frames dropped while scrolling and how soon the last thumbnails appear.
//   node bench/viewer/run.mjs [--pages N] [--dpi D] [--speed PX_PER_FRAME]
// No peer viewer is available to run in the same process, so there is no ratio:
// the numbers are for comparing runs of this viewer with itself.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startChild } from '../../packages/service/dist/test-support/service-harness.js';
import { launchChromium } from '../../packages/client/dist/test-support/chromium.js';
import { servePage } from '../../packages/client/dist/test-support/page-server.js';

const { values } = parseArgs({ options: { pages: { type: 'string', default: '500' }, dpi: { type: 'string', default: '150' }, speed: { type: 'string', default: '60' } } });
const PAGES = Number(values.pages);

const home = await mkdtemp(path.join(tmpdir(), 'scanbridge-bench-viewer-'));
const site = await servePage();
const svc = await startChild(home, ['--allowed-origins', site.origin]);
const browser = await launchChromium({ viewport: { width: 1280, height: 900 } });
try {
  // The page: a plain <script> tag and the element, on an origin the administrator allowed.
  site.html = `<!doctype html><html lang="en"><body style="margin:0"><scan-viewer style="height:100vh"></scan-viewer><script src="${svc.base}/sdk/scanbridge.js"></script></body></html>`;
  const { page } = browser;
  await page.goto(`${site.origin}/`);
  // The buffer: PAGES A4 colour pages from the demo scanner's feeder, scanned by the page's own client
  // before the viewer is attached, so that the viewer's numbers do not include the scan.
  const scanSeconds = await page.evaluate(async ({ port, sheets, dpi }) => {
    const t0 = performance.now();
    const client = await scanbridge.connect({ httpPort: port, storageKey: false });
    const job = await client.scan({ device: 'demo:scanner', settings: { source: 'feeder', dpi, mode: 'color', options: { sheets } } });
    const done = await job.done;
    if (done.pages !== sheets) throw new Error(`scanned ${done.pages} pages`);
    window.benchClient = client;
    return (performance.now() - t0) / 1000;
  }, { port: svc.ports.http, sheets: PAGES, dpi: Number(values.dpi) });
  const firstThumbnailMs = await page.evaluate(() => {
    const viewer = document.querySelector('scan-viewer');
    const start = performance.now();
    const first = new Promise((resolve) =>
      new PerformanceObserver((list, observer) => {
        if (list.getEntriesByName('scan-viewer:first-thumbnail').length === 0) return;
        observer.disconnect();
        resolve(performance.now() - start);
      }).observe({ entryTypes: ['mark'] }),
    );
    viewer.client = window.benchClient;
    return first;
  });

  // Scroll the strip to the end at a steady speed, one step per frame, and time every frame.
  const scroll = await page.evaluate(async (speed) => {
    const strip = document.querySelector('scan-viewer').shadowRoot.querySelector('[role=listbox]');
    const frames = [];
    let last = await new Promise((r) => requestAnimationFrame(r));
    const startedAt = last;
    while (strip.scrollTop + strip.clientHeight < strip.scrollHeight - 1) {
      strip.scrollTop += speed;
      const now = await new Promise((r) => requestAnimationFrame(r));
      frames.push(now - last);
      last = now;
    }
    const reachedEnd = performance.now();
    // How long until every thumbnail in view at the end has loaded.
    const thumbs = [...strip.querySelectorAll('.thumb')];
    const inView = () => thumbs.filter((el) => el.dataset.visible);
    while (!inView().every((el) => el.classList.contains('loaded'))) await new Promise((r) => setTimeout(r, 10));
    const requested = thumbs.filter((el) => el.querySelector('img').getAttribute('src')).length;
    return { frames, seconds: (last - startedAt) / 1000, lastThumbnailsMs: performance.now() - reachedEnd, requested, total: thumbs.length };
  }, Number(values.speed));

  const period = [...scroll.frames].sort((a, b) => a - b)[Math.floor(scroll.frames.length / 2)];
  const dropped = scroll.frames.reduce((sum, dt) => sum + Math.max(0, Math.round(dt / period) - 1), 0);
  const slowest = Math.max(...scroll.frames);
  console.log(`bench/viewer: <scan-viewer> with ${PAGES} A4 ${values.dpi} dpi colour pages (demo scanner), headless Chromium`);
  console.log(`  buffer filled in ${scanSeconds.toFixed(1)} s (not part of the viewer's numbers)`);
  console.log(`  time to first thumbnail: ${firstThumbnailMs.toFixed(0)} ms`);
  console.log(`  scroll to the end (${values.speed} px per frame): ${scroll.frames.length} frames in ${scroll.seconds.toFixed(1)} s, frame period ${period.toFixed(1)} ms, ${dropped} frames dropped (${((100 * dropped) / (scroll.frames.length + dropped)).toFixed(1)} %), slowest frame ${slowest.toFixed(0)} ms`);
  console.log(`  thumbnails in view at the end shown ${scroll.lastThumbnailsMs.toFixed(0)} ms after the scroll stopped; ${scroll.requested} of ${scroll.total} thumbnails fetched (the others were scrolled past before they loaded)`);
} finally {
  await browser.close();
  await svc.stop();
  await site.close();
  await rm(home, { recursive: true, force: true });
}
