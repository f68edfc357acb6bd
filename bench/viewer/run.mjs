#!/usr/bin/env node
// bench/viewer: <scan-viewer> with a 500-page buffer in headless Chromium
// (Debian's /usr/bin/chromium), against a real service process: time to the
// first thumbnail, then a steady scroll to the end of the strip, reporting
// frames dropped while scrolling, how soon the last thumbnails appear and how
// many failed (the rate limit must never refuse a viewer's thumbnails), as
// min/median/max over rounds, each with a new viewer.
//   node bench/viewer/run.mjs [--pages N] [--dpi D] [--speed PX_PER_FRAME] [--rounds 5]
// No peer viewer is available to run in the same process, so there is no ratio:
// the targets are this viewer's own (a first thumbnail within a second, at most
// 10 % of frames dropped, the last thumbnails within a second, none refused).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startChild } from '../../packages/service/dist/test-support/service-harness.js';
import { launchChromium } from '../../packages/client/dist/test-support/chromium.js';
import { servePage } from '../../packages/client/dist/test-support/page-server.js';
import { machineLoad, valueLine } from '../lib/report.mjs';

const { values } = parseArgs({ options: { pages: { type: 'string', default: '500' }, dpi: { type: 'string', default: '150' }, speed: { type: 'string', default: '60' }, rounds: { type: 'string', default: '5' } } });
const PAGES = Number(values.pages);
const ROUNDS = Number(values.rounds);

const loadAtStart = machineLoad();
const home = await mkdtemp(path.join(tmpdir(), 'scanbridge-bench-viewer-'));
const site = await servePage();
const svc = await startChild(home, ['--allowed-origins', site.origin]);
const browser = await launchChromium({ viewport: { width: 1280, height: 900 } });
try {
  // The page: a plain <script> tag and the element, on an origin the administrator allowed.
  site.html = `<!doctype html><html lang="en"><body style="margin:0"><script src="${svc.base}/sdk/scanbridge.js"></script></body></html>`;
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
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    // A new viewer each round, its thumbnails a pixel larger than the last round's: sizes not rendered
    // yet, so no round is served by the service's thumbnail cache or the browser's.
    const firstThumbnailMs = await page.evaluate((size) => {
      document.querySelector('scan-viewer')?.remove();
      const viewer = document.createElement('scan-viewer');
      viewer.style.cssText = `height:100vh; --thumb-size:${size}px`;
      document.body.prepend(viewer);
      window.benchFailed = 0;
      // <img> errors do not bubble; a capturing listener on the shadow root sees them.
      viewer.shadowRoot.addEventListener('error', () => window.benchFailed++, true);
      performance.clearMarks('scan-viewer:first-thumbnail');
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
    }, 112 + r);

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
      // How long until every thumbnail in view at the end has loaded (or failed).
      const thumbs = [...strip.querySelectorAll('.thumb')];
      const inView = () => thumbs.filter((el) => el.dataset.visible);
      const deadline = performance.now() + 60_000;
      while (!inView().every((el) => el.classList.contains('loaded')) && window.benchFailed === 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const requested = thumbs.filter((el) => el.querySelector('img').getAttribute('src')).length;
      return { frames, seconds: (last - startedAt) / 1000, lastThumbnailsMs: performance.now() - reachedEnd, requested, total: thumbs.length, failed: window.benchFailed };
    }, Number(values.speed));

    const period = [...scroll.frames].sort((a, b) => a - b)[Math.floor(scroll.frames.length / 2)];
    const dropped = scroll.frames.reduce((sum, dt) => sum + Math.max(0, Math.round(dt / period) - 1), 0);
    rounds.push({ firstThumbnailMs, ...scroll, period, dropped, droppedPct: (100 * dropped) / (scroll.frames.length + dropped), slowest: Math.max(...scroll.frames) });
  }

  console.log(`bench/viewer: <scan-viewer> with ${PAGES} A4 ${values.dpi} dpi colour pages (demo scanner), headless Chromium, ${ROUNDS} rounds (a new viewer each, thumbnails of a size not rendered yet)`);
  console.log(`  ${loadAtStart} (at start)`);
  console.log(`  ${machineLoad()} (at end)`);
  console.log(`  buffer filled in ${scanSeconds.toFixed(1)} s (not part of the viewer's numbers)`);
  for (const [i, r] of rounds.entries()) {
    console.log(`  round ${i + 1}: first thumbnail ${r.firstThumbnailMs.toFixed(0)} ms; scroll to the end (${values.speed} px per frame): ${r.frames.length} frames in ${r.seconds.toFixed(1)} s, frame period ${r.period.toFixed(1)} ms, ${r.dropped} dropped (${r.droppedPct.toFixed(1)} %), slowest ${r.slowest.toFixed(0)} ms; in view at the end shown ${r.lastThumbnailsMs.toFixed(0)} ms after; ${r.requested} of ${r.total} thumbnails fetched, ${r.failed} failed`);
  }
  console.log(`  ${valueLine('time to first thumbnail', rounds.map((r) => r.firstThumbnailMs), '<= 1000 ms', 0)}`);
  console.log(`  ${valueLine('frames dropped while scrolling', rounds.map((r) => r.droppedPct), '<= 10 %')}`);
  console.log(`  ${valueLine('thumbnails in view shown after the scroll', rounds.map((r) => r.lastThumbnailsMs), '<= 1000 ms', 0)}`);
  console.log(`  ${valueLine(`thumbnails refused or failed (${PAGES}-page viewer)`, rounds.map((r) => r.failed), '<= 0', 0)}`);
} finally {
  await browser.close();
  await svc.stop();
  await site.close();
  await rm(home, { recursive: true, force: true });
}
