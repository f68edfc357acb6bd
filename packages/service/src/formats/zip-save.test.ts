/**
 * Saving pages as a ZIP of page files: Info-ZIP's unzip tests the archive
 * (CRCs, sizes, structure) and lists it; each page file is the very file the
 * page saved alone makes, and netpbm / libtiff read it back.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { ScanbridgeError } from '@scanbridge/protocol';
import type { StoredImage } from '../buffer/types.js';
import { checkSaveOptions, outputFiles, type SaveOptions } from './encode.js';
import { concat, loadAll, readPnm, tool, withTempDir } from './test-tools.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const facts = (list: StoredImage[]) => list.map((p, index) => ({ id: `p${index}`, index, format: p.format, bitDepth: p.bitDepth, mode: p.mode }));
const sourceOf = (list: StoredImage[]) => ({ count: list.length, get: async (i: number) => list[i]! });

let pages: StoredImage[] = [];
let pixels: Buffer[] = [];

async function save(list: StoredImage[], opts: SaveOptions, base?: string): Promise<Buffer> {
  checkSaveOptions(opts, facts(list));
  const files = outputFiles(sourceOf(list), opts, base);
  assert.equal(files.length, 1, 'a ZIP is one file');
  return concat(files[0]!.chunks());
}

/** The archive checked by `unzip -t`, then its entries as `unzip -p` gives them, in order. */
async function unzipped(dir: string, zip: Buffer): Promise<Array<{ name: string; bytes: Buffer }>> {
  const file = path.join(dir, 'pages.zip');
  await writeFile(file, zip);
  assert.match((await tool('unzip', ['-t', file])).stdout.toString(), /No errors detected in compressed data/);
  const names = (await tool('zipinfo', ['-1', file])).stdout.toString().trim().split('\n');
  const out = [];
  for (const name of names) out.push({ name, bytes: (await tool('unzip', ['-p', file, name])).stdout });
  return out;
}

