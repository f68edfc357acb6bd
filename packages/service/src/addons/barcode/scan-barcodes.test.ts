/**
 * The `barcodes` scan setting with the demo scanner: each page is read as it
 * arrives; its page event and GetImagesInfo carry its codes (exact texts of
 * the demo's Code 128 and QR code), and the page is tagged per format.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import type { BarcodeResult, JobInfo, PageInfo } from '@scanbridge/protocol';
import { rpc, startInProcess, tokenFor, type InProcess } from '../../test-support/service-harness.js';
import { documentId, qrText } from '../../devices/demo/page-render.js';

describe('barcodes read while scanning', () => {
  let svc: InProcess;
  let session: string;
  const call = (method: string, params: object = {}) => rpc(svc.base, 'f', method, params, session);

  before(async () => {
    svc = await startInProcess();
    session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
  });
  after(() => svc.close());

  it('page events and GetImagesInfo carry each page its codes; pages are tagged barcode:<format>', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${svc.ports.http}/ws?id=${session}&token=${tokenFor(svc.base)}`);
    const events: { event: string; data: { type?: string; index?: number; pageId?: string; barcodes?: BarcodeResult[] } }[] = [];
    ws.on('message', (d) => events.push(JSON.parse(d.toString())));
    await new Promise((resolve) => ws.once('open', resolve));
    const start = await call('StartScan', { device: 'demo:scanner', settings: { source: 'feeder', duplex: true, dpi: 200, mode: 'gray', options: { sheets: 2 }, barcodes: {} } });
    assert.equal(start.status, 200, JSON.stringify(start.body));
    let job = start.body.result![0] as JobInfo;
    while (job.state === 'running') job = (await call('WaitJob', { job: job.id })).body.result![0] as JobInfo;
    assert.equal(job.state, 'done', JSON.stringify(job.error));
    const expected = [1, 2].flatMap((sheet) =>
      (['front', 'back'] as const).map((face, i) => [
        ['Code128', documentId(sheet, face)],
        ['QRCode', qrText({ sheet, face, page: (sheet - 1) * 2 + i + 1, pages: 4 })],
      ]),
    );
    const pages = (await call('GetImagesInfo')).body.result![0] as PageInfo[];
    assert.deepEqual(
      pages.map((p) => (p.barcodes ?? []).map((b) => [b.format, b.text]).sort()),
      expected.map((codes) => [...codes].sort()),
    );
    for (const p of pages) assert.ok(p.tags.includes('barcode:Code128') && p.tags.includes('barcode:QRCode'), p.tags.join(','));
    const pageEvents = events.filter((e) => e.event === 'job' && e.data.type === 'page');
    assert.deepEqual(
      pageEvents.map((e) => e.data.index),
      [0, 1, 2, 3],
    );
    assert.deepEqual(
      pageEvents.map((e) => (e.data.barcodes ?? []).map((b) => b.text).sort()),
      pages.map((p) => p.barcodes!.map((b) => b.text).sort()),
    );
    // `done` comes after the last page event.
    const types = events.filter((e) => e.event === 'job').map((e) => e.data.type);
    assert.equal(types.at(-1), 'done');
    ws.close();
  });

  it('formats and a region (percent) limit what is read; an edited page shows no stale codes', async () => {
    await call('RemoveAllImages');
    const start = await call('StartScan', { device: 'demo:scanner', settings: { dpi: 150, mode: 'gray', barcodes: { formats: ['QRCode'], region: { unit: 'percent', x: 0, y: 0, width: 100, height: 100 } } } });
    let job = start.body.result![0] as JobInfo;
    while (job.state === 'running') job = (await call('WaitJob', { job: job.id })).body.result![0] as JobInfo;
    let [page] = (await call('GetImagesInfo')).body.result![0] as PageInfo[];
    assert.deepEqual(
      page!.barcodes!.map((b) => b.format),
      ['QRCode'],
    );
    assert.ok(page!.tags.includes('barcode:QRCode') && !page!.tags.includes('barcode:Code128'));
    await call('RotateImages', { pages: [0], angle: 90 });
    [page] = (await call('GetImagesInfo')).body.result![0] as PageInfo[];
    assert.equal(page!.barcodes, undefined);
  });

  it('refuses an unknown format in the scan settings, naming the allowed ones', async () => {
    const res = await call('StartScan', { device: 'demo:scanner', settings: { dpi: 150, barcodes: { formats: ['Code 128'] } } });
    assert.equal(res.status, 400);
    assert.equal(res.body.error?.code, 'invalid-params');
    assert.match(res.body.error!.message, /barcodes\.formats\.0.*Code128/);
  });
});
