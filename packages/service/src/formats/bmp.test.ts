/**
 * BMP in and out. Inputs are written by netpbm's ppmtobmp (Windows and OS/2
 * headers, 1, 4, 8 and 24 bits); top-down, 16-bit and 32-bit files are
 * derived from its output by hand, since ppmtobmp writes none of them.
 * Outputs are read back by bmptopnm.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { ScanbridgeError } from '@scanbridge/protocol';
import type { StoredImage } from '../buffer/types.js';
import { outputFiles } from './encode.js';
import { concat, loadAll, readPnm, tool } from './test-tools.js';

const W = 37; // rows of 37 pixels need padding at every depth
const H = 23;

function ppm(channels: 1 | 3, pixel: (x: number, y: number) => number[]): Buffer {
  const data = Buffer.alloc(W * H * channels);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.set(pixel(x, y), (y * W + x) * channels);
  return Buffer.concat([Buffer.from(`${channels === 3 ? 'P6' : 'P5'}\n${W} ${H}\n255\n`, 'latin1'), data]);
}

const PALETTE16 = Array.from({ length: 16 }, (_, i) => [(i * 53) % 256, (i * 97) % 256, (i * 151) % 256]);
const SOURCES = {
  bw: ppm(1, (x, y) => [(x * 3 + y) % 5 < 2 ? 0 : 255]),
  palette16: ppm(3, (x, y) => PALETTE16[(x + 2 * y) % 16]!),
  grey: ppm(1, (x, y) => [(x * 7 + y * 11) % 256]),
  colour: ppm(3, (x, y) => [(x * 7) % 256, (y * 11) % 256, (x * y) % 256]),
};

async function pixels(page: StoredImage, channels: 1 | 3): Promise<Buffer> {
  return sharp(page.bytes).toColourspace(channels === 1 ? 'b-w' : 'srgb').raw().toBuffer();
}

function samples(source: Buffer): Buffer {
  return readPnm(source).data;
}

async function loadOne(bmp: Buffer): Promise<StoredImage> {
  const pages = await loadAll(bmp);
  assert.equal(pages.length, 1);
  return pages[0]!;
}

/** The 24-bit BMP turned top-down: negative height, rows in the other order. */
function topDown(bmp: Buffer): Buffer {
  const out = Buffer.from(bmp);
  const offset = bmp.readUInt32LE(10);
  const stride = Math.floor((24 * W + 31) / 32) * 4;
  out.writeInt32LE(-H, 22);
  for (let y = 0; y < H; y++) bmp.copy(out, offset + y * stride, offset + (H - 1 - y) * stride, offset + (H - y) * stride);
  return out;
}

/** A BITMAPV4HEADER file with the given depth and bit fields, pixels from RGB samples. */
function bitfieldsBmp(rgb: Buffer, bpp: 16 | 32, masks: [number, number, number, number], encode: (r: number, g: number, b: number, x: number) => number): Buffer {
  const stride = Math.floor((bpp * W + 31) / 32) * 4;
  const offset = 14 + 108;
  const out = Buffer.alloc(offset + stride * H);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(offset, 10);
  out.writeUInt32LE(108, 14);
  out.writeInt32LE(W, 18);
  out.writeInt32LE(H, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(bpp, 28);
  out.writeUInt32LE(3, 30); // BI_BITFIELDS
  out.writeInt32LE(11811, 38); // 300 dpi
  out.writeInt32LE(11811, 42);
  masks.forEach((m, i) => out.writeUInt32LE(m >>> 0, 54 + 4 * i));
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 3;
      const v = encode(rgb[i]!, rgb[i + 1]!, rgb[i + 2]!, x) >>> 0;
      const at = offset + (H - 1 - y) * stride + x * (bpp / 8);
      if (bpp === 16) out.writeUInt16LE(v, at);
      else out.writeUInt32LE(v, at);
    }
  }
  return out;
}

