/** Grey, black and white (Otsu), bit depth, invert, brightness and contrast through the API, checked with netpbm. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { PageInfo } from '@scanbridge/protocol';
import { pngHeader } from '../../devices/demo/test-helpers.js';
import { ImagingApi, at, drawn, pnm } from '../test-pages.js';

type Edited = { info: PageInfo; changed: boolean; threshold?: number };

/** A grey page of two noisy populations: ink around `ink`, paper around `paper` (a fixed-seed generator). */
function bimodal(width: number, height: number, ink: number, paper: number, spread: number): Buffer {
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const data = Buffer.alloc(width * height);
  for (let i = 0; i < data.length; i++) {
    const noise = (rand() + rand() + rand() - 1.5) * spread;
    data[i] = Math.max(0, Math.min(255, Math.round((rand() < 0.3 ? ink : paper) + noise)));
  }
  return data;
}

/** Otsu by brute force, written independently of the service: the first level with the largest between-class variance, as "below is dark". */
function bruteOtsu(data: Uint8Array): number {
  let best = -1;
  let level = 0;
  for (let t = 1; t < 256; t++) {
    let n0 = 0;
    let s0 = 0;
    let n1 = 0;
    let s1 = 0;
    for (const v of data) {
      if (v < t) (n0++, (s0 += v));
      else (n1++, (s1 += v));
    }
    if (!n0 || !n1) continue;
    const between = n0 * n1 * (s0 / n0 - s1 / n1) ** 2;
    if (between > best) [best, level] = [between, t];
  }
  return level;
}

