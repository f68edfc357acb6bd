/**
 * Per-page compression of PDF and TIFF, checked with tools that are not ours:
 * the demo feeder's 20 colour pages at 200 dpi with `auto` make a PDF of at
 * most 3 MB that qpdf finds sound, whose every barcode zbarimg still decodes
 * from pdftoppm's rendering, and whose pixels stay close to the lossless
 * rendering (PSNR and mean absolute difference printed); pdfimages and
 * tiffinfo tell which encoding each page got.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { ScanbridgeError } from '@scanbridge/protocol';
import type { StoredImage } from '../buffer/types.js';
import { DemoDriver } from '../devices/demo/demo-driver.js';
import { recordingSink, settings } from '../devices/demo/test-helpers.js';
import { checkSaveOptions, outputFiles, type SaveOptions } from './encode.js';
import { concat, meanAbsDiff, readPnm, tool, withTempDir } from './test-tools.js';

const SIZE_LIMIT = 3_000_000;

let document: StoredImage[] = [];

async function demoPages(input: Parameters<typeof settings>[0]): Promise<StoredImage[]> {
  const sink = recordingSink();
  await new DemoDriver().scan('demo:scanner', settings(input), sink, new AbortController().signal);
  return sink.pages.map(({ kind: _, ...page }) => page);
}

async function save(pages: StoredImage[], opts: SaveOptions): Promise<Buffer> {
  checkSaveOptions(opts, pages.map((p, index) => ({ id: `p${index}`, index, format: p.format, bitDepth: p.bitDepth, mode: p.mode })));
  const [file] = outputFiles({ count: pages.length, get: async (i) => pages[i]! }, opts);
  return concat(file!.chunks());
}

/** The encoding pdfimages -list names for each image, in page order. */
async function encodings(file: string): Promise<string[][]> {
  const rows = (await tool('pdfimages', ['-list', file])).stdout.toString().split('\n').slice(2).filter(Boolean);
  const pages: string[][] = [];
  for (const row of rows) {
    const cols = row.trim().split(/\s+/);
    (pages[Number(cols[0]) - 1] ??= []).push(`${cols[2]}:${cols[8]}`);
  }
  return pages;
}

function psnr(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return 10 * Math.log10((255 * 255) / (sum / a.length));
}

/** Page n of the PDF as pdftoppm renders it at the page's resolution, RGB. */
async function renderedRgb(file: string, n: number, page: StoredImage): Promise<Buffer> {
  const pnm = readPnm((await tool('pdftoppm', ['-r', String(page.xdpi), '-f', `${n}`, '-l', `${n}`, '-singlefile', file])).stdout);
  assert.equal(pnm.channels, 3);
  return pnm.data;
}

const facts = (pages: StoredImage[]) => pages.map((p, index) => ({ id: `p${index}`, index, format: p.format, bitDepth: p.bitDepth, mode: p.mode }));

