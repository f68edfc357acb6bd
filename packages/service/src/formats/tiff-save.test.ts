/**
 * Saving TIFF: tiffinfo reads the pages, their compression and resolution;
 * tiffsplit and tifftopnm (libtiff, netpbm) give back the pixels.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { ScanbridgeError } from '@scanbridge/protocol';
import type { StoredImage } from '../buffer/types.js';
import { checkSaveOptions, outputFiles, type SaveOptions } from './encode.js';
import { concat, loadAll, meanAbsDiff, readPnm, tool, withTempDir } from './test-tools.js';

let pages: StoredImage[] = [];
let sourcePixels: Buffer[] = [];

const facts = (list: StoredImage[]) => list.map((p, index) => ({ id: `p${index}`, index, format: p.format, bitDepth: p.bitDepth, mode: p.mode }));

async function saveTiff(list: StoredImage[], opts: Omit<SaveOptions, 'format'>): Promise<Buffer> {
  const options: SaveOptions = { format: 'tiff', ...opts };
  checkSaveOptions(options, facts(list));
  const [file] = outputFiles({ count: list.length, get: async (i) => list[i]! }, options);
  return concat(file!.chunks());
}

/** Each page of the TIFF as tifftopnm reads it. */
async function pagesOf(dir: string, tiff: Buffer, count: number): Promise<ReturnType<typeof readPnm>[]> {
  const file = path.join(dir, 'out.tif');
  await writeFile(file, tiff);
  await tool('tiffsplit', [file, path.join(dir, 'p-')]);
  const out = [];
  for (let i = 0; i < count; i++) {
    const page = path.join(dir, `p-aa${String.fromCharCode(97 + i)}.tif`);
    // tifftopnm cannot read YCbCr (JPEG) pages: tiff2rgba turns them into RGB first.
    const ycbcr = (await tool('tiffinfo', [page])).stdout.toString().includes('YCbCr');
    if (ycbcr) await tool('tiff2rgba', [page, `${page}.rgb.tif`]);
    out.push(readPnm((await tool('tifftopnm', [ycbcr ? `${page}.rgb.tif` : page])).stdout));
  }
  return out;
}

async function tiffinfo(dir: string, tiff: Buffer): Promise<string> {
  const file = path.join(dir, 'info.tif');
  await writeFile(file, tiff);
  return (await tool('tiffinfo', [file])).stdout.toString();
}