describe('colour edits over the API', () => {
  let api: ImagingApi;
  before(async () => {
    api = await ImagingApi.start();
  });
  after(async () => api.close());

  it('converts colour to grey; a grey page is left as it is (no new version, no event)', async () => {
    const page = await api.add(await drawn(60, 40, [{ x: 10, y: 10, width: 20, height: 20, colour: '#ff0000' }]));
    const [r] = await api.call<Edited[]>('ConvertImagesToGray', { pages: [page.id] });
    await api.modified([page.id]);
    assert.deepEqual([r!.changed, r!.info.mode, r!.info.bitDepth, r!.info.format, r!.info.version], [true, 'gray', 8, 'png', page.version + 1]);
    const grey = await pnm((await api.image(page.id)).bytes);
    assert.equal(grey.kind, 'P5');
    assert.equal(at(grey, 0, 0), 255);
    // Rec. 601 luminance of pure red, as a JPEG page's grey conversion gives.
    assert.equal(at(grey, 15, 15), 76);

    const [again] = await api.call<Edited[]>('ConvertImagesToGray', { pages: [page.id] });
    assert.deepEqual([again!.changed, again!.info.version], [false, page.version + 1]);
    await api.noModifyBefore(page.id);
  });

  it('converts a colour JPEG to a grey JPEG without re-encoding its luminance', async () => {
    const colour = await sharp(await drawn(64, 48, [{ x: 8, y: 8, width: 24, height: 24, colour: '#3080c0' }]))
      .jpeg({ quality: 85 })
      .toBuffer();
    const page = await api.add(colour);
    const [r] = await api.call<Edited[]>('ConvertImagesToGray', { pages: [page.id] });
    assert.deepEqual([r!.info.mode, r!.info.format], ['gray', 'jpeg']);
    const grey = await pnm((await api.image(page.id)).bytes);
    const rgb = await pnm(colour);
    assert.equal(grey.kind, 'P5');
    for (const [x, y] of [
      [2, 2],
      [20, 20],
    ] as const) {
      const luma = 0.299 * at(rgb, x, y, 0) + 0.587 * at(rgb, x, y, 1) + 0.114 * at(rgb, x, y, 2);
      assert.ok(Math.abs(at(grey, x, y) - luma) <= 4, `${x},${y}: ${at(grey, x, y)} vs ${luma}`);
    }
  });

  it('converts to black and white with the Otsu threshold of a bimodal page, or a fixed one', async () => {
    const raw = bimodal(160, 120, 70, 170, 60);
    const png = await sharp(raw, { raw: { width: 160, height: 120, channels: 1 } }).toColourspace('b-w').png().toBuffer();
    const expected = bruteOtsu(raw);
    assert.ok(expected > 90 && expected < 150, `test page: Otsu level ${expected}`);
    for (const [threshold, want] of [
      ['otsu', expected],
      [100, 100],
    ] as const) {
      const page = await api.add(png, { xdpi: 300 });
      const [r] = await api.call<Edited[]>('ConvertImagesToBW', { pages: [page.id], threshold });
      await api.modified([page.id]);
      assert.equal(r!.threshold, want);
      assert.deepEqual([r!.info.mode, r!.info.bitDepth, r!.info.format, r!.info.xdpi], ['bw', 1, 'png', 300]);
      const bytes = (await api.image(page.id)).bytes;
      assert.deepEqual([pngHeader(bytes).bitDepth, pngHeader(bytes).colorType], [1, 0]);
      const bw = await pnm(bytes);
      assert.equal(bw.kind, 'P4');
      const wrong = Array.from(raw).findIndex((v, i) => bw.data[i] !== (v < want ? 0 : 1));
      assert.equal(wrong, -1, `pixel ${wrong}: grey ${raw[wrong]} with threshold ${want}`);
    }
    const jpeg = await api.add(await sharp(png).jpeg().toBuffer());
    const [j] = await api.call<Edited[]>('ConvertImagesToBW', { pages: [jpeg.id] });
    assert.deepEqual([j!.info.mode, j!.info.bitDepth, j!.info.format], ['bw', 1, 'png']);
  });

  it('changes the bit depth: 8 to 16 and back, 8 to 1 and 1 to 8, and a JPEG to 16-bit PNG', async () => {
    const levels = [0, 1, 60, 200, 254, 255];
    const raw = Buffer.from(levels.flatMap((v) => Array(8).fill(v)));
    const page = await api.add(await sharp(raw, { raw: { width: 48, height: 1, channels: 1 } }).toColourspace('b-w').png().toBuffer());
    const [deep] = await api.call<Edited[]>('ChangeImagesBitDepth', { pages: [page.id], bitDepth: 16 });
    assert.deepEqual([deep!.info.bitDepth, deep!.info.mode, deep!.info.format], [16, 'gray', 'png']);
    const p16 = await pnm((await api.image(page.id)).bytes);
    assert.equal(p16.maxval, 65535);
    assert.deepEqual(levels.map((_, i) => at(p16, i * 8, 0)), levels.map((v) => v * 257));
    const [back] = await api.call<Edited[]>('ChangeImagesBitDepth', { pages: [page.id], bitDepth: 8 });
    assert.equal(back!.info.bitDepth, 8);
    const p8 = await pnm((await api.image(page.id)).bytes);
    assert.deepEqual([p8.maxval, ...levels.map((_, i) => at(p8, i * 8, 0))], [255, ...levels]);
    const [one] = await api.call<Edited[]>('ChangeImagesBitDepth', { pages: [page.id], bitDepth: 1 });
    assert.deepEqual([one!.info.bitDepth, one!.info.mode], [1, 'bw']);
    const p1 = await pnm((await api.image(page.id)).bytes);
    assert.deepEqual([p1.kind, ...levels.map((_, i) => at(p1, i * 8, 0))], ['P4', 0, 0, 0, 1, 1, 1]);
    const [eight] = await api.call<Edited[]>('ChangeImagesBitDepth', { pages: [page.id], bitDepth: 8 });
    assert.deepEqual([eight!.info.bitDepth, eight!.info.mode], [8, 'gray']);
    const grey = await pnm((await api.image(page.id)).bytes);
    assert.deepEqual([grey.kind, ...levels.map((_, i) => at(grey, i * 8, 0))], ['P5', 0, 0, 0, 255, 255, 255]);
    const [same] = await api.call<Edited[]>('ChangeImagesBitDepth', { pages: [page.id], bitDepth: 8 });
    assert.equal(same!.changed, false);

    const jpeg = await api.add(await sharp(await drawn(32, 32, [])).jpeg().toBuffer());
    const [j] = await api.call<Edited[]>('ChangeImagesBitDepth', { pages: [jpeg.id], bitDepth: 16 });
    assert.deepEqual([j!.info.bitDepth, j!.info.mode, j!.info.format], [16, 'color', 'png']);
    const pj = await pnm((await api.image(jpeg.id)).bytes);
    assert.deepEqual([pj.kind, pj.maxval], ['P6', 65535]);
  });

  it('inverts colour, 16-bit and line-art pages exactly', async () => {
    const colour = await drawn(50, 30, [{ x: 5, y: 5, width: 10, height: 10, colour: '#204060' }]);
    const page = await api.add(colour);
    await api.call('InvertImages', { pages: [page.id] });
    await api.modified([page.id]);
    const inverted = await pnm((await api.image(page.id)).bytes);
    const original = await pnm(colour);
    assert.equal(
      Array.from(inverted.data).findIndex((v, i) => v !== 255 - original.data[i]!),
      -1,
    );

    const deep = new Uint16Array([0, 1, 300, 65534, 65535, 40000]);
    const deepPage = await api.add(await sharp(deep, { raw: { width: 6, height: 1, channels: 1 } }).toColourspace('grey16').png().toBuffer());
    await api.call('InvertImages', { pages: [deepPage.id] });
    const deepInverted = await pnm((await api.image(deepPage.id)).bytes);
    assert.deepEqual(Array.from(deepInverted.data), Array.from(deep, (v) => 65535 - v));

    await api.call('ConvertImagesToBW', { pages: [page.id], threshold: 128 });
    const bwBefore = await pnm((await api.image(page.id)).bytes);
    const [r] = await api.call<Edited[]>('InvertImages', { pages: [page.id] });
    assert.deepEqual([r!.info.mode, r!.info.bitDepth], ['bw', 1]);
    const bwAfter = await pnm((await api.image(page.id)).bytes);
    assert.equal(bwAfter.kind, 'P4');
    assert.equal(
      Array.from(bwAfter.data).findIndex((v, i) => v !== 1 - bwBefore.data[i]!),
      -1,
    );
  });

  it('changes brightness and contrast on the scan-settings curve', async () => {
    const levels = [0, 40, 100, 128, 180, 250];
    const raw = Buffer.from(levels);
    const page = await api.add(await sharp(raw, { raw: { width: 6, height: 1, channels: 1 } }).toColourspace('b-w').png().toBuffer());
    await api.call('AdjustImagesBrightnessContrast', { pages: [page.id], brightness: 40 });
    const brighter = await pnm((await api.image(page.id)).bytes);
    assert.deepEqual(Array.from(brighter.data), levels.map((v) => Math.min(255, Math.round(v + 40 * 1.275))));

    const flat = await api.add(await sharp(raw, { raw: { width: 6, height: 1, channels: 1 } }).toColourspace('b-w').png().toBuffer());
    await api.call('AdjustImagesBrightnessContrast', { pages: [flat.id], contrast: 50 });
    const c = 50 * 2.55;
    const a = (259 * (c + 255)) / (255 * (259 - c));
    const contrasted = await pnm((await api.image(flat.id)).bytes);
    assert.deepEqual(Array.from(contrasted.data), levels.map((v) => Math.max(0, Math.min(255, Math.round(a * (v - 128) + 128)))));

    const [none] = await api.call<Edited[]>('AdjustImagesBrightnessContrast', { pages: [flat.id], brightness: 0, contrast: 0 });
    assert.equal(none!.changed, false);
  });
});
