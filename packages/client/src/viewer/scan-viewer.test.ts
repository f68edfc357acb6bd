/**
 * <scan-viewer> in real Chromium, loaded the way a plain page would load it:
 * a <script> tag with the single-file SDK from the service
 * (/sdk/scanbridge.js), on a page of an origin the administrator allowed. Selection, keyboard, reordering, deleting,
 * live updates, screen reader labels, and errors that reach the page as events.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JobInfo, OcrPage, PageInfo } from '@scanbridge/protocol';
import { textPage } from '@scanbridge/service/dist/addons/ocr/test-pages.js';
import { rpc, startInProcess, type InProcess } from '@scanbridge/service/dist/test-support/service-harness.js';
import type { Page } from 'playwright-core';
import { launchChromium, until, type Browser } from '../test-support/chromium.js';
import { servePage, type PageServer } from '../test-support/page-server.js';
import { composePage, symbology } from '@scanbridge/service/dist/addons/barcode/test-corpus.js';

declare const scanbridge: typeof import('../browser.js');
type TestWindow = { client: import('../client.js').ScanbridgeClient; errors: string[] };

describe('<scan-viewer> in Chromium', () => {
  let svc: InProcess;
  let browser: Browser;
  let page: Page;
  let session: string;
  let site: PageServer;

  const pages = async () => (await rpc(svc.base, 'f', 'GetImagesInfo', {}, session)).body.result![0] as PageInfo[];
  const scan = async (sheets: number) => {
    const job = (await rpc(svc.base, 'f', 'StartScan', { device: 'demo:scanner', settings: { source: 'feeder', dpi: 75, mode: 'gray', options: { sheets } } }, session)).body.result![0] as JobInfo;
    await rpc(svc.base, 'f', 'WaitJob', { job: job.id }, session);
  };
  const thumbs = () => page.locator('scan-viewer .thumb');
  const shown = () => thumbs().evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.id!));
  const selected = () => page.locator('scan-viewer .thumb[aria-selected=true]').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.id!));
  const announced = (text: string) => page.locator('scan-viewer [role=status]', { hasText: text }).waitFor({ state: 'attached' });

  before(async () => {
    // The page's origin is allowed by the administrator (AllowedOrigins), so connect() gets its token without asking.
    site = await servePage();
    svc = await startInProcess({ 'allowed-origins': site.origin });
    site.html = `<!doctype html><html lang="en"><body><scan-viewer layout="strip" style="height:560px;width:900px"></scan-viewer><script src="${svc.base}/sdk/scanbridge.js"></script></body></html>`;
    browser = await launchChromium();
    page = browser.page;
    await page.goto(`${site.origin}/`);
    session = await page.evaluate(async (port) => {
      const w = window as unknown as TestWindow;
      w.errors = [];
      w.client = await scanbridge.connect({ httpPort: port });
      const viewer = document.querySelector('scan-viewer')!;
      viewer.addEventListener('scanbridge-error', (e) => w.errors.push((e as CustomEvent<{ error: { code: string } }>).detail.error.code));
      viewer.client = w.client;
      return w.client.sessionId;
    }, svc.ports.http);
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
    await site?.close();
  });

  it('the script-tag build defines the global and the element', async () => {
    assert.deepEqual(
      await page.evaluate(() => [typeof scanbridge.connect, typeof scanbridge.ScanbridgeError, customElements.get('scan-viewer') === scanbridge.ScanViewer]),
      ['function', 'function', true],
    );
  });

  it('shows pages as they arrive from a scan, labelled for screen readers', async () => {
    await scan(6);
    await until(shown, (ids) => ids.length === 6);
    assert.deepEqual(await shown(), (await pages()).map((p) => p.id));
    const strip = page.locator('scan-viewer [role=listbox]');
    assert.equal(await strip.getAttribute('aria-multiselectable'), 'true');
    assert.equal(await strip.getAttribute('aria-label'), 'Pages');
    assert.deepEqual(await thumbs().evaluateAll((els) => els.map((el) => [el.getAttribute('role'), el.getAttribute('aria-label'), el.getAttribute('aria-setsize')])), [1, 2, 3, 4, 5, 6].map((n) => ['option', `Page ${n} of 6`, '6']));
    await announced('6 pages.');
    // Thumbnails come at device-pixel size through the signed image URL.
    const src = await thumbs().first().locator('img').getAttribute('src');
    assert.match(src!, /\/dwt\/dwt_\d+\/img\?id=[0-9a-f]{32}&page=[\w-]+&width=112&height=158&ticks=\d+&exp=\d+&sig=[\w-]+$/);
    await page.waitForFunction(() => document.querySelector('scan-viewer')!.shadowRoot!.querySelector<HTMLImageElement>('.thumb img')!.naturalWidth > 0);
  });

  it('selects with click, ctrl-click, shift-click and Ctrl+A, and tells the service', async () => {
    const ids = await shown();
    await thumbs().nth(1).click();
    assert.deepEqual(await selected(), [ids[1]]);
    await thumbs().nth(3).click({ modifiers: ['Control'] });
    assert.deepEqual(await selected(), [ids[1], ids[3]]);
    await thumbs().nth(5).click({ modifiers: ['Shift'] });
    assert.deepEqual(await selected(), [ids[3], ids[4], ids[5]]);
    await until(async () => (await rpc(svc.base, 'f', 'GetSelectedImages', {}, session)).body.result![0] as string[], (sel) => sel.join() === [ids[3], ids[4], ids[5]].join());
    await page.keyboard.press('Control+a');
    assert.deepEqual(await selected(), ids);
    await announced('All 6 pages selected.');
  });

  it('navigates and reorders with the keyboard', async () => {
    const ids = await shown();
    await thumbs().nth(0).click();
    const strip = page.locator('scan-viewer [role=listbox]');
    assert.equal(await strip.getAttribute('aria-activedescendant'), `p-${ids[0]}`);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal(await strip.getAttribute('aria-activedescendant'), `p-${ids[2]}`);
    assert.deepEqual(await selected(), [ids[2]]);
    await page.keyboard.press('Shift+ArrowDown');
    assert.deepEqual(await selected(), [ids[2], ids[3]]);
    await page.keyboard.press('End');
    assert.equal(await strip.getAttribute('aria-activedescendant'), `p-${ids[5]}`);
    // Alt+ArrowUp moves the current page one place up.
    await page.keyboard.press('Alt+ArrowUp');
    const expected = [ids[0], ids[1], ids[2], ids[3], ids[5], ids[4]];
    await until(async () => (await pages()).map((p) => p.id), (order) => order.join() === expected.join());
    await until(shown, (order) => order.join() === expected.join());
    await announced('Page moved to position 5 of 6.');
  });

  it('reorders by drag and drop', async () => {
    const ids = await shown();
    await thumbs().nth(0).scrollIntoViewIfNeeded();
    // Onto the lower half of the first page: after it.
    await thumbs().nth(2).dragTo(thumbs().nth(0), { targetPosition: { x: 30, y: 150 } });
    const expected = [ids[0], ids[2], ids[1], ids[3], ids[4], ids[5]];
    await until(async () => (await pages()).map((p) => p.id), (order) => order.join() === expected.join());
    await until(shown, (order) => order.join() === expected.join());
  });

  it('deletes the selected pages with the Delete key', async () => {
    const ids = await shown();
    await thumbs().nth(1).click();
    await thumbs().nth(2).click({ modifiers: ['Shift'] });
    await page.keyboard.press('Delete');
    await until(async () => (await pages()).map((p) => p.id), (order) => order.join() === [ids[0], ids[3], ids[4], ids[5]].join());
    await until(shown, (order) => order.length === 4);
    await announced('2 pages deleted.');
    assert.deepEqual(await thumbs().evaluateAll((els) => els.map((el) => el.getAttribute('aria-label'))), [1, 2, 3, 4].map((n) => `Page ${n} of 4`));
  });

  it('rotates with R and shows the new version of the page', async () => {
    const before = (await pages())[0]!;
    await thumbs().nth(0).click();
    await page.keyboard.press('r');
    const after = (await until(pages, (list) => list[0]!.version > before.version))[0]!;
    assert.deepEqual([after.width, after.height], [before.height, before.width]);
    await page.waitForFunction((v) => document.querySelector('scan-viewer')!.shadowRoot!.querySelector<HTMLImageElement>('img.large')!.src.includes(`ticks=${v}&`), after.version);
  });

  it('scrolls through many pages fetching only the thumbnails in view', async () => {
    await scan(40);
    await until(shown, (ids) => ids.length === 44);
    const requested = () => thumbs().evaluateAll((els) => els.filter((el) => el.querySelector('img')!.getAttribute('src')).length);
    assert.ok((await requested()) < 20, `only the visible thumbnails are requested, not ${await requested()}`);
    await page.locator('scan-viewer [role=listbox]').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.waitForFunction(() => {
      const all = [...document.querySelector('scan-viewer')!.shadowRoot!.querySelectorAll<HTMLElement>('.thumb')];
      return all.at(-1)!.classList.contains('loaded');
    });
    assert.ok((await requested()) < 30, 'thumbnails scrolled past before loading were dropped');
  });

  it('outlines the codes found on the shown page at their corners, and marks where each document ends', async () => {
    await rpc(svc.base, 'f', 'RemoveAllImages', {}, session);
    const dpi = 150;
    const qr = symbology('QRCode');
    const separator = (text: string) => composePage({ dpi, codes: [{ symbology: { ...symbology('Code128'), text }, x: 30, y: 30 }, { symbology: qr, x: 120, y: 180 }] });
    const plain = await composePage({ dpi, codes: [], stripes: true });
    for (const file of [await separator('DOC-A'), plain, await separator('DOC-B'), plain]) {
      await rpc(svc.base, 'f', 'LoadImages', { data: file.bytes.toString('base64') }, session);
    }
    await until(shown, (ids) => ids.length === 4);
    // In the page: read the first page's codes with the SDK and hand them to the viewer.
    const codes = await page.evaluate(async () => {
      const w = window as unknown as TestWindow;
      const viewer = document.querySelector('scan-viewer')!;
      viewer.setAttribute('barcodes', '');
      const results = await w.client.readBarcodes({ pages: [0], formats: ['Code128', 'QRCode'] });
      viewer.setCurrent(results[0]!.page);
      viewer.showBarcodes(results);
      return results[0]!.barcodes;
    });
    assert.deepEqual(codes.map((c) => c.text).sort(), ['DOC-A', qr.text].sort());
    await page.waitForFunction(() => document.querySelector('scan-viewer')!.shadowRoot!.querySelectorAll('.codes polygon').length === 2);
    // Each outline sits where its code is: corners in page pixels, scaled to the shown image.
    const [first] = await pages();
    const drawn = await page.evaluate(() => {
      const root = document.querySelector('scan-viewer')!.shadowRoot!;
      const img = root.querySelector<HTMLImageElement>('img.large')!.getBoundingClientRect();
      return [...root.querySelectorAll<SVGPolygonElement>('.codes polygon')].map((p) => {
        const r = p.getBoundingClientRect();
        return { text: p.dataset.text!, title: p.querySelector('title')!.textContent, left: r.left - img.left, top: r.top - img.top, width: r.width, scale: img.width };
      });
    });
    for (const code of codes) {
      const d = drawn.find((x) => x.text === code.text)!;
      const s = d.scale / first!.width;
      const xs = [code.position.topLeft.x, code.position.topRight.x, code.position.bottomRight.x, code.position.bottomLeft.x];
      const ys = [code.position.topLeft.y, code.position.topRight.y, code.position.bottomRight.y, code.position.bottomLeft.y];
      assert.equal(d.title, `${code.format}: ${code.text}`);
      // Within the outline's stroke (3 px) of the corners' box.
      assert.ok(Math.abs(d.left - Math.min(...xs) * s) <= 3 && Math.abs(d.top - Math.min(...ys) * s) <= 3, JSON.stringify({ d, xs, ys, s }));
      assert.ok(Math.abs(d.width - (Math.max(...xs) - Math.min(...xs)) * s) <= 4, JSON.stringify({ d, xs, s }));
    }
    // Another page shows no outlines; back on the first, they are there again.
    await thumbs().nth(1).click();
    await page.waitForFunction(() => document.querySelector('scan-viewer')!.shadowRoot!.querySelectorAll('.codes polygon').length === 0);

    // Split on the separators from the page: the viewer marks the last page of each document.
    const docs = await page.evaluate(() => (window as unknown as TestWindow).client.splitDocuments({ on: 'barcode', pattern: '^DOC-' }));
    assert.deepEqual(
      docs.map((d) => d.barcode?.text),
      ['DOC-A', 'DOC-B'],
    );
    const marks = () => thumbs().evaluateAll((els) => els.map((el) => [el.classList.contains('doc-start'), el.classList.contains('doc-end'), el.getAttribute('aria-label')]));
    await until(marks, (m) => m.filter((x) => x[1]).length === 2);
    assert.deepEqual(await marks(), [
      [true, false, 'Page 1 of 4'],
      [false, true, 'Page 2 of 4, end of document DOC-A'],
      [true, false, 'Page 3 of 4'],
      [false, true, 'Page 4 of 4, end of document DOC-B'],
    ]);
    // Removing the last page: the documents follow, and so do the marks.
    await rpc(svc.base, 'f', 'RemoveImages', { pages: [3] }, session);
    await until(marks, (m) => m.length === 3 && m[2]![1] === true);
    assert.equal((await marks())[2]![2], 'Page 3 of 3, end of document DOC-B');
  });

  it('recognises a page from the page (client.recognize) and shows its words over the large page', async () => {
    const printed = await textPage({ text: 'en', dpi: 200, font: 'liberation-serif' });
    const info = ((await rpc(svc.base, 'f', 'LoadImages', { data: printed.bytes.toString('base64') }, session)).body.result![0] as PageInfo[])[0]!;
    await until(shown, (ids) => ids.includes(info.id));
    const r = await page.evaluate(async (id) => {
      const w = window as unknown as TestWindow;
      const [result] = await w.client.recognize({ pages: [id], languages: ['eng'], output: ['text', 'words'] });
      const viewer = document.querySelector('scan-viewer')!;
      viewer.setCurrent(id);
      viewer.showWords(result!.words!);
      return result!;
    }, info.id);
    assert.match(r.text!, /The quarterly report was delivered/);
    const words = (r.words as OcrPage).blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
    await page.waitForFunction((n) => document.querySelector('scan-viewer')!.shadowRoot!.querySelectorAll('.word').length === n, words.length);
    await page.waitForFunction(() => document.querySelector('scan-viewer')!.shadowRoot!.querySelector<HTMLImageElement>('img.large')!.naturalWidth > 0);
    // Each box sits where its word is on the page as shown: the first word's box, relative to the image, matches its page pixels.
    const at = await page.evaluate(() => {
      const root = document.querySelector('scan-viewer')!.shadowRoot!;
      const img = root.querySelector('img.large')!.getBoundingClientRect();
      const word = root.querySelector('.word')!;
      const box = word.getBoundingClientRect();
      return { text: word.textContent, x: (box.left - img.left) / img.width, y: (box.top - img.top) / img.height, w: box.width / img.width };
    });
    const first = words[0]!;
    assert.equal(at.text, first.text);
    assert.ok(Math.abs(at.x - first.box[0] / info.width) < 0.005 && Math.abs(at.y - first.box[1] / info.height) < 0.005, JSON.stringify({ at, box: first.box }));
    assert.ok(Math.abs(at.w - (first.box[2] - first.box[0]) / info.width) < 0.005);
    // An edit (a new version) takes the words away.
    await rpc(svc.base, 'f', 'RotateImages', { pages: [info.id], angle: 180 }, session);
    await page.waitForFunction(() => document.querySelector('scan-viewer')!.shadowRoot!.querySelectorAll('.word').length === 0);
  });

  it('turns a failed call into a scanbridge-error event, never an unhandled rejection', async () => {
    // The session disappears behind the viewer's back (closed by another tab, expired).
    await rpc(svc.base, 'f', 'CloseSession', {}, session);
    await thumbs().nth(0).click();
    await page.keyboard.press('Delete');
    await page.waitForFunction(() => (window as unknown as TestWindow).errors.includes('unknown-session'));
    await page.locator('scan-viewer [role=status]', { hasText: 'Error: ' }).waitFor({ state: 'attached' });
    assert.deepEqual(browser.pageErrors.map(String), []);
  });
});
