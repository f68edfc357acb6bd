/** Rotate, flip, mirror, crop, erase, resize and resolution through the API, checked with netpbm and djpeg. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { PageInfo } from '@scanbridge/protocol';
import { pngHeader } from '../../devices/demo/test-helpers.js';
import { adminHeaders } from '../../test-support/service-harness.js';
import { type Pnm, ImagingApi, at, drawn, jfifDensity, pnm } from '../test-pages.js';

type Edited = { info: PageInfo; changed: boolean; lossless?: boolean };

/** The page expected after an exact transform: out(X, Y) = in(source(X, Y)). */
function remap(p: Pnm, width: number, height: number, source: (x: number, y: number) => [number, number]): Pnm {
  const data = new Uint16Array(width * height * p.channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sx, sy] = source(x, y);
      for (let c = 0; c < p.channels; c++) data[(y * width + x) * p.channels + c] = at(p, sx, sy, c);
    }
  }
  return { ...p, width, height, data };
}

const turns = {
  rotate90: (p: Pnm) => remap(p, p.height, p.width, (x, y) => [y, p.height - 1 - x]),
  rotate180: (p: Pnm) => remap(p, p.width, p.height, (x, y) => [p.width - 1 - x, p.height - 1 - y]),
  rotate270: (p: Pnm) => remap(p, p.height, p.width, (x, y) => [p.width - 1 - y, x]),
  flip: (p: Pnm) => remap(p, p.width, p.height, (x, y) => [x, p.height - 1 - y]),
  mirror: (p: Pnm) => remap(p, p.width, p.height, (x, y) => [p.width - 1 - x, y]),
};

function samePixels(actual: Pnm, expected: Pnm): void {
  assert.deepEqual([actual.kind, actual.width, actual.height, actual.maxval], [expected.kind, expected.width, expected.height, expected.maxval]);
  const differing = Array.from(actual.data).findIndex((v, i) => v !== expected.data[i]);
  assert.equal(differing, -1, `first differing sample at ${differing}`);
}

