/** The demo driver's scanning behaviour: page counts per source, progress, back-pressure, faults and cancellation. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { ScanbridgeError } from '@scanbridge/protocol';
import { DemoDriver } from './demo-driver.js';
import { clearTemplates, pageTemplate } from './page-template.js';
import { tone } from './tone.js';
import { pngHeader, recordingSink, settings } from './test-helpers.js';

const never = (): AbortSignal => new AbortController().signal;

describe('demo driver scanning', () => {
  it('delivers one page from the flatbed, with progress from 0 to 1', async () => {
    const sink = recordingSink();
    await new DemoDriver().scan('demo:flatbed', settings({ dpi: 100, mode: 'gray', paper: 'A4' }), sink, never());
    assert.equal(sink.pages.length, 1);
    const page = sink.pages[0];
    assert.ok(page);
    assert.deepEqual([page.width, page.height, page.mode, page.bitDepth], [827, 1169, 'gray', 8]);
    const progress = sink.events.flatMap((e) => (e.type === 'progress' ? [e.progress] : []));
    assert.deepEqual(progress.at(0), { page: 1, fraction: 0, bytes: 0, lines: 0 });
    assert.deepEqual(progress.at(-1), { page: 1, fraction: 1, bytes: 827 * 1169, lines: 1169 });
    assert.equal(sink.events.at(-1)?.type, 'page');
  });

  it('feeds the default number of sheets, or the sheets option', async () => {
    const driver = new DemoDriver({ feederSheets: 3 });
    const three = recordingSink();
    await driver.scan('demo:scanner', settings({ source: 'feeder', dpi: 75 }), three, never());
    assert.equal(three.pages.length, 3);
    const five = recordingSink();
    await driver.scan('demo:scanner', settings({ source: 'feeder', dpi: 75, mode: 'bw', options: { sheets: 5 } }), five, never());
    assert.equal(five.pages.length, 5);
    assert.ok(five.pages.every((p) => p.bitDepth === 1 && pngHeader(p.bytes).bitDepth === 1));
  });

  it('scans both sides in duplex: two pages per sheet, numbered in order', async () => {
    const sink = recordingSink();
    await new DemoDriver().scan('demo:scanner', settings({ source: 'feeder', duplex: true, dpi: 75, options: { sheets: 3 } }), sink, never());
    assert.equal(sink.pages.length, 6);
    const starts = sink.events.flatMap((e) => (e.type === 'progress' && e.progress.fraction === 0 ? [e.progress.page] : []));
    assert.deepEqual(starts, [1, 2, 3, 4, 5, 6]);
  });

  it('waits for the sink to take a page before reading the next one', async () => {
    let busy = false;
    const sink = recordingSink(async () => {
      busy = true;
      await sleep(30);
      busy = false;
    });
    const progress = sink.progress.bind(sink);
    sink.progress = (p) => {
      assert.equal(busy, false, `progress of page ${p.page} while the sink still held the previous page`);
      progress(p);
    };
    await new DemoDriver().scan('demo:scanner', settings({ source: 'feeder', dpi: 75, options: { sheets: 4 } }), sink, never());
    assert.equal(sink.pages.length, 4);
  });

  it('reports progress while a slow scanner moves the page', async () => {
    const sink = recordingSink();
    await new DemoDriver().scan('demo:flatbed', settings({ dpi: 75, options: { pageDelay: 200 } }), sink, never());
    const fractions = sink.events.flatMap((e) => (e.type === 'progress' ? [e.progress.fraction] : []));
    assert.ok(fractions.length >= 4, `${fractions.length} progress reports`);
    assert.deepEqual([...fractions].sort((a, b) => a - b), fractions);
    assert.ok(fractions.some((f) => f > 0 && f < 1));
  });

  it('keeps the pages before a paper jam, then fails with paper-jam', async () => {
    const sink = recordingSink();
    const scan = new DemoDriver().scan('demo:scanner', settings({ source: 'feeder', duplex: true, dpi: 75, options: { sheets: 5, jamAfter: 3 } }), sink, never());
    await assert.rejects(scan, {
      code: 'paper-jam',
      message: 'Paper jam in the feeder of demo:scanner at page 4 (sheet 2); 3 pages were scanned before it',
    });
    assert.equal(sink.pages.length, 3);
  });

  it('jamAt: n jams at page n, keeping the pages before it', async () => {
    const sink = recordingSink();
    const scan = new DemoDriver().scan('demo:scanner', settings({ source: 'feeder', dpi: 75, options: { sheets: 5, jamAt: 3 } }), sink, never());
    await assert.rejects(scan, { code: 'paper-jam', message: 'Paper jam in the feeder of demo:scanner at page 3 (sheet 3); 2 pages were scanned before it' });
    assert.equal(sink.pages.length, 2);
    // jamAt 1: nothing scanned; a jam past the last page never happens.
    const first = recordingSink();
    await assert.rejects(new DemoDriver().scan('demo:scanner', settings({ source: 'feeder', dpi: 75, options: { sheets: 2, jamAt: 1 } }), first, never()), { code: 'paper-jam' });
    assert.equal(first.pages.length, 0);
    const past = recordingSink();
    await new DemoDriver().scan('demo:scanner', settings({ source: 'feeder', dpi: 75, options: { sheets: 2, jamAt: 9 } }), past, never());
    assert.equal(past.pages.length, 2);
  });

  it('sheets: 0 is an empty feeder: feeder-empty, no page', async () => {
    const sink = recordingSink();
    const scan = new DemoDriver().scan('demo:scanner', settings({ source: 'feeder', duplex: true, dpi: 75, options: { sheets: 0 } }), sink, never());
    await assert.rejects(scan, (err: unknown) => err instanceof ScanbridgeError && err.code === 'feeder-empty' && /^The document feeder of demo:scanner is empty/.test(err.message));
    assert.equal(sink.pages.length, 0);
    assert.ok(!sink.events.some((e) => e.type === 'progress'), 'no page was started');
  });

  it('fails with cover-open before the first page', async () => {
    const sink = recordingSink();
    await assert.rejects(new DemoDriver().scan('demo:flatbed', settings({ options: { coverOpen: true } }), sink, never()), {
      code: 'cover-open',
      message: 'The cover of scanbridge Demo Flatbed (demo:flatbed) is open',
    });
    assert.equal(sink.events.length, 0);
  });

  it('stops within a page when cancelled mid-feeder', async () => {
    const controller = new AbortController();
    const sink = recordingSink((_, index) => {
      // Abort during the 300 ms feed of the third sheet.
      if (index === 1) setTimeout(() => controller.abort(), 60);
    });
    const settingsIn = settings({ source: 'feeder', dpi: 75, options: { sheets: 50, pageDelay: 300 } });
    await assert.rejects(new DemoDriver().scan('demo:scanner', settingsIn, sink, controller.signal), (err) => {
      assert.ok(err instanceof ScanbridgeError);
      assert.equal(err.code, 'job-cancelled');
      assert.equal(err.message, 'Scan cancelled at page 3');
      return true;
    });
    assert.equal(sink.pages.length, 2);
  });

  it('stops promptly while a slow first page is still rendering', async () => {
    clearTemplates();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const sink = recordingSink();
    await assert.rejects(new DemoDriver().scan('demo:flatbed', settings({ dpi: 600, paper: 'Legal', mode: 'color' }), sink, controller.signal), {
      code: 'job-cancelled',
      message: 'Scan cancelled at page 1',
    });
    assert.equal(sink.pages.length, 0);
    // The abandoned rendering goes on in the background; let it end before the next test.
    await pageTemplate({ widthMm: 215.9, heightMm: 355.6, dpi: 600, side: 'front', mode: 'color', tone: tone(0, 0) });
    clearTemplates();
  });

  it('does not start when the signal is already aborted', async () => {
    const sink = recordingSink();
    await assert.rejects(new DemoDriver().scan('demo:flatbed', settings(), sink, AbortSignal.abort()), { code: 'job-cancelled' });
    assert.equal(sink.events.length, 0);
  });

  it('stops after the page the sink was taking when the abort came', async () => {
    const controller = new AbortController();
    const sink = recordingSink((_, index) => {
      if (index === 1) controller.abort();
    });
    await assert.rejects(new DemoDriver().scan('demo:scanner', settings({ source: 'feeder', dpi: 75, options: { sheets: 9 } }), sink, controller.signal), {
      code: 'job-cancelled',
    });
    assert.equal(sink.pages.length, 2);
  });
});
