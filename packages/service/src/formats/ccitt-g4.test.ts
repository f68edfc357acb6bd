/**
 * The G4 encoder against libtiff's decoder (tifftopnm) and poppler's
 * (pdftoppm): every pixel must come back, for shapes that exercise each
 * coding mode (pass, vertical, horizontal with make-up codes past 2560),
 * rows repeated (coded without looking for their changes), and 1-bit PNGs
 * stored as sent, coded from their own inflated rows: palette or grey,
 * every filter type, stray bits past the width.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { deflateSync } from 'node:zlib';
import path from 'node:path';
import { decodeBilevelPng, packGrey } from './bilevel.js';
import { codedAheadOf, codingAhead } from './bilevel-pool.js';
import { encodeG4 } from './ccitt-g4.js';
import { PNG_SIGNATURE, pngChunk } from './png-chunks.js';
import { storeBilevel } from './page-store.js';
import { writePdf } from './pdf/pdf-writer.js';
import { concat, each, loadAll, prng, readPnm, tool, withTempDir, type Pnm } from './test-tools.js';
import type { StoredImage } from '../buffer/types.js';
import { writeTiff } from './tiff-writer.js';

type Painter = (x: number, y: number) => boolean;

function grey(width: number, height: number, black: Painter): Buffer {
  const g = Buffer.alloc(width * height, 255);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (black(x, y)) g[y * width + x] = 0;
  return g;
}

const random = prng(7);
const noise = Array.from({ length: 300 * 200 }, () => random() < 0.3);
const CASES: Array<{ name: string; width: number; height: number; black: Painter }> = [
  { name: 'one white pixel', width: 1, height: 1, black: () => false },
  { name: 'one black pixel', width: 1, height: 1, black: () => true },
  { name: 'all black, width not a multiple of 8', width: 13, height: 5, black: () => true },
  { name: 'checkerboard (changes at every pixel)', width: 64, height: 64, black: (x, y) => (x + y) % 2 === 0 },
  { name: 'stairs (vertical modes)', width: 100, height: 100, black: (x, y) => x >= y && x < y + 7 },
  { name: 'runs longer than 2560 (extended make-up codes)', width: 6100, height: 4, black: (x, y) => (y % 2 ? x > 2600 && x < 5900 : x < 3000) },
  { name: 'random noise', width: 300, height: 200, black: (x, y) => noise[y * 300 + x]! },
  { name: 'text-like bars', width: 2481, height: 120, black: (x, y) => y % 12 < 8 && Math.floor(x / 9) % 3 !== 0 && x % 500 < 430 },
  { name: 'rows repeated in runs of random length', width: 203, height: 90, black: (x, y) => noise[(Math.floor(y / (1 + (y % 7))) % 200) * 300 + x]! },
  { name: 'all black rows after all white ones', width: 70, height: 9, black: (_x, y) => y >= 4 },
];

/**
 * A 1-bit PNG of the painter's pixels written here (not by our encoder):
 * `palette` maps bit values to grey levels (none: a grey PNG, 1 = white),
 * row y filtered with type y % 5, bits past the width random.
 */
/** `pages` saved as one G4 TIFF in `dir` (`file`), split by libtiff's tiffsplit and each page decoded by netpbm's tifftopnm. */
async function g4TiffPages(dir: string, pages: StoredImage[]): Promise<{ file: string; decoded: Pnm[] }> {
  const file = path.join(dir, 'g4.tif');
  await writeFile(file, await concat(writeTiff(each(pages), pages.length, { compression: 'g4', quality: 85 })));
  await tool('tiffsplit', [file, path.join(dir, 'page-')]);
  const decoded: Pnm[] = [];
  for (let i = 0; i < pages.length; i++) {
    const name = `page-a${String.fromCharCode(97 + Math.floor(i / 26))}${String.fromCharCode(97 + (i % 26))}.tif`;
    decoded.push(readPnm((await tool('tifftopnm', [path.join(dir, name)])).stdout));
  }
  return { file, decoded };
}

