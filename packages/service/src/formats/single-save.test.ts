/**
 * Saving pages as JPEG, PNG (one file per page): netpbm's jpegtopnm and
 * pngtopnm read the files back; the resolution is read by libvips.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { StoredImage } from '../buffer/types.js';
import { outputFiles, type SaveOptions } from './encode.js';
import { readJpegHeader } from './jpeg-markers.js';
import { concat, loadAll, meanAbsDiff, readPnm, tool } from './test-tools.js';

const W = 160;
const H = 120;
const RGB = Buffer.from(Array.from({ length: W * H * 3 }, (_, i) => (i % 3 === 0 ? (i / 3) % W : i % 3 === 1 ? Math.floor(i / 3 / W) * 2 : 128)));

async function pngPage(): Promise<StoredImage> {
  return (await loadAll(await sharp(RGB, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer(), { xdpi: 200 }))[0]!;
}

async function jpegPage(): Promise<StoredImage> {
  return (await loadAll(await sharp(RGB, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 92 }).toBuffer(), { xdpi: 300 }))[0]!;
}

async function save(page: StoredImage, opts: SaveOptions): Promise<Buffer> {
  const [file] = outputFiles({ count: 1, get: async () => page }, opts);
  return concat(file!.chunks());
}

describe('JPEG saving', () => {
  it('a JPEG page keeps its coded data when no quality is asked; the resolution is set', async () => {
    const page = await jpegPage();
    const jpeg = await save({ ...page, xdpi: 240, ydpi: 240 }, { format: 'jpeg' });
    const scan = (b: Buffer) => b.subarray(b.indexOf(Buffer.from([0xff, 0xda])));
    assert.ok(scan(jpeg).equals(scan(page.bytes)), 'the entropy-coded data is the page’s');
    assert.equal((await sharp(jpeg).metadata()).density, 240);
    const pnm = readPnm((await tool('jpegtopnm', [], jpeg)).stdout);
    assert.deepEqual([pnm.width, pnm.height], [W, H]);
  });

  it('quality and progressive are applied', async () => {
    const page = await pngPage();
    const low = await save(page, { format: 'jpeg', quality: 15 });
    const high = await save(page, { format: 'jpeg', quality: 95 });
    const progressive = await save(page, { format: 'jpeg', quality: 95, progressive: true });
    assert.ok(low.length < high.length);
    assert.equal(readJpegHeader(high).sof, 0xc0);
    assert.equal(readJpegHeader(progressive).sof, 0xc2);
    assert.match((await tool('jpegtopnm', ['-verbose'], progressive)).stderr, /Start Of Frame 0xc2/);
    const lowPixels = readPnm((await tool('jpegtopnm', [], low)).stdout).data;
    const highPixels = readPnm((await tool('jpegtopnm', [], high)).stdout).data;
    assert.ok(meanAbsDiff(highPixels, RGB) < meanAbsDiff(lowPixels, RGB), 'higher quality is closer to the page');
    assert.ok(meanAbsDiff(highPixels, RGB) < 2);
    assert.equal((await sharp(high).metadata()).density, 200);
  });

  it('a page encoded as JPEG, as a file or in a PDF, carries the standard Huffman tables (the fast encode), not tables computed for it', async () => {
    const page = await pngPage();
    const file = await save(page, { format: 'jpeg', quality: 80 });
    const pdf = await save(page, { format: 'pdf', compression: 'jpeg', quality: 80 });
    const inPdf = pdf.subarray(pdf.indexOf(Buffer.from([0xff, 0xd8, 0xff])));
    // The standard tables (ITU T.81 annex K) define every symbol: 12 in each DC table, 162 in each AC table.
    for (const jpeg of [file, inPdf]) assert.deepEqual(huffmanSymbols(jpeg), [12, 162, 12, 162]);
  });
});

/** Symbols in each Huffman table a JPEG defines, in order. */
function huffmanSymbols(jpeg: Buffer): number[] {
  const counts: number[] = [];
  for (let pos = 2; pos + 4 <= jpeg.length && jpeg[pos] === 0xff && jpeg[pos + 1] !== 0xda; ) {
    const length = jpeg.readUInt16BE(pos + 2);
    if (jpeg[pos + 1] === 0xc4) {
      for (let i = pos + 4; i < pos + 2 + length; ) {
        const n = jpeg.subarray(i + 1, i + 17).reduce((a, b) => a + b, 0);
        counts.push(n);
        i += 17 + n;
      }
    }
    pos += 2 + length;
  }
  return counts;
}

describe('PNG saving', () => {
  it('PNG pages keep their pixels and get their resolution; JPEG pages are converted', async () => {
    const png = await save(await pngPage(), { format: 'png' });
    assert.ok(readPnm((await tool('pngtopnm', [], png)).stdout).data.equals(RGB));
    assert.equal((await sharp(png).metadata()).density, 200);
    const fromJpeg = await save(await jpegPage(), { format: 'png' });
    assert.ok(meanAbsDiff(readPnm((await tool('pngtopnm', [], fromJpeg)).stdout).data, RGB) < 2);
  });

  it('several pages make one file each', async () => {
    const page = await pngPage();
    const files = outputFiles({ count: 3, get: async () => page }, { format: 'png' });
    assert.deepEqual(files.map((f) => [f.first, f.pages]), [[0, 1], [1, 1], [2, 1]]);
  });
});