describe('PDF and TIFF compression', () => {
  before(async () => {
    document = await demoPages({ source: 'feeder', mode: 'color', dpi: 200, options: { sheets: 20 } });
    assert.equal(document.length, 20);
  });

  it(`auto writes the 20-page colour demo document in at most ${SIZE_LIMIT} bytes, every barcode decodable, close to lossless`, async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'auto.pdf');
      const pdf = await save(document, { format: 'pdf', compression: 'auto' });
      await writeFile(file, pdf);
      const stored = document.reduce((n, p) => n + p.bytes.length, 0);
      console.log(`auto: ${pdf.length} bytes for 20 pages (${Math.round(pdf.length / 20)} a page; the pages as stored: ${stored} bytes)`);
      assert.ok(pdf.length <= SIZE_LIMIT, `${pdf.length} bytes > ${SIZE_LIMIT}`);
      await tool('qpdf', ['--check', file]);
      assert.match((await tool('pdfinfo', [file])).stdout.toString(), /Pages:\s+20\n/);
      // Each document page: a JPEG background and a CCITT stencil of the ink.
      assert.deepEqual(new Set((await encodings(file)).map((p) => p.join(' '))), new Set(['image:jpeg stencil:ccitt']));

      // Grey PNM: what zbarimg needs, without the cost of compressing PNGs.
      await tool('pdftoppm', ['-r', '200', '-gray', file, path.join(dir, 'page')]);
      const renders = (await readdir(dir)).filter((f) => f.startsWith('page') && f.endsWith('.pgm')).sort();
      assert.equal(renders.length, 20);
      for (const [i, name] of renders.entries()) {
        const doc = `SB-DEMO-${String(i + 1).padStart(4, '0')}-F`;
        const symbols = [`CODE-128:${doc}`, `QR-Code:${JSON.stringify({ doc, page: i + 1, pages: 20 })}`];
        const found = (await tool('zbarimg', ['-q', path.join(dir, name)])).stdout.toString().split('\n').filter(Boolean).sort();
        assert.deepEqual(found, symbols, `page ${i + 1}: zbarimg reads both symbols from the PDF`);
      }
      // Against the same pages written lossless and rendered the same way.
      const losslessFile = path.join(dir, 'lossless.pdf');
      await writeFile(losslessFile, await save(document, { format: 'pdf', compression: 'lossless' }));
      for (const n of [1, 10, 20]) {
        const page = document[n - 1]!;
        const source = await renderedRgb(losslessFile, n, page);
        const out = await renderedRgb(file, n, page);
        const p = psnr(source, out);
        const mad = meanAbsDiff(source, out);
        console.log(`page ${n}: PSNR ${p.toFixed(2)} dB, mean abs diff ${mad.toFixed(2)} against the lossless page`);
        assert.ok(p >= 22, `page ${n}: PSNR ${p.toFixed(2)} dB`);
        assert.ok(mad <= 7, `page ${n}: mean abs diff ${mad.toFixed(2)}`);
      }
    });
  });

  it('is auto when no compression is asked, and lossless keeps every pixel', async () => {
    const two = document.slice(0, 2);
    const byDefault = await save(two, { format: 'pdf' });
    const auto = await save(two, { format: 'pdf', compression: 'auto' });
    const lossless = await save(two, { format: 'pdf', compression: 'lossless' });
    console.log(`2 pages: default ${byDefault.length}, auto ${auto.length}, lossless ${lossless.length} bytes`);
    assert.ok(Math.abs(byDefault.length - auto.length) < 4096, 'the default is auto');
    assert.ok(lossless.length > 8 * auto.length, 'lossless is the large one');
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'lossless.pdf');
      await writeFile(file, lossless);
      assert.deepEqual(await encodings(file), [['image:image'], ['image:image']]);
      await tool('pdfimages', ['-png', '-f', '1', '-l', '1', file, path.join(dir, 'img')]);
      const extracted = await sharp(path.join(dir, 'img-000.png')).raw().toBuffer();
      assert.equal(meanAbsDiff(await sharp(two[0]!.bytes).raw().toBuffer(), extracted), 0);
    });
  });

  it('jpeg takes quality; a page stored as JPEG passes through byte for byte whatever the compression', async () => {
    const jpegPage: StoredImage = { ...document[0]!, format: 'jpeg', bytes: await sharp(document[0]!.bytes).jpeg({ quality: 90 }).toBuffer() };
    const pages = [jpegPage, document[1]!];
    const low = await save(pages, { format: 'pdf', compression: 'jpeg', quality: 40 });
    const high = await save(pages, { format: 'pdf', compression: 'jpeg', quality: 90 });
    assert.ok(low.length < high.length, `quality 40 (${low.length}) is smaller than 90 (${high.length})`);
    for (const compression of ['auto', 'jpeg', 'lossless'] as const) {
      await withTempDir(async (dir) => {
        const file = path.join(dir, 'out.pdf');
        await writeFile(file, await save(pages, { format: 'pdf', compression, quality: 40 }).catch(() => save(pages, { format: 'pdf', compression })));
        await tool('pdfimages', ['-all', '-f', '1', '-l', '1', file, path.join(dir, 'img')]);
        const extracted = (await readdir(dir)).filter((f) => f.startsWith('img'));
        assert.deepEqual(extracted, ['img-000.jpg'], compression);
        assert.ok((await readFile(path.join(dir, 'img-000.jpg'))).equals(jpegPage.bytes), `${compression}: the JPEG page is the stored file`);
      });
    }
  });

  it('auto measures pages: a grey text page as G4, a photo as JPEG, line-art as G4', async () => {
    const text = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#ffffff' } })
      .composite([{ input: Buffer.from('<svg width="800" height="600"><text x="40" y="200" font-size="60" font-family="sans-serif">Black text only</text><rect x="40" y="300" width="600" height="8"/></svg>') }])
      .png()
      .toBuffer();
    const textPage: StoredImage = { format: 'png', bytes: await sharp(text).toColourspace('b-w').png().toBuffer(), width: 800, height: 600, xdpi: 100, ydpi: 100, mode: 'gray', bitDepth: 8 };
    const noise = Buffer.from(Array.from({ length: 300 * 200 * 3 }, (_, i) => (i * 7919) % 256));
    const photoPage: StoredImage = { format: 'png', bytes: await sharp(noise, { raw: { width: 300, height: 200, channels: 3 } }).png().toBuffer(), width: 300, height: 200, xdpi: 100, ydpi: 100, mode: 'color', bitDepth: 8 };
    const [lineArt] = await demoPages({ source: 'flatbed', mode: 'bw', dpi: 100 });
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'out.pdf');
      await writeFile(file, await save([textPage, photoPage, lineArt!], { format: 'pdf' }));
      await tool('qpdf', ['--check', file]);
      assert.deepEqual(await encodings(file), [['image:ccitt'], ['image:jpeg'], ['image:ccitt']]);
      const tiff = path.join(dir, 'out.tif');
      await writeFile(tiff, await save([textPage, photoPage, lineArt!], { format: 'tiff' }));
      const info = (await tool('tiffinfo', [tiff])).stdout.toString();
      assert.deepEqual([...info.matchAll(/Compression Scheme: (.+)/g)].map((m) => m[1]), ['CCITT Group 4', 'JPEG', 'CCITT Group 4']);
    });
  });

  it('refuses g4 for a colour page, naming it, and TIFF-only compressions for PDF', () => {
    const pages = facts(document.slice(0, 2));
    assert.throws(
      () => checkSaveOptions({ format: 'pdf', compression: 'g4' }, pages),
      (err: unknown) => err instanceof ScanbridgeError && err.code === 'invalid-params' && /page 0 \(p0\) is color 8-bit/.test(err.message),
    );
    assert.throws(() => checkSaveOptions({ format: 'pdf', compression: 'lzw' }, pages), /auto, lossless, jpeg, g4; lzw is for TIFF/);
    assert.throws(() => checkSaveOptions({ format: 'pdf', compression: 'lossless', quality: 50 }, pages), /quality applies to PDF with compression jpeg or auto/);
    checkSaveOptions({ format: 'pdf', compression: 'jpeg', quality: 75 }, pages);
  });
});