function handMadePng(width: number, height: number, black: Painter, palette?: readonly [number, number]): Buffer {
  const stride = (width + 7) >> 3;
  const random = prng(width * 31 + height);
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < stride * 8; x++) {
      const v = x >= width ? random() < 0.5 : black(x, y) === (palette ? palette[1] === 0 : false);
      if (v) raw[y * stride + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  const filtered = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const type = y % 5;
    filtered[y * (stride + 1)] = type;
    for (let i = 0; i < stride; i++) {
      const at = (dy: number, di: number) => (y + dy < 0 || i + di < 0 ? 0 : raw[(y + dy) * stride + i + di]!);
      const a = at(0, -1);
      const b = at(-1, 0);
      const c = at(-1, -1);
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predicted = [0, a, b, (a + b) >> 1, paeth][type]!;
      filtered[y * (stride + 1) + 1 + i] = (at(0, 0) - predicted) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([1, palette ? 3 : 0, 0, 0, 0], 8);
  const plte = palette ? [pngChunk('PLTE', Buffer.from(palette.flatMap((g) => [g, g, g])))] : [];
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr), ...plte, pngChunk('IDAT', deflateSync(filtered)), pngChunk('IEND', Buffer.alloc(0))]);
}

describe('CCITT G4 encoder', () => {
  it('libtiff decodes every pixel of a multi-page G4 TIFF', async () => {
    await withTempDir(async (dir) => {
      const pages = await Promise.all(CASES.map((c) => storeBilevel(packGrey(grey(c.width, c.height, c.black), c.width, c.height), 300, 300)));
      const { file, decoded } = await g4TiffPages(dir, pages);
      const info = (await tool('tiffinfo', [file])).stdout.toString();
      assert.equal(info.match(/Compression Scheme: CCITT Group 4/g)?.length, CASES.length);
      for (const [i, c] of CASES.entries()) {
        const pnm = decoded[i]!;
        assert.deepEqual([pnm.width, pnm.height], [c.width, c.height], c.name);
        assert.ok(pnm.data.equals(grey(c.width, c.height, c.black)), `${c.name}: pixels differ`);
      }
    });
  });

  it('libtiff decodes every pixel of 1-bit PNGs stored as sent (grey and palette, every filter type, stray padding bits)', async () => {
    await withTempDir(async (dir) => {
      const shapes: Array<{ width: number; height: number; black: Painter; palette?: readonly [number, number] }> = [
        { width: 37, height: 40, black: (x, y) => noise[(y >> 1) * 300 + x]! },
        { width: 64, height: 30, black: (x, y) => noise[y * 300 + x]!, palette: [255, 0] },
        { width: 3001, height: 12, black: (x, y) => (y % 3 ? x > 2700 : x % 7 === 0), palette: [0, 255] },
      ];
      const pages = [];
      for (const c of shapes) {
        const png = handMadePng(c.width, c.height, c.black, c.palette);
        // The file is what the test means: netpbm decodes it to the painter's pixels.
        assert.ok(readPnm((await tool('pngtopam', [], png)).stdout).data.equals(grey(c.width, c.height, c.black)), 'pngtopam reads the hand-made PNG');
        const [page] = await loadAll(png);
        assert.ok(page!.format === 'png' && page!.bitDepth === 1 && page!.bytes.equals(png), 'stored as sent');
        pages.push(page!);
      }
      const { decoded } = await g4TiffPages(dir, pages);
      for (const [i, c] of shapes.entries()) {
        const pnm = decoded[i]!;
        assert.deepEqual([pnm.width, pnm.height], [c.width, c.height]);
        assert.ok(pnm.data.equals(grey(c.width, c.height, c.black)), `shape ${i}: pixels differ`);
      }
    });
  });

  it('poppler decodes the same pages from /CCITTFaxDecode image streams', async () => {
    await withTempDir(async (dir) => {
      const cases = CASES.filter((c) => c.width >= 8);
      const pages = await Promise.all(cases.map((c) => storeBilevel(packGrey(grey(c.width, c.height, c.black), c.width, c.height), 72, 72)));
      const file = path.join(dir, 'g4.pdf');
      await writeFile(file, await concat(writePdf(each(pages))));
      const list = (await tool('pdfimages', ['-list', file])).stdout.toString();
      assert.equal(list.match(/ ccitt /g)?.length, cases.length);
      for (const [i, c] of cases.entries()) {
        // Rendered at 4x and sampled at pixel centres: at exactly 1x, poppler's pixel grid rounding moves edges.
        const pnm = readPnm((await tool('pdftoppm', ['-r', '288', '-f', `${i + 1}`, '-l', `${i + 1}`, '-singlefile', '-gray', file])).stdout);
        assert.deepEqual([pnm.width, pnm.height], [c.width * 4, c.height * 4], c.name);
        const sampled = Buffer.alloc(c.width * c.height);
        for (let y = 0; y < c.height; y++) for (let x = 0; x < c.width; x++) sampled[y * c.width + x] = pnm.data[(4 * y + 2) * pnm.width + 4 * x + 2]! < 128 ? 0 : 255;
        assert.ok(sampled.equals(grey(c.width, c.height, c.black)), `${c.name}: pixels differ`);
      }
    });
  });
});