describe('BMP loading', () => {
  for (const header of ['-windows', '-os2']) {
    it(`1-bit black and white (${header}) becomes a 1-bit line-art page`, async () => {
      const bmp = (await tool('ppmtobmp', [header, '-bpp', '1'], SOURCES.bw)).stdout;
      const page = await loadOne(bmp);
      assert.deepEqual([page.width, page.height, page.mode, page.bitDepth], [W, H, 'bw', 1]);
      assert.ok((await pixels(page, 1)).equals(samples(SOURCES.bw)));
    });
  }

  it('4-bit palette keeps every colour', async () => {
    const bmp = (await tool('ppmtobmp', ['-bpp', '4'], SOURCES.palette16)).stdout;
    const page = await loadOne(bmp);
    assert.deepEqual([page.mode, page.bitDepth], ['color', 8]);
    assert.ok((await pixels(page, 3)).equals(samples(SOURCES.palette16)));
  });

  it('8-bit grey palette becomes a grey page', async () => {
    const bmp = (await tool('ppmtobmp', ['-bpp', '8'], SOURCES.grey)).stdout;
    const page = await loadOne(bmp);
    assert.equal(page.mode, 'gray');
    assert.ok((await pixels(page, 1)).equals(samples(SOURCES.grey)));
  });

  it('24-bit, bottom-up and top-down, with the resolution of the header', async () => {
    const bottomUp = (await tool('ppmtobmp', ['-bpp', '24'], SOURCES.colour)).stdout;
    bottomUp.writeInt32LE(7874, 38); // 200 dpi
    bottomUp.writeInt32LE(7874, 42);
    for (const bmp of [bottomUp, topDown(bottomUp)]) {
      const page = await loadOne(bmp);
      assert.deepEqual([page.width, page.height, page.xdpi, page.ydpi, page.mode], [W, H, 200, 200, 'color']);
      assert.ok((await pixels(page, 3)).equals(samples(SOURCES.colour)));
    }
  });

  it('32-bit with bit fields, alpha flattened on white', async () => {
    const rgb = samples(SOURCES.colour);
    // Even columns opaque, odd columns fully transparent (white once flattened).
    const bmp = bitfieldsBmp(rgb, 32, [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000], (r, g, b, x) => (((x % 2 ? 0 : 255) << 24) | (r << 16) | (g << 8) | b));
    const page = await loadOne(bmp);
    assert.equal(page.xdpi, 300);
    const got = await pixels(page, 3);
    const want = Buffer.from(rgb);
    for (let i = 0; i < W * H; i++) if ((i % W) % 2) want.fill(255, 3 * i, 3 * i + 3);
    assert.ok(got.equals(want));
  });

  it('16-bit 5-6-5 bit fields', async () => {
    const rgb = samples(SOURCES.colour);
    const bmp = bitfieldsBmp(rgb, 16, [0xf800, 0x07e0, 0x001f, 0], (r, g, b) => ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3));
    const got = await pixels(await loadOne(bmp), 3);
    for (let i = 0; i < rgb.length; i += 3) {
      // 5 and 6 bits scaled back to 8: within one step of the source.
      assert.ok(Math.abs(got[i]! - rgb[i]!) <= 8 && Math.abs(got[i + 1]! - rgb[i + 1]!) <= 4 && Math.abs(got[i + 2]! - rgb[i + 2]!) <= 8, `sample ${i / 3}`);
    }
  });

  it('refuses RLE compression and truncated pixel data with reasons', async () => {
    const bmp = (await tool('ppmtobmp', ['-bpp', '8'], SOURCES.grey)).stdout;
    const rle = Buffer.from(bmp);
    rle.writeUInt32LE(1, 30);
    await assert.rejects(loadAll(rle), (err: ScanbridgeError) => err.code === 'invalid-image' && /^BMP: RLE8 compression is not supported/.test(err.message));
    await assert.rejects(loadAll(bmp.subarray(0, bmp.length - 200)), (err: ScanbridgeError) => err.code === 'invalid-image' && /^BMP: the file is truncated/.test(err.message));
  });
});

describe('BMP saving', () => {
  it('line-art, grey and colour pages read back by bmptopnm', async () => {
    for (const [source, mode] of [[SOURCES.bw, 'bw'], [SOURCES.grey, 'gray'], [SOURCES.colour, 'color']] as const) {
      const page = await loadOne((await tool('ppmtobmp', ['-bpp', mode === 'color' ? '24' : mode === 'bw' ? '1' : '8'], source)).stdout);
      assert.equal(page.mode, mode);
      const [file] = outputFiles({ count: 1, get: async () => page }, { format: 'bmp' });
      const bmp = await concat(file!.chunks());
      assert.equal(bmp.readUInt16LE(28), mode === 'color' ? 24 : mode === 'bw' ? 1 : 8);
      const back = readPnm((await tool('bmptopnm', [], bmp)).stdout);
      const want = readPnm(source);
      assert.deepEqual([back.width, back.height], [W, H]);
      // bmptopnm answers PPM for palette images: compare on the first channel when the source is grey.
      const got = back.channels === want.channels ? back.data : Buffer.from(back.data.filter((_, i) => i % 3 === 0));
      assert.ok(got.equals(want.data), `${mode} pixels differ`);
    }
  });
});
