/**
 * The G4 encoder against libtiff's decoder (tifftopnm) and poppler's
 * (pdftoppm): every pixel must come back, for shapes that exercise each
 * coding mode (pass, vertical, horizontal with make-up codes past 2560).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { packGrey } from './bilevel.js';
import { storeBilevel } from './page-store.js';
import { writePdf } from './pdf/pdf-writer.js';
import { concat, each, prng, readPnm, tool, withTempDir } from './test-tools.js';
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
];

describe('CCITT G4 encoder', () => {
  it('libtiff decodes every pixel of a multi-page G4 TIFF', async () => {
    await withTempDir(async (dir) => {
      const pages = await Promise.all(CASES.map((c) => storeBilevel(packGrey(grey(c.width, c.height, c.black), c.width, c.height), 300, 300)));
      const file = path.join(dir, 'g4.tif');
      await writeFile(file, await concat(writeTiff(each(pages), pages.length, { compression: 'g4', quality: 85 })));
      const info = (await tool('tiffinfo', [file])).stdout.toString();
      assert.equal(info.match(/Compression Scheme: CCITT Group 4/g)?.length, CASES.length);
      await tool('tiffsplit', [file, path.join(dir, 'page-')]);
      for (const [i, c] of CASES.entries()) {
        const name = `page-a${String.fromCharCode(97 + Math.floor(i / 26))}${String.fromCharCode(97 + (i % 26))}.tif`;
        const pnm = readPnm((await tool('tifftopnm', [path.join(dir, name)])).stdout);
        assert.deepEqual([pnm.width, pnm.height], [c.width, c.height], c.name);
        assert.ok(pnm.data.equals(grey(c.width, c.height, c.black)), `${c.name}: pixels differ`);
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
