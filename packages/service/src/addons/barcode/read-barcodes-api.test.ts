/**
 * ReadBarcodes over the API on generated pages: exact text, bytes, corners in
 * page pixels, formats and region honoured, results per page version, and
 * every kind of bad input refused with invalid-params naming what is allowed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PageBarcodes, PageInfo } from '@scanbridge/protocol';
import { rpc, startInProcess, type InProcess } from '../../test-support/service-harness.js';
import { composePage, symbology } from './test-corpus.js';
import { readBufferPages } from './read-buffer.js';
import { BarcodePool, sharedBarcodePool } from './worker-pool.js';

const DPI = 200;
const mmToPx = (mm: number) => Math.round((mm * DPI) / 25.4);

describe('ReadBarcodes over the API', () => {
  let svc: InProcess;
  let session: string;
  let page: PageInfo;
  let blank: PageInfo;
  const qr = symbology('QRCode');
  const c128 = symbology('Code128');

  const call = (method: string, params: object = {}) => rpc(svc.base, 'f', method, params, session);
  const ok = async <T>(method: string, params: object = {}): Promise<T> => {
    const res = await call(method, params);
    assert.equal(res.status, 200, `${method}: ${JSON.stringify(res.body).slice(0, 400)}`);
    return res.body.result![0] as T;
  };
  const refused = async (params: object, ...mentions: string[]) => {
    const res = await call('ReadBarcodes', params);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error?.code, 'invalid-params');
    for (const m of mentions) assert.ok(res.body.error!.message.includes(m), `${res.body.error!.message} should mention ${m}`);
  };

  before(async () => {
    svc = await startInProcess();
    session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    const composed = await composePage({ dpi: DPI, codes: [{ symbology: qr, x: 20, y: 20 }, { symbology: c128, x: 20, y: 200 }] });
    const empty = await composePage({ dpi: DPI, codes: [], stripes: true });
    page = (await ok<PageInfo[]>('LoadImages', { data: composed.bytes.toString('base64') }))[0]!;
    blank = (await ok<PageInfo[]>('LoadImages', { data: empty.bytes.toString('base64') }))[0]!;
  });
  after(() => svc.close());

  it('reads every code of a page with exact text, bytes and corners in page pixels', async () => {
    const [result] = await ok<PageBarcodes[]>('ReadBarcodes', { pages: [page.id] });
    assert.equal(result!.page, page.id);
    assert.equal(result!.timedOut, false);
    assert.deepEqual(
      result!.barcodes.map((b) => [b.format, b.text, Buffer.from(b.bytes, 'base64').toString('utf8'), b.utf8, b.pageId]),
      [
        ['QRCode', qr.text, qr.text, true, page.id],
        ['Code128', c128.text, c128.text, true, page.id],
      ],
    );
    const [q, bar] = result!.barcodes;
    // The QR code's image was placed at (20 mm, 20 mm); the symbol starts after bwip-js's padding (10 x 4 px).
    assert.ok(Math.abs(q!.position.topLeft.x - mmToPx(20) - 40) < 4 && Math.abs(q!.position.topLeft.y - mmToPx(20) - 40) < 4, JSON.stringify(q!.position));
    assert.ok(Math.abs(bar!.position.topLeft.y - mmToPx(200)) < 150, JSON.stringify(bar!.position));
    assert.equal(q!.orientation, 0);
  });

  it('answers nothing on a page without codes, stripes included', async () => {
    const [result] = await ok<PageBarcodes[]>('ReadBarcodes', { pages: [blank.index], tryInvert: true });
    assert.deepEqual(result!.barcodes, []);
  });

  it('looks only for the formats asked, and only in the region asked (positions stay page pixels)', async () => {
    const [only128] = await ok<PageBarcodes[]>('ReadBarcodes', { pages: [0], formats: ['Code128'] });
    assert.deepEqual(
      only128!.barcodes.map((b) => b.format),
      ['Code128'],
    );
    // The lower half of the page (percent), then the same in pixels.
    const [lower] = await ok<PageBarcodes[]>('ReadBarcodes', { pages: [0], region: { unit: 'percent', x: 0, y: 50, width: 100, height: 50 } });
    assert.deepEqual(
      lower!.barcodes.map((b) => b.text),
      [c128.text],
    );
    assert.ok(lower!.barcodes[0]!.position.topLeft.y > page.height / 2);
    const [upper] = await ok<PageBarcodes[]>('ReadBarcodes', { pages: [0], region: { x: 0, y: 0, width: page.width, height: Math.round(page.height / 2) } });
    assert.deepEqual(
      upper!.barcodes.map((b) => b.text),
      [qr.text],
    );
  });

  it('reads the selection', async () => {
    await ok('SelectImages', { pages: [1] });
    const results = await ok<PageBarcodes[]>('ReadBarcodes', { selected: true });
    assert.deepEqual(
      results.map((r) => r.page),
      [blank.id],
    );
  });

  it('a page out of time answers what it found with timedOut: true', async () => {
    const [result] = await ok<PageBarcodes[]>('ReadBarcodes', { pages: [0], timeout: 1, tryInvert: true });
    assert.equal(result!.timedOut, true);
    // The service goes on reading afterwards.
    const [again] = await ok<PageBarcodes[]>('ReadBarcodes', { pages: [0], formats: ['QRCode'] });
    assert.deepEqual(
      again!.barcodes.map((b) => b.text),
      [qr.text],
    );
  });

  it('a reader thread that dies mid-call fails the call with barcode-reader-crashed; the service reads on', async () => {
    const calling = call('ReadBarcodes', { pages: [0], tryInvert: true, formats: ['Code128', 'EAN13', 'ITF'] });
    // The in-process service uses this process' shared pool: end its busy thread as a crash would.
    while (!sharedBarcodePool().killBusyWorkerForTest()) await new Promise((r) => setTimeout(r, 5));
    const res = await calling;
    assert.equal(res.status, 500, JSON.stringify(res.body));
    assert.equal(res.body.error?.code, 'barcode-reader-crashed');
    assert.match(res.body.error!.message, /^Page 0 \(id /);
    const [again] = await ok<PageBarcodes[]>('ReadBarcodes', { pages: [0], formats: ['Code128'], tryInvert: true });
    assert.deepEqual(
      again!.barcodes.map((b) => b.text),
      [c128.text],
    );
    assert.equal((await ok<number>('GetImageCount')), 2, 'no page lost');
  });

  it('refuses bad input with invalid-params naming what is allowed', async () => {
    await refused({ pages: [0], formats: ['QR'] }, 'formats.0', 'QRCode', 'Code128');
    await refused({ pages: [0], region: { x: 0, y: 0, width: page.width + 1, height: 10 } }, 'region', String(page.width));
    await refused({ pages: [0], region: { unit: 'percent', x: 50, y: 0, width: 60, height: 10 } }, 'region', '100');
    await refused({ pages: [7] }, 'pages.0', 'indices 0 to 1');
    await refused({ pages: ['no-such-page'] }, 'pages.0', 'GetImagesInfo');
    await refused({ pages: [0], timeout: -1 }, 'timeout', '>= 0');
    await refused({}, 'pages', 'selected');
  });
});

describe('ReadBarcodes results per page version', () => {
  let svc: InProcess;
  let session: string;
  const pool = new BarcodePool(1);
  let reads = 0;
  const run = pool.run.bind(pool);
  pool.run = (task, signal) => {
    reads++;
    return run(task, signal);
  };

  before(async () => {
    svc = await startInProcess();
    session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    const composed = await composePage({ dpi: 150, codes: [{ symbology: symbology('DataMatrix'), x: 20, y: 20 }] });
    await rpc(svc.base, 'f', 'LoadImages', { data: composed.bytes.toString('base64') }, session);
  });
  after(async () => {
    await pool.close();
    await svc.close();
  });

  it('an unchanged page is not read again; an edited one is', async () => {
    const buffer = svc.service.ctx.sessions.get(session).buffer;
    const first = await readBufferPages(buffer, { pages: [0], formats: ['DataMatrix'], maxSymbols: 255, tryHarder: true, tryRotate: true, tryInvert: false, timeout: 0 }, pool);
    assert.deepEqual(first[0]!.barcodes.map((b) => b.text), [symbology('DataMatrix').text]);
    const afterFirst = reads;
    assert.ok(afterFirst > 0);
    await readBufferPages(buffer, { pages: [0], formats: ['DataMatrix'], maxSymbols: 255, tryHarder: true, tryRotate: true, tryInvert: false, timeout: 0 }, pool);
    assert.equal(reads, afterFirst, 'the second read came from the cache');
    await rpc(svc.base, 'f', 'EraseImages', { pages: [0], x: 0, y: 0, width: 600, height: 600 }, session);
    const erased = await readBufferPages(buffer, { pages: [0], formats: ['DataMatrix'], maxSymbols: 255, tryHarder: true, tryRotate: true, tryInvert: false, timeout: 0 }, pool);
    assert.ok(reads > afterFirst, 'the edited page was read again');
    assert.deepEqual(erased[0]!.barcodes, []);
    assert.equal(erased[0]!.version, 2);
  });
});