describe('G4 coded ahead of a save', () => {
  it('a stored page that deflates well is coded on its thread after its PNG: the stream the save would make, used by the save', async () => {
    const text = CASES.find((c) => c.name === 'text-like bars')!;
    const bars = grey(text.width, text.height, text.black);
    const stairs = grey(100, 100, CASES.find((c) => c.name.startsWith('stairs'))!.black);
    const random = prng(3);
    const noisy = grey(400, 300, () => random() < 0.5);
    const [barsPage, stairsPage, noisyPage] = await Promise.all([
      storeBilevel(packGrey(bars, text.width, text.height), 300, 300),
      storeBilevel(packGrey(stairs, 100, 100), 300, 300),
      storeBilevel(packGrey(noisy, 400, 300), 300, 300),
    ]);
    await codingAhead();
    for (const [page, pixels] of [[barsPage!, bars], [stairsPage!, stairs]] as const) {
      const ahead = codedAheadOf(page.bytes);
      assert.ok(ahead, 'coded ahead');
      assert.deepEqual([ahead.width, ahead.height], [page.width, page.height]);
      assert.ok(ahead.strip.equals(encodeG4(packGrey(pixels, page.width, page.height))), 'the stream the save would code');
    }
    // Noise is stored, not deflated: coding it ahead would hold its thread for long; the save codes it.
    assert.equal(codedAheadOf(noisyPage!.bytes), undefined);
    // Other bytes (a page read back from the disk cache) have no stream: coded when saved.
    assert.equal(codedAheadOf(Buffer.from(barsPage!.bytes)), undefined);

    await withTempDir(async (dir) => {
      const pages = [barsPage!, stairsPage!, noisyPage!, { ...barsPage!, bytes: Buffer.from(barsPage!.bytes) }];
      const expected = [bars, stairs, noisy, bars];
      const { decoded } = await g4TiffPages(dir, pages);
      for (const [i, page] of pages.entries()) {
        const pnm = decoded[i]!;
        assert.deepEqual([pnm.width, pnm.height], [page.width, page.height]);
        assert.ok(pnm.data.equals(expected[i]!), `page ${i + 1}: pixels differ`);
      }
    });
  });

  it('pages of uncompressed 1-bit TIFFs loaded at once and one after another each keep their own pixels and stream', async () => {
    const width = 203;
    const height = 150;
    // Text-like marks on white (they deflate well, so they are coded ahead), different on each
    // page, so that a page read from another's rows shows.
    const pixels = Array.from({ length: 10 }, (_, k) => grey(width, height, (x, y) => (y + 3 * k) % 11 < 4 && (x + 9 * k) % 64 < 12));
    const tiffs = await Promise.all(pixels.map((g) => sharp(g, { raw: { width, height, channels: 1 } }).toColourspace('b-w').tiff({ compression: 'none', bitdepth: 1 }).toBuffer()));
    const together = await Promise.all(tiffs.slice(0, 5).map((t) => loadAll(t)));
    const inTurn = [];
    for (const t of tiffs.slice(5)) inTurn.push(await loadAll(t));
    await codingAhead();
    for (const [k, [page]] of [...together, ...inTurn].entries()) {
      const rows = packGrey(pixels[k]!, width, height);
      assert.ok((await decodeBilevelPng(page!.bytes))!.data.equals(rows.data), `page ${k + 1}: stored pixels`);
      assert.ok(codedAheadOf(page!.bytes)?.strip.equals(encodeG4(rows)), `page ${k + 1}: stream coded ahead`);
    }
  });
});
