/**
 * Loading each raster format, from files written by independent tools where
 * Debian has one (netpbm's pnmtojpeg and pnmtopng, libtiff's tiffcp) and by
 * sharp otherwise (CMYK JPEG, EXIF orientation, alpha, WebP). The pages must
 * hold the source's pixels, size, resolution and kind.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { ScanbridgeError } from '@scanbridge/protocol';
import type { StoredImage } from '../buffer/types.js';
import { loadAll, meanAbsDiff, readPnm, tool, withTempDir } from './test-tools.js';

const W = 61;
const H = 43;

function pnm(channels: 1 | 3, maxval: number, pixel: (x: number, y: number) => number[]): Buffer {
  const wide = maxval > 255;
  const data = Buffer.alloc(W * H * channels * (wide ? 2 : 1));
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      pixel(x, y).forEach((v, c) => {
        const i = (y * W + x) * channels + c;
        if (wide) data.writeUInt16BE(v, 2 * i);
        else data[i] = v;
      });
    }
  }
  return Buffer.concat([Buffer.from(`${channels === 3 ? 'P6' : 'P5'}\n${W} ${H}\n${maxval}\n`, 'latin1'), data]);
}

const colour = (x: number, y: number) => [(x * 4) % 256, (y * 6) % 256, ((x + y) * 3) % 256];
const COLOUR = pnm(3, 255, colour);
const COLOUR_RAW = readPnm(COLOUR).data;

async function raw(page: StoredImage, channels: 1 | 3 = 3): Promise<Buffer> {
  return sharp(page.bytes).toColourspace(channels === 1 ? 'b-w' : 'srgb').raw().toBuffer();
}

async function one(bytes: Buffer, opts = {}): Promise<StoredImage> {
  const pages = await loadAll(bytes, opts);
  assert.equal(pages.length, 1);
  return pages[0]!;
}

describe('JPEG loading', () => {
  for (const progressive of [false, true]) {
    it(`${progressive ? 'progressive' : 'baseline'} JPEG is stored byte for byte`, async () => {
      const jpeg = (await tool('pnmtojpeg', ['--quality=90', '--density=300x300dpi', ...(progressive ? ['--progressive'] : [])], COLOUR)).stdout;
      const page = await one(jpeg);
      assert.equal(page.format, 'jpeg');
      assert.ok(page.bytes.equals(jpeg), 'the stored bytes are the file');
      assert.deepEqual([page.width, page.height, page.xdpi, page.ydpi, page.mode], [W, H, 300, 300, 'color']);
      assert.ok(meanAbsDiff(await raw(page), COLOUR_RAW) < 3);
    });
  }

  it('grey JPEG is a grey page', async () => {
    const jpeg = (await tool('pnmtojpeg', [], pnm(1, 255, (x) => [x * 4]))).stdout;
    assert.equal((await one(jpeg)).mode, 'gray');
  });

  it('CMYK JPEG keeps its bytes and shows the same colours', async () => {
    // Pale colours, inside the CMYK gamut, so that only the conversion's rounding separates them.
    const pale = COLOUR_RAW.map((v) => 64 + (v >> 1));
    const cmyk = await sharp(pale, { raw: { width: W, height: H, channels: 3 } }).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    assert.equal((await sharp(cmyk).metadata()).space, 'cmyk');
    const page = await one(cmyk);
    assert.ok(page.bytes.equals(cmyk));
    assert.equal(page.mode, 'color');
    const diff = meanAbsDiff(await raw(page), pale);
    assert.ok(diff < 8, `colours survive the CMYK round trip (mean difference ${diff})`);
  });

  it('EXIF orientation is applied: the page is turned and its size and resolution swap', async () => {
    // Red in the top-left corner as stored; orientation 6 shows the stored image turned a quarter clockwise.
    const stored = await sharp({ create: { width: 80, height: 40, channels: 3, background: '#ffffff' } })
      .composite([{ input: { create: { width: 20, height: 10, channels: 3, background: '#ff0000' } }, left: 0, top: 0 }])
      .withMetadata({ orientation: 6, density: 300 })
      .jpeg({ quality: 95 })
      .toBuffer();
    const page = await one(stored, { xdpi: 300, ydpi: 150 });
    assert.deepEqual([page.width, page.height, page.xdpi, page.ydpi], [40, 80, 150, 300]);
    const px = await raw(page);
    const at = (x: number, y: number) => [...px.subarray((y * 40 + x) * 3, (y * 40 + x) * 3 + 3)];
    assert.ok(at(38, 2)[0]! > 200 && at(38, 2)[1]! < 60, 'red is now top-right');
    assert.ok(at(1, 2)[1]! > 200, 'top-left is white');
    assert.equal((await sharp(page.bytes).metadata()).orientation ?? 1, 1, 'no orientation left to apply twice');
  });
});

describe('PNG loading', () => {
  for (const [maxval, bits, mode] of [[1, 1, 'bw'], [3, 2, 'gray'], [15, 4, 'gray'], [255, 8, 'gray'], [65535, 16, 'gray']] as const) {
    it(`${bits}-bit grey PNG is stored as sent (${mode})`, async () => {
      const source = pnm(1, maxval, (x, y) => [((x + y) * 7) % (maxval + 1)]);
      const png = (await tool('pnmtopng', [], source)).stdout;
      assert.equal(png[24], bits, 'pnmtopng wrote the expected depth');
      const page = await one(png);
      assert.ok(page.bytes.equals(png));
      assert.deepEqual([page.mode, page.bitDepth], [mode, bits === 16 ? 16 : bits === 1 ? 1 : 8]);
      const want = readPnm(source).data;
      const got = await raw(page, 1);
      // Sub-8-bit greys are scaled to 8 bits by the decoder; compare levels, not values.
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1, `pixel ${i}: ${got[i]} vs ${want[i]}`);
    });
  }

  it('palette and 16-bit RGB PNGs keep their pixels', async () => {
    const palette = (await tool('pnmtopng', [], pnm(3, 255, (x) => (x % 2 ? [200, 30, 40] : [10, 90, 250])))).stdout;
    assert.equal(palette[25], 3, 'colour type 3 (palette)');
    const page = await one(palette);
    assert.equal(page.mode, 'color');
    assert.deepEqual([...(await raw(page)).subarray(0, 6)], [10, 90, 250, 200, 30, 40]);
    // v * 256 + 77: not a multiple of 257, so pnmtopng cannot reduce the file to 8 bits.
    const rgb16 = (await tool('pnmtopng', [], pnm(3, 65535, (x, y) => colour(x, y).map((v) => v * 256 + 77)))).stdout;
    const deep = await one(rgb16);
    assert.deepEqual([deep.mode, deep.bitDepth], ['color', 16]);
    assert.ok((await raw(deep)).equals(COLOUR_RAW));
  });

  it('alpha is flattened on white', async () => {
    const rgba = Buffer.alloc(W * H * 4);
    for (let i = 0; i < W * H; i++) rgba.set([0, 0, 0, i % 2 ? 0 : 128], 4 * i);
    const png = await sharp(rgba, { raw: { width: W, height: H, channels: 4 } }).png().toBuffer();
    const page = await one(png);
    assert.equal((await sharp(page.bytes).metadata()).hasAlpha, false);
    const px = await raw(page, 1);
    assert.equal(px[1], 255, 'transparent becomes white');
    assert.ok(Math.abs(px[0]! - 127) <= 1, `half-transparent black becomes mid grey, got ${px[0]}`);
  });
});

describe('TIFF loading', () => {
  const compressions: Array<[string, string]> = [['none', 'None'], ['lzw', 'LZW'], ['zip', 'AdobeDeflate'], ['packbits', 'PackBits'], ['jpeg', 'JPEG']];
  for (const [flag, name] of compressions) {
    it(`3-page ${name} TIFF from tiffcp gives 3 pages`, async () => {
      await withTempDir(async (dir) => {
        const shade = (i: number) => COLOUR_RAW.map((v) => (v >> 1) + 40 * i);
        const pages = await Promise.all([0, 1, 2].map((i) => sharp(shade(i), { raw: { width: W, height: H, channels: 3 } }).withDensity(150).tiff({ compression: 'none' }).toBuffer()));
        const inputs = await Promise.all(pages.map(async (p, i) => {
          const f = path.join(dir, `in-${i}.tif`);
          await writeFile(f, p);
          return f;
        }));
        const out = path.join(dir, 'out.tif');
        await tool('tiffcp', ['-c', flag, ...inputs, out]);
        assert.equal((await tool('tiffinfo', [out])).stdout.toString().match(new RegExp(`Compression Scheme: ${name}`, 'g'))?.length, 3);
        const loaded = await loadAll(await readFile(out));
        assert.equal(loaded.length, 3);
        for (const [i, page] of loaded.entries()) {
          assert.deepEqual([page.format, page.width, page.height, page.xdpi, page.mode], ['png', W, H, 150, 'color']);
          const diff = meanAbsDiff(await raw(page), shade(i));
          assert.ok(flag === 'jpeg' ? diff < 4 : diff === 0, `page ${i}: mean difference ${diff}`);
        }
      });
    });
  }

  for (const flag of ['g3', 'g4']) {
    it(`CCITT ${flag.toUpperCase()} pages become 1-bit line-art pages`, async () => {
      await withTempDir(async (dir) => {
        const grey = Buffer.alloc(W * H);
        for (let i = 0; i < grey.length; i++) grey[i] = (i % W) % 3 === 0 || Math.floor(i / W) % 5 === 0 ? 0 : 255;
        const bilevel = await sharp(grey, { raw: { width: W, height: H, channels: 1 } }).toColourspace('b-w').withDensity(200).tiff({ compression: 'none', bitdepth: 1 }).toBuffer();
        const input = path.join(dir, 'in.tif');
        const out = path.join(dir, 'out.tif');
        await writeFile(input, bilevel);
        await tool('tiffcp', ['-c', flag, input, input, out]);
        const loaded = await loadAll(await readFile(out));
        assert.equal(loaded.length, 2);
        for (const page of loaded) {
          assert.deepEqual([page.mode, page.bitDepth, page.xdpi], ['bw', 1, 200]);
          assert.ok((await raw(page, 1)).equals(grey));
        }
      });
    });
  }

  // Uncompressed 1-bit pages are read from their strips without libvips (tiff-bilevel.ts).
  const lineArt = () => {
    const grey = Buffer.alloc(W * H);
    for (let i = 0; i < grey.length; i++) grey[i] = (i % W) % 4 === 1 || Math.floor(i / W) % 6 === 0 || i % W === W - 1 ? 0 : 255;
    return grey;
  };

  it('uncompressed 1-bit pages, min-is-black and min-is-white, in strips of 7 rows, keep every pixel', async () => {
    await withTempDir(async (dir) => {
      const grey = lineArt();
      const inverse = Buffer.from(grey.map((v) => 255 - v));
      const toTiff = (g: Buffer, miniswhite: boolean) => sharp(g, { raw: { width: W, height: H, channels: 1 } }).toColourspace('b-w').withDensity(300).tiff({ compression: 'none', bitdepth: 1, miniswhite }).toBuffer();
      const inputs = [];
      for (const [i, [g, white]] of ([[grey, false], [inverse, true]] as const).entries()) {
        inputs.push(path.join(dir, `in-${i}.tif`));
        await writeFile(inputs[i]!, await toTiff(g, white));
      }
      const out = path.join(dir, 'out.tif');
      await tool('tiffcp', ['-c', 'none', '-r', '7', ...inputs, out]);
      const info = (await tool('tiffinfo', [out])).stdout.toString();
      assert.match(info, /Photometric Interpretation: min-is-black[\s\S]*Photometric Interpretation: min-is-white/);
      const loaded = await loadAll(await readFile(out));
      assert.deepEqual(loaded.map((p) => [p.mode, p.bitDepth, p.width, p.height, p.xdpi]), [['bw', 1, W, H, 300], ['bw', 1, W, H, 300]]);
      assert.ok((await raw(loaded[0]!, 1)).equals(grey), 'page 1');
      assert.ok((await raw(loaded[1]!, 1)).equals(inverse), 'page 2');
    });
  });

  it('an uncompressed 1-bit page cut short is refused with invalid-image naming TIFF', async () => {
    const tiff = await sharp(lineArt(), { raw: { width: W, height: H, channels: 1 } }).toColourspace('b-w').tiff({ compression: 'none', bitdepth: 1 }).toBuffer();
    // The strip's byte count says fewer bytes than its rows need (as a file cut short and repaired by a careless tool).
    const damaged = Buffer.from(tiff);
    const dirAt = damaged.readUInt32LE(4);
    for (let i = 0; i < damaged.readUInt16LE(dirAt); i++) {
      const at = dirAt + 2 + 12 * i;
      if (damaged.readUInt16LE(at) === 279) damaged.writeUInt32LE(20, at + 8);
    }
    await assert.rejects(loadAll(damaged), (err: unknown) => err instanceof ScanbridgeError && err.code === 'invalid-image' && err.message.startsWith('TIFF'));
  });
});

describe('WebP loading', () => {
  it('lossless WebP becomes a lossless PNG page', async () => {
    const webp = await sharp(COLOUR_RAW, { raw: { width: W, height: H, channels: 3 } }).webp({ lossless: true }).toBuffer();
    const page = await one(webp, { xdpi: 300 });
    assert.deepEqual([page.format, page.xdpi, page.ydpi], ['png', 300, 300]);
    assert.ok((await raw(page)).equals(COLOUR_RAW));
  });
});