function meanDifference(a: Pnm, b: Pnm): number {
  assert.deepEqual([a.width, a.height, a.channels], [b.width, b.height, b.channels]);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

/** A palette line-art PNG (netpbm reads it as grey 0/255) as bilevel samples, to compare with a 1-bit greyscale PNG. */
const bilevel = (p: Pnm): Pnm => ({ ...p, kind: 'P4', maxval: 1, data: Uint8Array.from(p.data, (v) => (v ? 1 : 0)) });

const RED = { x: 20, y: 10, width: 30, height: 30, colour: '#ff0000' };
const BLUE = { x: 150, y: 80, width: 20, height: 30, colour: '#0000ff' };

/** A 1-bit palette PNG, as ingest stores raw line-art: a black square on white. */
async function lineArt(): Promise<Buffer> {
  const grey = Buffer.alloc(200 * 120, 255);
  for (let y = 10; y < 40; y++) grey.fill(0, y * 200 + 20, y * 200 + 50);
  return sharp(grey, { raw: { width: 200, height: 120, channels: 1 } }).png({ palette: true, colours: 2 }).toBuffer();
}

/** A 16-bit grey PNG with a gradient, so that every sample is distinct from its neighbours. */
async function deepGrey(): Promise<Buffer> {
  const data = new Uint16Array(64 * 40);
  for (let i = 0; i < data.length; i++) data[i] = (i * 997) % 65536;
  return sharp(data, { raw: { width: 64, height: 40, channels: 1 } }).toColourspace('grey16').png().toBuffer();
}

describe('geometry edits over the API', () => {
  let api: ImagingApi;
  before(async () => {
    api = await ImagingApi.start();
  });
  after(async () => api.close());

  it('rotates a colour PNG by 90, 180 and 270 pixel for pixel; the page keeps id, tags and index, gets a new version and a modify event', async () => {
    const original = await drawn(200, 120, [RED, BLUE]);
    const decoded = await pnm(original);
    for (const [angle, expect] of [
      [90, turns.rotate90],
      [180, turns.rotate180],
      [-90, turns.rotate270],
    ] as const) {
      const page = await api.add(original, { xdpi: 300, ydpi: 150, tags: ['scan'] });
      const [result] = await api.call<Edited[]>('RotateImages', { pages: [page.id], angle });
      await api.modified([page.id]);
      const quarter = angle !== 180;
      assert.deepEqual(
        [result!.changed, result!.lossless, result!.info.id, result!.info.index, result!.info.tags, result!.info.version],
        [true, true, page.id, page.index, ['scan'], page.version + 1],
      );
      assert.deepEqual(
        [result!.info.width, result!.info.height, result!.info.xdpi, result!.info.ydpi, result!.info.mode, result!.info.bitDepth, result!.info.format],
        quarter ? [120, 200, 150, 300, 'color', 8, 'png'] : [200, 120, 300, 150, 'color', 8, 'png'],
      );
      const stored = await api.image(page.id);
      assert.deepEqual(stored.info, result!.info);
      samePixels(await pnm(stored.bytes), expect(decoded));
    }
  });

  it('the image endpoint serves the edited page under a new ETag', async () => {
    const page = await api.add(await drawn(200, 120, [RED]));
    const url = `${api.svc.base}/dwt/dwt_0100001/img?id=${api.session}&page=${page.id}&width=1000&height=1000`;
    const get = () => fetch(url, { headers: adminHeaders(api.svc.base) });
    const before = await get();
    assert.equal(before.status, 200);
    const etag = before.headers.get('etag');
    await api.call('RotateImages', { pages: [page.id], angle: 90 });
    const after = await get();
    assert.equal(after.status, 200);
    assert.notEqual(after.headers.get('etag'), etag);
    const shown = await pnm(Buffer.from(await after.arrayBuffer()));
    assert.deepEqual([shown.kind, shown.width, shown.height], ['P6', 120, 200]);
    // The square (x 20..49, y 10..39) is now at x 80..109, y 20..49; JPEG keeps it red enough.
    assert.ok(at(shown, 95, 35, 0) > 200 && at(shown, 95, 35, 1) < 60, 'the square is where the turn put it');
    assert.ok(at(shown, 35, 25, 1) > 200, 'and no longer where it was');
  });

  it('flips and mirrors exactly', async () => {
    const original = await drawn(200, 120, [RED, BLUE]);
    const page = await api.add(original);
    const [flipped] = await api.call<Edited[]>('FlipImages', { pages: [page.index] });
    await api.modified([page.id]);
    assert.equal(flipped!.lossless, true);
    samePixels(await pnm((await api.image(page.id)).bytes), turns.flip(await pnm(original)));
    await api.call('MirrorImages', { pages: [page.id] });
    await api.modified([page.id]);
    const both = await pnm((await api.image(page.id)).bytes);
    samePixels(both, turns.rotate180(await pnm(original)));
    assert.equal((await api.info(page.id)).version, page.version + 2);
  });

  it('keeps line-art a 1-bit PNG and 16-bit grey at 16 bits when turning', async () => {
    const bw = await api.add(await lineArt());
    assert.deepEqual([bw.mode, bw.bitDepth], ['bw', 1]);
    const [r] = await api.call<Edited[]>('RotateImages', { pages: [bw.id], angle: 90 });
    assert.deepEqual([r!.info.mode, r!.info.bitDepth, r!.info.format, r!.info.width, r!.info.height], ['bw', 1, 'png', 120, 200]);
    const stored = (await api.image(bw.id)).bytes;
    assert.equal(pngHeader(stored).bitDepth, 1);
    const turned = await pnm(stored);
    assert.equal(turned.kind, 'P4');
    samePixels(turned, turns.rotate90(bilevel(await pnm(await lineArt()))));
    // The square, 10..39 down and 20..49 across, is now 80..109 across and 20..49 down.
    assert.deepEqual([at(turned, 80, 20), at(turned, 109, 49), at(turned, 79, 20), at(turned, 110, 49)], [0, 0, 1, 1]);

    const deep = await api.add(await deepGrey());
    assert.deepEqual([deep.mode, deep.bitDepth], ['gray', 16]);
    const [d] = await api.call<Edited[]>('RotateImages', { pages: [deep.id], angle: 270 });
    assert.deepEqual([d!.info.mode, d!.info.bitDepth, d!.lossless], ['gray', 16, true]);
    const deepTurned = await pnm((await api.image(deep.id)).bytes);
    assert.equal(deepTurned.maxval, 65535);
    samePixels(deepTurned, turns.rotate270(await pnm(await deepGrey())));
  });

  it('turns a JPEG page losslessly with jpegtran: four quarter turns give the very same pixels, and the resolution swaps', async () => {
    const original = await sharp(await drawn(320, 240, [RED, BLUE]))
      .jpeg({ quality: 80, chromaSubsampling: '4:2:0' })
      .toBuffer();
    const page = await api.add(original, { xdpi: 300, ydpi: 200 });
    for (let i = 1; i <= 4; i++) {
      const [r] = await api.call<Edited[]>('RotateImages', { pages: [page.id], angle: 90 });
      assert.deepEqual([r!.lossless, r!.info.format, r!.info.version], [true, 'jpeg', page.version + i]);
      if (i === 1) {
        assert.deepEqual([r!.info.width, r!.info.height, r!.info.xdpi, r!.info.ydpi], [240, 320, 200, 300]);
        assert.equal(await jfifDensity((await api.image(page.id)).bytes), '200x300 unit 1');
      }
    }
    const back = await api.image(page.id);
    assert.deepEqual([back.info.width, back.info.height, back.info.xdpi, back.info.ydpi], [320, 240, 300, 200]);
    samePixels(await pnm(back.bytes), await pnm(original));
  });

  it('re-encodes a JPEG whose size is not a multiple of its blocks, at high quality, and says so', async () => {
    const original = await sharp(await drawn(321, 241, [RED, BLUE]))
      .jpeg({ quality: 90 })
      .toBuffer();
    const page = await api.add(original);
    const [r] = await api.call<Edited[]>('RotateImages', { pages: [page.id], angle: 90 });
    assert.deepEqual([r!.lossless, r!.info.format, r!.info.width, r!.info.height], [false, 'jpeg', 241, 321]);
    const turned = await pnm((await api.image(page.id)).bytes);
    assert.ok(meanDifference(turned, turns.rotate90(await pnm(original))) < 1.5);
  });

  it('rotates by any angle over the chosen background, growing the page to fit or keeping its size', async () => {
    const original = await drawn(200, 120, [RED]);
    const page = await api.add(original);
    const [r] = await api.call<Edited[]>('RotateImages', { pages: [page.id], angle: 30, background: '#0000ff' });
    const cos = Math.cos(Math.PI / 6);
    const sin = 0.5;
    assert.ok(Math.abs(r!.info.width - (200 * cos + 120 * sin)) <= 2, `width ${r!.info.width}`);
    assert.ok(Math.abs(r!.info.height - (200 * sin + 120 * cos)) <= 2, `height ${r!.info.height}`);
    assert.equal(r!.lossless, false);
    const turned = await pnm((await api.image(page.id)).bytes);
    assert.deepEqual([0, 1, 2].map((c) => at(turned, 0, 0, c)), [0, 0, 255]);
    // The square's centre (35, 25) is (-65, -35) from the page centre; clockwise by 30 degrees it lands at (-38.8, -62.8).
    const centre = (p: Pnm, dx: number, dy: number) => [0, 1, 2].map((c) => at(p, Math.round(p.width / 2 + dx), Math.round(p.height / 2 + dy), c));
    assert.deepEqual(centre(turned, -65 * cos + 35 * sin, -65 * sin - 35 * cos), [255, 0, 0]);

    const kept = await api.add(original);
    const [k] = await api.call<Edited[]>('RotateImages', { pages: [kept.id], angle: -30, keepSize: true });
    assert.deepEqual([k!.info.width, k!.info.height], [200, 120]);
    const keptPixels = await pnm((await api.image(kept.id)).bytes);
    assert.deepEqual(centre(keptPixels, -65 * cos - 35 * sin, 65 * sin - 35 * cos), [255, 0, 0]);
    assert.deepEqual([0, 1, 2].map((c) => at(keptPixels, 199, 0, c)), [255, 255, 255]);

    // A grey page gets the background's grey level (Rec. 601 luminance of pure blue: 29).
    const grey = await api.add(await drawn(100, 100, [], { channels: 1 }));
    await api.call('RotateImages', { pages: [grey.id], angle: 45, background: '#0000ff' });
    const greyTurned = await pnm((await api.image(grey.id)).bytes);
    assert.equal(greyTurned.kind, 'P5');
    assert.equal(at(greyTurned, 0, 0), 29);
  });

  it('crops to a rectangle: the square ends up where it should', async () => {
    const page = await api.add(await drawn(200, 120, [RED, BLUE]), { xdpi: 200 });
    const [r] = await api.call<Edited[]>('CropImages', { pages: [page.id], x: 10, y: 5, width: 150, height: 100 });
    await api.modified([page.id]);
    assert.deepEqual([r!.info.width, r!.info.height, r!.info.xdpi, r!.info.version], [150, 100, 200, page.version + 1]);
    const cropped = await pnm((await api.image(page.id)).bytes);
    assert.deepEqual([0, 1, 2].map((c) => at(cropped, 10, 5, c)), [255, 0, 0]);
    assert.deepEqual([0, 1, 2].map((c) => at(cropped, 39, 34, c)), [255, 0, 0]);
    assert.deepEqual([0, 1, 2].map((c) => at(cropped, 9, 5, c)), [255, 255, 255]);
    assert.deepEqual([0, 1, 2].map((c) => at(cropped, 140, 75, c)), [0, 0, 255]);
  });

  it('erases a rectangle with the fill colour and leaves the rest alone', async () => {
    const original = await drawn(200, 120, [RED, BLUE]);
    const page = await api.add(original);
    await api.call('EraseImages', { pages: [page.id], x: 15, y: 5, width: 40, height: 20, fill: '#00ff00' });
    await api.modified([page.id]);
    const erased = await pnm((await api.image(page.id)).bytes);
    const before = await pnm(original);
    for (let y = 0; y < 120; y++) {
      for (let x = 0; x < 200; x++) {
        const inside = x >= 15 && x < 55 && y >= 5 && y < 25;
        const want = inside ? [0, 255, 0] : [0, 1, 2].map((c) => at(before, x, y, c));
        assert.deepEqual([0, 1, 2].map((c) => at(erased, x, y, c)), want, `pixel ${x},${y}`);
      }
    }
  });

  it('resizes with the chosen interpolation; one side keeps the aspect ratio; the resolution stays', async () => {
    const page = await api.add(await drawn(200, 120, [RED]), { xdpi: 300 });
    const [r] = await api.call<Edited[]>('ResizeImages', { pages: [page.id], width: 100, interpolation: 'nearest' });
    assert.deepEqual([r!.info.width, r!.info.height, r!.info.xdpi], [100, 60, 300]);
    const half = await pnm((await api.image(page.id)).bytes);
    assert.deepEqual([0, 1, 2].map((c) => at(half, 17, 12, c)), [255, 0, 0]);
    assert.deepEqual([0, 1, 2].map((c) => at(half, 26, 22, c)), [255, 255, 255]);
    const [s] = await api.call<Edited[]>('ResizeImages', { pages: [page.id], width: 333, height: 77, interpolation: 'lanczos' });
    assert.deepEqual([s!.info.width, s!.info.height], [333, 77]);
    assert.deepEqual([(await pnm((await api.image(page.id)).bytes)).width, (await pnm((await api.image(page.id)).bytes)).height], [333, 77]);

    const bw = await api.add(await lineArt());
    const [b] = await api.call<Edited[]>('ResizeImages', { pages: [bw.id], height: 300, interpolation: 'bicubic' });
    assert.deepEqual([b!.info.width, b!.info.height, b!.info.bitDepth, b!.info.mode], [500, 300, 1, 'bw']);
    assert.equal((await pnm((await api.image(bw.id)).bytes)).kind, 'P4');
  });

  it('sets the resolution without touching the pixels, or resamples to keep the physical size', async () => {
    const original = await drawn(200, 120, [RED]);
    const page = await api.add(original, { xdpi: 200 });
    const [r] = await api.call<Edited[]>('SetImagesDpi', { pages: [page.id], xdpi: 400, ydpi: 300 });
    await api.modified([page.id]);
    assert.deepEqual([r!.changed, r!.info.xdpi, r!.info.ydpi, r!.info.width], [true, 400, 300, 200]);
    const stored = (await api.image(page.id)).bytes;
    assert.equal(pngHeader(stored).perMetre, Math.round(400 / 0.0254));
    samePixels(await pnm(stored), await pnm(original));

    const jpeg = await api.add(await sharp(original).jpeg().toBuffer(), { xdpi: 150 });
    const jpegBefore = (await api.image(jpeg.id)).bytes;
    await api.call('SetImagesDpi', { pages: [jpeg.id], xdpi: 600 });
    const jpegAfter = (await api.image(jpeg.id)).bytes;
    assert.equal(await jfifDensity(jpegAfter), '600x600 unit 1');
    samePixels(await pnm(jpegAfter), await pnm(jpegBefore));

    const [same] = await api.call<Edited[]>('SetImagesDpi', { pages: [jpeg.id], xdpi: 600 });
    assert.deepEqual([same!.changed, same!.info.version], [false, jpeg.version + 1]);

    const [resampled] = await api.call<Edited[]>('SetImagesDpi', { pages: [page.id], xdpi: 200, ydpi: 150, resample: true });
    assert.deepEqual([resampled!.info.width, resampled!.info.height, resampled!.info.xdpi, resampled!.info.ydpi], [100, 60, 200, 150]);
  });

  it('edits a batch in the order named and reports every page; selected: true edits the selection', async () => {
    await api.call('RemoveAllImages');
    const pages: PageInfo[] = [];
    for (let i = 0; i < 3; i++) pages.push(await api.add(await drawn(40 + i, 30, [])));
    const results = await api.call<Edited[]>('RotateImages', { pages: [2, pages[0]!.id], angle: 90 });
    await api.modified([pages[2]!.id, pages[0]!.id]);
    assert.deepEqual(
      results.map((r) => [r.info.id, r.info.width, r.info.height]),
      [
        [pages[2]!.id, 30, 42],
        [pages[0]!.id, 30, 40],
      ],
    );
    await api.call('SelectImages', { pages: [1, 2] });
    const mirrored = await api.call<Edited[]>('MirrorImages', { selected: true });
    assert.deepEqual(
      mirrored.map((r) => [r.info.id, r.changed, r.info.selected]),
      [
        [pages[1]!.id, true, true],
        [pages[2]!.id, true, true],
      ],
    );
    const all = await api.call<PageInfo[]>('GetImagesInfo');
    assert.deepEqual(
      all.map((p) => [p.id, p.version]),
      [
        [pages[0]!.id, 2],
        [pages[1]!.id, 2],
        [pages[2]!.id, 3],
      ],
    );
  });
});
