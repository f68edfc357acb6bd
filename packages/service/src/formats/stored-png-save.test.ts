/**
 * A noisy scanned page is stored as an uncompressed PNG (imaging/raw-png.ts:
 * compressing sensor noise at every scan costs far more than it saves). Files
 * made from it are compressed all the same: a PNG save and a lossless PDF
 * hold the same pixels in far fewer bytes than the stored page, checked with
 * netpbm's pngtopam and poppler's pdfimages. Line-art too: a noisy 1-bit
 * page (a thresholded photo) is stored uncompressed, text stays deflated,
 * and a PNG saved from the noisy one is 1-bit and compressed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredImage } from '../buffer/types.js';
import { encodeRawPng } from '../imaging/raw-png.js';
import { outputFiles, type SaveOptions } from './encode.js';
import { isUncompressedPng, readPngChunks } from './png-chunks.js';
import { storeBilevel } from './page-store.js';
import type { Bilevel } from './bilevel.js';
import { concat, prng, readPnm, tool, withTempDir } from './test-tools.js';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

const W = 300;
const H = 200;

/** Paper with sensor noise: deflate gets it to about half. */
function noisy(): Buffer {
  const random = prng(11);
  return Buffer.from(Array.from({ length: W * H * 3 }, () => 200 + Math.round((random() + random() + random() - 1.5) * 6)));
}

async function save(page: StoredImage, opts: SaveOptions): Promise<Buffer> {
  const [file] = outputFiles({ count: 1, get: async () => page }, opts);
  return concat(file!.chunks());
}

describe('files saved from an uncompressed stored page are compressed', () => {
  it('PNG and lossless PDF', async () => {
    const pixels = noisy();
    const bytes = await encodeRawPng({ width: W, height: H, channels: 3, data: pixels }, 0);
    assert.ok(isUncompressedPng(bytes) && bytes.length > pixels.length, 'the stored page is uncompressed');
    const page: StoredImage = { format: 'png', bytes, width: W, height: H, xdpi: 300, ydpi: 300, mode: 'color', bitDepth: 8 };

    const png = await save(page, { format: 'png' });
    assert.ok(!isUncompressedPng(png));
    assert.ok(png.length < pixels.length * 0.8, `PNG of ${png.length} bytes for ${pixels.length} of pixels`);
    const decoded = readPnm((await tool('pngtopam', [], png)).stdout);
    assert.ok(decoded.data.equals(pixels), 'the PNG holds the page pixel for pixel');

    const pdf = await save(page, { format: 'pdf', compression: 'lossless' });
    assert.ok(pdf.length < pixels.length * 0.8, `PDF of ${pdf.length} bytes for ${pixels.length} of pixels`);
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'page.pdf');
      await writeFile(file, pdf);
      await tool('pdfimages', ['-png', file, path.join(dir, 'img')]);
      const image = readPnm((await tool('pngtopam', [], await import('node:fs/promises').then((fs) => fs.readFile(path.join(dir, 'img-000.png'))))).stdout);
      assert.ok(image.data.equals(pixels), 'the PDF holds the page pixel for pixel');
    });
  });
});

describe('line-art: stored uncompressed when noisy, saved compressed', () => {
  /** Packed rows (1 = black): random bits, or a few ruled lines on white. */
  function bilevel(kind: 'noisy' | 'lines'): { b: Bilevel; pixels: Buffer } {
    const stride = (W + 7) >> 3;
    const data = Buffer.alloc(stride * H);
    const random = prng(5);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const black = kind === 'noisy' ? random() < 0.4 : y % 25 === 0 && x > 20 && x < W - 20;
        if (black) data[y * stride + (x >> 3)]! |= 0x80 >> (x & 7);
      }
    }
    const pixels = Buffer.alloc(W * H);
    for (let i = 0; i < W * H; i++) pixels[i] = (data[Math.floor(i / W) * stride + ((i % W) >> 3)]! >> (7 - ((i % W) & 7))) & 1 ? 0 : 255;
    return { b: { width: W, height: H, stride, data }, pixels };
  }

  it('a noisy page is stored uncompressed and saved as a compressed 1-bit PNG, pixel for pixel; text stays deflated', async () => {
    const lines = await storeBilevel(bilevel('lines').b, 300, 300);
    assert.ok(!isUncompressedPng(lines.bytes), 'line-art that deflates well is stored deflated');

    const { b, pixels } = bilevel('noisy');
    const page = await storeBilevel(b, 300, 300);
    assert.ok(isUncompressedPng(page.bytes), 'the noisy page is stored uncompressed');
    const png = await save(page, { format: 'png' });
    assert.ok(!isUncompressedPng(png), 'the saved PNG is compressed');
    assert.equal(readPngChunks(png).header.bitDepth, 1, 'the saved PNG is 1-bit');
    const decoded = readPnm((await tool('pngtopam', [], png)).stdout);
    assert.ok(decoded.data.equals(pixels), 'the PNG holds the page pixel for pixel');
  });
});
