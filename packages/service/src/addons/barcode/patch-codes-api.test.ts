/**
 * Patch codes through ReadBarcodes: format `PatchCode`, text `Patch 1`..`Patch T`,
 * the bars' corners in page pixels turned with the sheet; looked for by
 * default and when asked alone, not when other formats are asked.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PATCH_CODE_TEXTS, type PageBarcodes, type PageInfo } from '@scanbridge/protocol';
import { rpc, startInProcess, type InProcess } from '../../test-support/service-harness.js';
import { composePage, patchSheetPage, symbology, type PatchText } from './test-corpus.js';

describe('patch codes through ReadBarcodes', () => {
  let svc: InProcess;
  let session: string;
  const call = (method: string, params: object = {}) => rpc(svc.base, 'f', method, params, session);
  const ok = async <T>(method: string, params: object = {}): Promise<T> => {
    const res = await call(method, params);
    assert.equal(res.status, 200, `${method}: ${JSON.stringify(res.body).slice(0, 400)}`);
    return res.body.result![0] as T;
  };
  const load = async (bytes: Buffer) => (await ok<PageInfo[]>('LoadImages', { data: bytes.toString('base64') }))[0]!;

  before(async () => {
    svc = await startInProcess();
    session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
  });
  after(() => svc.close());

  it('reads every patch code type at 200 and 300 dpi, by default and when asked alone', async () => {
    const pages: { text: PatchText; page: PageInfo }[] = [];
    for (const [i, text] of PATCH_CODE_TEXTS.entries()) {
      const sheet = await patchSheetPage(text, i % 2 === 0 ? 200 : 300);
      pages.push({ text, page: await load(sheet.bytes) });
    }
    const all = await ok<PageBarcodes[]>('ReadBarcodes', { pages: pages.map((p) => p.page.id) });
    const alone = await ok<PageBarcodes[]>('ReadBarcodes', { pages: pages.map((p) => p.page.id), formats: ['PatchCode'] });
    for (const results of [all, alone]) {
      assert.deepEqual(
        results.map((r) => r.barcodes.map((b) => [b.format, b.text, Buffer.from(b.bytes, 'base64').toString(), b.orientation])),
        pages.map((p) => [['PatchCode', p.text, p.text, 0]]),
      );
    }
  });

  it('answers the bars as corners in page pixels, turned with the sheet', async () => {
    const dpi = 200;
    const upright = await patchSheetPage('Patch T', dpi);
    const turned = await patchSheetPage('Patch T', dpi, 180);
    const a = await load(upright.bytes);
    const b = await load(turned.bytes);
    const [ra, rb] = await ok<PageBarcodes[]>('ReadBarcodes', { pages: [a.id, b.id], formats: ['PatchCode'] });
    const box = upright.barsBox;
    const near = (p: { x: number; y: number }, x: number, y: number) => assert.ok(Math.abs(p.x - x) <= 0.15 * dpi && Math.abs(p.y - y) <= 0.05 * dpi, `${JSON.stringify(p)} ~ ${x},${y}`);
    const pa = ra!.barcodes[0]!.position;
    near(pa.topLeft, box.x, box.y);
    near(pa.bottomRight, box.x + box.width, box.y + box.height);
    assert.equal(rb!.barcodes[0]!.text, 'Patch T');
    assert.equal(rb!.barcodes[0]!.orientation, 180);
    // Turned half a turn, the code's top left is the page's bottom right corner of the bars.
    const pb = rb!.barcodes[0]!.position;
    near(pb.topLeft, a.width - box.x, a.height - box.y);
    near(pb.bottomRight, a.width - box.x - box.width, a.height - box.y - box.height);
  });

  it('finds no patch code on pages with other codes or stripes, nor when other formats are asked', async () => {
    const codes = await composePage({ dpi: 300, codes: [], flow: [symbology('Code128'), symbology('ITF'), symbology('QRCode'), symbology('EAN13')] });
    const stripes = await composePage({ dpi: 200, codes: [], stripes: true });
    const sheet = await patchSheetPage('Patch 2', 200);
    const [p1, p2, p3] = [await load(codes.bytes), await load(stripes.bytes), await load(sheet.bytes)];
    const results = await ok<PageBarcodes[]>('ReadBarcodes', { pages: [p1.id, p2.id, p3.id], formats: ['PatchCode'] });
    assert.deepEqual(
      results.map((r) => r.barcodes.length),
      [0, 0, 1],
    );
    const [other] = await ok<PageBarcodes[]>('ReadBarcodes', { pages: [p3.id], formats: ['QRCode', 'Code128'] });
    assert.deepEqual(other!.barcodes, []);
  });
});
