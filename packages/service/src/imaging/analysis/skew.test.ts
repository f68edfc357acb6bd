/** Skew detection on demo-scanner pages turned by known angles, and deskew through the API. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { PageInfo } from '@scanbridge/protocol';
import type { EncodedPage } from '../../devices/driver.js';
import { pngHeader } from '../../devices/demo/test-helpers.js';
import { ImagingApi, demoPages, pnm, stored, turned } from '../test-pages.js';
import { measureSkew } from './skew.js';

type Deskewed = { info: PageInfo; changed: boolean; skew: { angle: number; confidence: number } };
type Detected = { page: string; index: number; angle: number; confidence: number };

const TOLERANCE = 0.2;

describe('skew detection', () => {
  let invoice: EncodedPage;
  let terms: EncodedPage;
  before(async () => {
    [invoice, terms] = (await demoPages({ source: 'feeder', duplex: true, mode: 'gray', dpi: 150, options: { sheets: 1 } }, 'demo:scanner')) as [EncodedPage, EncodedPage];
  });

  for (const angle of [0, 0.5, -0.5, 1, -1.5, 2.5, -3, 5, -6, 7.5, -8.5, 10, -10]) {
    it(`finds ${angle} degrees on the invoice and on the terms page within ${TOLERANCE}`, async () => {
      for (const page of [invoice, terms]) {
        const input = await turned(page, angle);
        const skew = await measureSkew(stored(page, input.bytes, input), 15);
        assert.ok(Math.abs(skew.angle - angle) <= TOLERANCE, `${page === invoice ? 'invoice' : 'terms'}: found ${skew.angle} for ${angle}`);
        assert.ok(skew.confidence > 0.5, `confidence ${skew.confidence}`);
      }
    });
  }

  it('finds no angle, with no confidence, on a blank page', async () => {
    const [blank] = await demoPages({ mode: 'gray', dpi: 150, options: { pattern: 'blank' } });
    assert.deepEqual(await measureSkew(stored(blank!), 15), { angle: 0, confidence: 0 });
  });
});

describe('deskew over the API', () => {
  let api: ImagingApi;
  let invoice: EncodedPage;
  before(async () => {
    api = await ImagingApi.start();
    [invoice] = (await demoPages({ mode: 'gray', dpi: 150 })) as [EncodedPage];
  });
  after(async () => api.close());

  it('detects the angles of a batch, deskews it keeping each page size, and the pages are then straight', async () => {
    const angles = [3.7, -8, 0.6, -1.2];
    const pages: PageInfo[] = [];
    for (const angle of angles) pages.push(await api.add((await turned(invoice, angle)).bytes, { xdpi: 150 }));
    const detected = await api.call<Detected[]>('DetectSkewAngles', { pages: pages.map((p) => p.id) });
    assert.deepEqual(
      detected.map((d) => [d.page, d.index]),
      pages.map((p) => [p.id, p.index]),
    );
    detected.forEach((d, i) => assert.ok(Math.abs(d.angle - angles[i]!) <= TOLERANCE, `found ${d.angle} for ${angles[i]}`));

    const results = await api.call<Deskewed[]>('DeskewImages', { pages: pages.map((p) => p.id) });
    await api.modified(pages.map((p) => p.id));
    results.forEach((r, i) => {
      assert.ok(Math.abs(r.skew.angle - angles[i]!) <= TOLERANCE);
      assert.deepEqual(
        [r.changed, r.info.version, r.info.width, r.info.height, r.info.mode, r.info.bitDepth],
        [true, pages[i]!.version + 1, pages[i]!.width, pages[i]!.height, 'gray', 8],
      );
    });
    const after = await api.call<Detected[]>('DetectSkewAngles', { pages: pages.map((p) => p.id) });
    after.forEach((d) => assert.ok(Math.abs(d.angle) <= TOLERANCE, `still skewed by ${d.angle} after deskew`));
    // The corners the turn uncovered are filled with white, not black.
    const corner = await pnm((await api.image(pages[1]!.id)).bytes);
    assert.equal(corner.data[0], 255);
  });

  it('leaves straight and blank pages as they are', async () => {
    const straight = await api.add(invoice.bytes, { xdpi: 150 });
    const [blank] = await demoPages({ mode: 'gray', dpi: 150, options: { pattern: 'blank' } });
    const empty = await api.add(blank!.bytes, { xdpi: 150 });
    const results = await api.call<Deskewed[]>('DeskewImages', { pages: [straight.id, empty.id] });
    assert.deepEqual(
      results.map((r) => [r.changed, r.info.version]),
      [
        [false, straight.version],
        [false, empty.version],
      ],
    );
    assert.equal(results[1]!.skew.confidence, 0);
    await api.noModifyBefore(straight.id);
  });

  it('deskews a colour page and a line-art page, which stays a 1-bit PNG', async () => {
    const [colour] = await demoPages({ mode: 'color', dpi: 150 });
    const colourPage = await api.add((await turned(colour!, -4.2)).bytes, { xdpi: 150 });
    const [bw] = await demoPages({ mode: 'bw', dpi: 200 });
    const bwTurned = await sharp(bw!.bytes)
      .rotate(2.8, { background: '#ffffff' })
      .threshold(128)
      .toColourspace('b-w')
      .png({ palette: false, colours: 2 })
      .toBuffer();
    const bwPage = await api.add(bwTurned, { xdpi: 200 });
    assert.deepEqual([bwPage.mode, bwPage.bitDepth], ['bw', 1]);
    const results = await api.call<Deskewed[]>('DeskewImages', { pages: [colourPage.id, bwPage.id] });
    assert.ok(Math.abs(results[0]!.skew.angle + 4.2) <= TOLERANCE, `colour: ${results[0]!.skew.angle}`);
    assert.ok(Math.abs(results[1]!.skew.angle - 2.8) <= TOLERANCE, `line-art: ${results[1]!.skew.angle}`);
    assert.deepEqual([results[0]!.info.mode, results[1]!.info.mode, results[1]!.info.bitDepth], ['color', 'bw', 1]);
    const bwBytes = (await api.image(bwPage.id)).bytes;
    assert.equal(pngHeader(bwBytes).bitDepth, 1);
    assert.equal((await pnm(bwBytes)).kind, 'P4');
    const after = await api.call<Detected[]>('DetectSkewAngles', { pages: [colourPage.id, bwPage.id] });
    after.forEach((d) => assert.ok(Math.abs(d.angle) <= TOLERANCE, `still skewed by ${d.angle}`));
  });
});