describe('ZIP saving', () => {
  before(async () => {
    const bw = Buffer.alloc(200 * 120);
    for (let i = 0; i < bw.length; i++) bw[i] = ((i % 200) >> 3) % 3 === 0 ? 0 : 255;
    const colour = Buffer.from(Array.from({ length: 120 * 70 * 3 }, (_, i) => (i % 3 === 0 ? i % 200 : i % 3 === 1 ? 90 : 180)));
    const load = async (bytes: Buffer, xdpi: number) => (await loadAll(bytes, { xdpi }))[0]!;
    pages = [
      await load(await sharp(bw, { raw: { width: 200, height: 120, channels: 1 } }).toColourspace('b-w').png({ palette: true, colours: 2 }).toBuffer(), 300),
      await load(await sharp(colour, { raw: { width: 120, height: 70, channels: 3 } }).png().toBuffer(), 150),
      await load(await sharp(colour, { raw: { width: 120, height: 70, channels: 3 } }).jpeg({ quality: 90 }).toBuffer(), 200),
    ];
    assert.deepEqual(pages.map((p) => `${p.format}/${p.mode}`), ['png/bw', 'png/color', 'jpeg/color']);
    pixels = [bw, colour];
  });

  for (const [pageFormat, ext] of [['jpeg', '.jpg'], ['png', '.png'], ['tiff', '.tif'], ['bmp', '.bmp']] as const) {
    it(`a ZIP of ${pageFormat}: one stored file per page, each the file that page saves alone`, async () => {
      await withTempDir(async (dir) => {
        const zip = await save(pages, { format: 'zip', pageFormat }, 'contract');
        const entries = await unzipped(dir, zip);
        assert.deepEqual(entries.map((e) => e.name), [1, 2, 3].map((n) => `contract-${n}${ext}`));
        for (const [i, entry] of entries.entries()) {
          const [alone] = outputFiles(sourceOf([pages[i]!]), { format: pageFormat });
          assert.equal(sha(entry.bytes), sha(await concat(alone!.chunks())), `page ${i + 1} is the file it makes alone`);
        }
        // Page files are compressed already: stored, not deflated again.
        assert.equal((await tool('zipinfo', [path.join(dir, 'pages.zip')])).stdout.toString().match(/ stor /g)?.length, 3);
      });
    });
  }

  it('page files read back by independent tools with their pixels', async () => {
    await withTempDir(async (dir) => {
      const png = await unzipped(dir, await save(pages, { format: 'zip', pageFormat: 'png' }));
      assert.ok(readPnm((await tool('pngtopnm', [], png[0]!.bytes)).stdout).data.equals(pixels[0]!), 'line-art PNG');
      assert.ok(readPnm((await tool('pngtopnm', [], png[1]!.bytes)).stdout).data.equals(pixels[1]!), 'colour PNG');
      const tiff = await unzipped(dir, await save(pages, { format: 'zip', pageFormat: 'tiff', compression: 'lzw' }));
      for (const [i, entry] of tiff.entries()) {
        const file = path.join(dir, `p${i}.tif`);
        await writeFile(file, entry.bytes);
        const info = (await tool('tiffinfo', [file])).stdout.toString();
        assert.equal(info.match(/TIFF Directory/g)?.length, 1, 'a single-page TIFF');
        assert.match(info, /Compression Scheme: LZW/);
      }
      assert.ok(readPnm((await tool('tifftopnm', [path.join(dir, 'p1.tif')])).stdout).data.equals(pixels[1]!), 'colour TIFF');
      const jpeg = await unzipped(dir, await save(pages, { format: 'zip', pageFormat: 'jpeg', quality: 40 }));
      assert.deepEqual(readPnm((await tool('jpegtopnm', [], jpeg[2]!.bytes)).stdout).width, 120);
      const bmp = await unzipped(dir, await save(pages, { format: 'zip', pageFormat: 'bmp' }));
      assert.ok(readPnm((await tool('bmptopnm', [], bmp[1]!.bytes)).stdout).data.equals(pixels[1]!), 'colour BMP');
    });
  });

  it('one page makes name.ext inside, as it would alone', async () => {
    await withTempDir(async (dir) => {
      const entries = await unzipped(dir, await save([pages[1]!], { format: 'zip', pageFormat: 'png' }, 'receipt'));
      assert.deepEqual(entries.map((e) => e.name), ['receipt.png']);
    });
  });

  it('streams: pages are read a few ahead of the archive, and a reader that stops early stops the encoding', async () => {
    const FEW = 10;
    // Noise does not compress: each page file is larger than what the archive stream buffers.
    const noisy = await sharp({ create: { width: 160, height: 120, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png().toBuffer();
    const [page] = await loadAll(noisy, { xdpi: 100 });
    const count = 200;
    let read = 0;
    const source = {
      count,
      get: async () => {
        read++;
        return page!;
      },
    };
    const [file] = outputFiles(source, { format: 'zip', pageFormat: 'png' });
    let mostAhead = 0;
    let written = 0;
    for await (const chunk of file!.chunks()) {
      // yazl writes each local file header (PK 3 4) as a chunk of its own.
      if (chunk.length < 100 && chunk.readUInt32LE(0) === 0x04034b50) written++;
      mostAhead = Math.max(mostAhead, read - written);
    }
    assert.deepEqual([read, written], [count, count]);
    // "A few": how far the encoder gets before the reader's next turn depends on the event loop
    // (6 was seen on Node 22), but never anywhere near the 200 pages a buffering writer would read.
    assert.ok(mostAhead <= FEW, `at most ${FEW} pages read ahead of the archive, saw ${mostAhead}`);

    read = 0;
    const [again] = outputFiles(source, { format: 'zip', pageFormat: 'png' });
    for await (const chunk of again!.chunks()) if (chunk.length > 0) break;
    assert.ok(read <= FEW, `stopped after a few pages, read ${read}`);
  });

  it('refuses combinations that make no sense, naming what is allowed', () => {
    const refused = (opts: SaveOptions, message: RegExp) =>
      assert.throws(
        () => checkSaveOptions(opts, facts(pages)),
        (err: ScanbridgeError) => err.code === 'invalid-params' && message.test(err.message),
      );
    refused({ format: 'zip' }, /^params\.pageFormat: required with format zip \(the format of each page file in the ZIP\): one of jpeg, png, tiff, bmp$/);
    refused({ format: 'zip', pageFormat: 'pdf' as never }, /^params\.pageFormat: a ZIP holds one file per page, as jpeg, png, tiff, bmp; got "pdf" \(for one PDF or multi-page TIFF, use that format instead of zip\)$/);
    refused({ format: 'pdf', pageFormat: 'jpeg' }, /^params\.pageFormat applies to zip output \(the format of each page in the ZIP\), not pdf$/);
    refused({ format: 'zip', pageFormat: 'png', quality: 80 }, /^params\.quality applies to jpeg and tiff and pdf output, not a ZIP of png$/);
    refused({ format: 'zip', pageFormat: 'jpeg', password: 'x' }, /^params\.password applies to pdf output, not a ZIP of jpeg$/);
    refused({ format: 'zip', pageFormat: 'tiff', compression: 'g4' }, /^params\.compression g4 needs black-and-white/);
    checkSaveOptions({ format: 'zip', pageFormat: 'tiff', compression: 'deflate', quality: undefined }, facts(pages));
    checkSaveOptions({ format: 'zip', pageFormat: 'jpeg', quality: 70, progressive: true }, facts(pages));
  });
});
