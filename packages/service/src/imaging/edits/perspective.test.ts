/**
 * Perspective correction: the homography and the warp on known geometry,
 * paper snapping, the background clean-up, and the whole chain on generated
 * 12-megapixel photos, checked with zbarimg (an independent reader).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sharp } from '../sharp.js';
import { decodeBarcodes } from '../../devices/demo/test-helpers.js';
import { documentId, qrText } from '../../devices/demo/page-render.js';
import { type PageImage, demoPageImage, photograph } from '../document-photos.js';
import type { Pixels } from '../analysis/document-corners.js';
import { apply, homography, rectangleAspect } from '../analysis/homography.js';
import { correctPixels, flattenBackground, paperSize, warp } from './perspective.js';

const png = (p: Pixels) => sharp(Buffer.from(p.data), { raw: { width: p.width, height: p.height, channels: p.channels } }).png().toBuffer();
const EXPECTED_CODES = [`CODE-128:${documentId(1, 'front')}`, `QR-Code:${qrText({ sheet: 1, face: 'front', page: 1, pages: 1 })}`].sort();

describe('perspective geometry', () => {
  it('maps four points onto four points', () => {
    const from = [
      { x: 0, y: 0 },
      { x: 100, y: 0 },
      { x: 100, y: 50 },
      { x: 0, y: 50 },
    ];
    const to = [
      { x: 10, y: 20 },
      { x: 90, y: 5 },
      { x: 130, y: 80 },
      { x: -5, y: 60 },
    ];
    const h = homography(from, to)!;
    from.forEach((p, i) => {
      const q = apply(h, p);
      assert.ok(Math.hypot(q.x - to[i]!.x, q.y - to[i]!.y) < 1e-9);
    });
    assert.equal(homography(from, [to[0]!, to[0]!, to[0]!, to[1]!]), null);
  });

  it('warps a quadrilateral onto a rectangle: a chequered square comes back square and in place', () => {
    // A 200 x 200 image: a 2 x 2 chequer of 100-pixel squares, black top-left.
    const src: Pixels = { width: 200, height: 200, channels: 1, data: new Uint8Array(200 * 200) };
    for (let y = 0; y < 200; y++) for (let x = 0; x < 200; x++) src.data[y * 200 + x] = (x < 100) === (y < 100) ? 0 : 255;
    const out = warp(src, { topLeft: { x: 50, y: 50 }, topRight: { x: 150, y: 50 }, bottomRight: { x: 150, y: 150 }, bottomLeft: { x: 50, y: 150 } }, 100, 100);
    const at = (x: number, y: number) => out.data[y * 100 + x]!;
    assert.equal(at(10, 10), 0);
    assert.equal(at(90, 10), 255);
    assert.equal(at(10, 90), 255);
    assert.equal(at(90, 90), 0);
    // The chequer's centre lands on the output's centre: columns 49 and 50 straddle it.
    assert.ok(at(48, 10) < 10 && at(51, 10) > 245, `${at(48, 10)} ${at(51, 10)}`);
  });

  it('measures the aspect ratio through the perspective, and snaps it to a paper', () => {
    // A 2:1 rectangle seen frontally: the sides tell it.
    assert.ok(Math.abs(rectangleAspect({ topLeft: { x: 100, y: 100 }, topRight: { x: 300, y: 100 }, bottomRight: { x: 300, y: 200 }, bottomLeft: { x: 100, y: 200 } }, { x: 200, y: 150 }) - 2) < 1e-9);
    assert.deepEqual(paperSize('auto', 0.7071), { width: 210, height: 297, name: 'A4' });
    assert.deepEqual(paperSize('auto', 1 / 0.707), { width: 297, height: 210, name: 'A4' });
    assert.equal(paperSize('auto', 0.775)?.name, 'Letter');
    assert.equal(paperSize('auto', 1.58)?.name, 'ID-1');
    assert.equal(paperSize('auto', 0.9), null);
    assert.deepEqual(paperSize({ width: 100, height: 50 }, 0.5), { width: 50, height: 100, name: null });
    assert.deepEqual(paperSize('A5', 1.2), { width: 210, height: 148, name: 'A5' });
  });
});

describe('perspective correction of photos', () => {
  let page: PageImage;
  before(async () => {
    page = await demoPageImage(300);
  });

  for (const s of [
    { width: 3000, height: 4000, tilt: 10, rotation: -6, seed: 21 },
    { width: 3000, height: 4000, tilt: 35, rotation: 12, sideTilt: 6, seed: 22, lightMin: 0.5 },
    { width: 4000, height: 3000, tilt: 25, rotation: 90 + 10, seed: 23 },
  ]) {
    it(`flattens a page tilted ${s.tilt}°, turned ${s.rotation}° (${s.width} x ${s.height}) onto A4 at 200 dpi, and zbarimg reads its QR and Code 128`, async () => {
      const photo = await photograph(page, s);
      const { data, info } = await sharp(photo.jpeg).raw().toBuffer({ resolveWithObject: true });
      const r = correctPixels({ width: info.width, height: info.height, channels: 3, data }, { paper: 'auto', dpi: 200, cleanup: true, mode: 'color' });
      assert.equal(r.documentFound, true);
      assert.equal(r.paper, 'A4');
      const landscape = s.rotation > 45;
      const [w, h] = landscape ? [2339, 1654] : [1654, 2339];
      assert.equal(r.pixels!.width, w);
      assert.equal(r.pixels!.height, h);
      // The measured shape, before snapping, is the page's within 2 %.
      assert.ok(Math.abs(r.aspect / (w / h) - 1) < 0.02, `aspect ${r.aspect}`);
      // The outermost rows and columns are paper, not the desk blurred into the page's edge.
      const flat = r.pixels!.data;
      const mean = (at: (i: number) => number, n: number) => {
        let sum = 0;
        for (let i = 40; i < n - 40; i++) sum += flat[at(i) * 3 + 1]!;
        return sum / (n - 80);
      };
      const edges = [mean((x) => x, w), mean((x) => (h - 1) * w + x, w), mean((y) => y * w, h), mean((y) => y * w + w - 1, h)];
      assert.ok(edges.every((v) => v > 225), `edge rows and columns: ${edges.map(Math.round).join(', ')}`);
      // A landscape result is the page on its side: turn it upright for the reader to be sure it is all there.
      let out = await png(r.pixels!);
      if (landscape) out = await sharp(out).rotate(90).png().toBuffer();
      assert.deepEqual(await decodeBarcodes(out), EXPECTED_CODES);
    });
  }

  it('leaves a frame without a page alone', async () => {
    const desk = await photograph(page, { width: 800, height: 600, tilt: 20, rotation: 0, offset: { x: 5, y: 5 }, seed: 24 });
    const { data, info } = await sharp(desk.jpeg).raw().toBuffer({ resolveWithObject: true });
    const r = correctPixels({ width: info.width, height: info.height, channels: 3, data }, { paper: 'auto', dpi: 200, cleanup: true, mode: 'color' });
    assert.equal(r.documentFound, false);
    assert.equal(r.pixels, null);
  });

  it('takes corners and a paper from the caller, and answers grey and black and white', async () => {
    const s = { width: 2400, height: 1800, tilt: 20, rotation: 5, seed: 25 };
    const photo = await photograph(page, s);
    const { data, info } = await sharp(photo.jpeg).raw().toBuffer({ resolveWithObject: true });
    const pixels: Pixels = { width: info.width, height: info.height, channels: 3, data };
    const grey = correctPixels(pixels, { corners: photo.corners, paper: 'Letter', dpi: 100, cleanup: true, mode: 'gray' });
    assert.equal(grey.confidence, 1);
    assert.deepEqual([grey.pixels!.width, grey.pixels!.height, grey.pixels!.channels], [850, 1100, 1]);
    const bw = correctPixels(pixels, { corners: photo.corners, paper: { width: 100, height: 150 }, dpi: 150, cleanup: true, mode: 'bw' });
    assert.deepEqual([bw.pixels!.width, bw.pixels!.height], [591, 886]);
    assert.ok(bw.pixels!.data.every((v) => v === 0 || v === 255));
  });
});

describe('background clean-up', () => {
  it('turns paper under a shadow and a warm cast white, and keeps the ink dark', () => {
    // Paper (240, 225, 190) lit from 100 % on the left down to 45 % on the right, with a dark bar of ink.
    const width = 600;
    const height = 400;
    const p: Pixels = { width, height, channels: 3, data: new Uint8Array(width * height * 3) };
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const light = 1 - (0.55 * x) / width;
        const ink = y >= 190 && y < 200 && x % 60 < 40;
        const rgb = ink ? [40, 38, 35] : [240, 225, 190];
        for (let k = 0; k < 3; k++) p.data[(y * width + x) * 3 + k] = Math.round(rgb[k]! * light);
      }
    flattenBackground(p, 200);
    const at = (x: number, y: number, k: number) => p.data[(y * width + x) * 3 + k]!;
    for (const x of [20, 300, 580])
      for (const k of [0, 1, 2]) assert.ok(at(x, 50, k) >= 245, `paper at x=${x} channel ${k}: ${at(x, 50, k)}`);
    for (const x of [20, 300, 560]) assert.ok(at(x, 195, 1) < 80, `ink at x=${x}: ${at(x, 195, 1)}`);
  });
});