describe('TIFF saving', () => {
  before(async () => {
    const bw = Buffer.alloc(333 * 200);
    for (let i = 0; i < bw.length; i++) bw[i] = ((i % 333) >> 3) % 3 === 0 || Math.floor(i / 333) % 17 < 2 ? 0 : 255;
    const grey = Buffer.from(Array.from({ length: 150 * 90 }, (_, i) => (i * 5) % 256));
    const colour = Buffer.from(Array.from({ length: 120 * 70 * 3 }, (_, i) => (i % 3 === 0 ? i % 200 : i % 3 === 1 ? 90 : 180)));
    const load = async (bytes: Buffer, xdpi: number) => (await loadAll(bytes, { xdpi }))[0]!;
    pages = [
      await load(await sharp(bw, { raw: { width: 333, height: 200, channels: 1 } }).toColourspace('b-w').png({ palette: true, colours: 2 }).toBuffer(), 300),
      await load(await sharp(grey, { raw: { width: 150, height: 90, channels: 1 } }).toColourspace('b-w').png().toBuffer(), 150),
      await load(await sharp(colour, { raw: { width: 120, height: 70, channels: 3 } }).png().toBuffer(), 100),
      await load(await sharp(colour, { raw: { width: 120, height: 70, channels: 3 } }).jpeg({ quality: 90 }).toBuffer(), 200),
    ];
    assert.deepEqual(pages.map((p) => `${p.format}/${p.mode}`), ['png/bw', 'png/gray', 'png/color', 'jpeg/color']);
    sourcePixels = [bw, grey, colour, await sharp(pages[3]!.bytes).raw().toBuffer()];
  });

  it('lossless: G4 for line-art, LZW for lossless pages, JPEG for JPEG pages; pages of different sizes and resolutions', async () => {
    await withTempDir(async (dir) => {
      const tiff = await saveTiff(pages, { compression: 'lossless', quality: 95 });
      const info = await tiffinfo(dir, tiff);
      assert.deepEqual(info.match(/Compression Scheme: .*/g), ['Compression Scheme: CCITT Group 4', 'Compression Scheme: LZW', 'Compression Scheme: LZW', 'Compression Scheme: JPEG']);
      assert.deepEqual(info.match(/Image Width: \d+ Image Length: \d+/g), ['Image Width: 333 Image Length: 200', 'Image Width: 150 Image Length: 90', 'Image Width: 120 Image Length: 70', 'Image Width: 120 Image Length: 70']);
      assert.deepEqual(info.match(/Resolution: [\d.]+, [\d.]+ pixels\/inch/g), ['Resolution: 300, 300 pixels/inch', 'Resolution: 150, 150 pixels/inch', 'Resolution: 100, 100 pixels/inch', 'Resolution: 200, 200 pixels/inch']);
      assert.deepEqual(info.match(/Page Number: \d+-\d+/g), ['Page Number: 0-4', 'Page Number: 1-4', 'Page Number: 2-4', 'Page Number: 3-4']);
      const back = await pagesOf(dir, tiff, 4);
      assert.ok(back[0]!.data.equals(sourcePixels[0]!), 'line-art pixels');
      assert.ok(back[1]!.data.equals(sourcePixels[1]!), 'grey pixels');
      assert.ok(back[2]!.data.equals(sourcePixels[2]!), 'colour pixels');
      assert.ok(meanAbsDiff(back[3]!.data, sourcePixels[3]!) < 3, 'JPEG page');
    });
  });

  for (const [compression, name] of [['none', 'None'], ['lzw', 'LZW'], ['deflate', 'AdobeDeflate']] as const) {
    it(`${compression}: every page, line-art included, losslessly`, async () => {
      await withTempDir(async (dir) => {
        const tiff = await saveTiff(pages.slice(0, 3), { compression });
        const info = await tiffinfo(dir, tiff);
        assert.equal(info.match(new RegExp(`Compression Scheme: ${name}\\n`, 'g'))?.length, 3, info);
        assert.match(info, /Bits\/Sample: 1\n/);
        const back = await pagesOf(dir, tiff, 3);
        for (let i = 0; i < 3; i++) assert.ok(back[i]!.data.equals(sourcePixels[i]!), `page ${i}`);
      });
    });
  }

  it('jpeg: grey and colour pages as JPEG at the quality asked, line-art as G4', async () => {
    await withTempDir(async (dir) => {
      const low = await saveTiff(pages.slice(0, 3), { compression: 'jpeg', quality: 20 });
      const high = await saveTiff(pages.slice(0, 3), { compression: 'jpeg', quality: 95 });
      const info = await tiffinfo(dir, high);
      assert.deepEqual(info.match(/Compression Scheme: .*/g), ['Compression Scheme: CCITT Group 4', 'Compression Scheme: JPEG', 'Compression Scheme: JPEG']);
      assert.ok(low.length < high.length, 'lower quality, smaller file');
      const back = await pagesOf(dir, high, 3);
      assert.ok(meanAbsDiff(back[2]!.data, sourcePixels[2]!) < 3);
    });
  });

  it('g4 takes line-art only: other pages are refused before anything is written', async () => {
    await withTempDir(async (dir) => {
      const tiff = await saveTiff([pages[0]!, pages[0]!], { compression: 'g4' });
      assert.equal((await tiffinfo(dir, tiff)).match(/CCITT Group 4/g)?.length, 2);
    });
    assert.throws(
      () => checkSaveOptions({ format: 'tiff', compression: 'g4' }, facts(pages)),
      (err: ScanbridgeError) => err.code === 'invalid-params' && /^params\.compression g4 needs black-and-white \(1-bit\) pages; page 1 \(p1\) is gray 8-bit/.test(err.message),
    );
  });
});
