/**
 * Damaged and hostile files. For every input format, a few hundred mutated
 * (bytes flipped, bytes inserted) and truncated copies of a valid file are
 * loaded: each is either accepted as whole pages or refused with
 * invalid-image naming the format and a reason. Decompression bombs are
 * refused from their headers, before any pixel is decoded.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync, crc32 } from 'node:zlib';
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import sharp from 'sharp';
import { ScanbridgeError } from '@scanbridge/protocol';
import { FORMAT_NAMES, type InputFormat } from './invalid.js';
import { loadAll, prng, tool } from './test-tools.js';

const MUTATIONS = 150;
const TRUNCATIONS = 60;
const INSERTIONS = 40;

function* damaged(valid: Buffer, seed: number): Generator<{ what: string; bytes: Buffer }> {
  const random = prng(seed);
  // The first 8 bytes (the signature) stay, so that the format is still recognised and named.
  const at = () => 8 + Math.floor(random() * (valid.length - 8));
  for (let i = 0; i < MUTATIONS; i++) {
    const bytes = Buffer.from(valid);
    const flips = 1 + Math.floor(random() * 8);
    for (let f = 0; f < flips; f++) bytes[at()] = Math.floor(random() * 256);
    yield { what: `mutation ${i} (${flips} bytes)`, bytes };
  }
  for (let i = 0; i < TRUNCATIONS; i++) {
    const length = 16 + Math.floor(random() * (valid.length - 16));
    yield { what: `truncated to ${length} bytes`, bytes: valid.subarray(0, length) };
  }
  for (let i = 0; i < INSERTIONS; i++) {
    const p = at();
    const junk = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256)));
    yield { what: `${junk.length} bytes inserted at ${p}`, bytes: Buffer.concat([valid.subarray(0, p), junk, valid.subarray(p)]) };
  }
}

async function checkEach(format: InputFormat, valid: Buffer, seed: number): Promise<{ accepted: number; refused: number }> {
  let accepted = 0;
  let refused = 0;
  for (const { what, bytes } of damaged(valid, seed)) {
    try {
      const pages = await loadAll(bytes, { dpi: 36 });
      assert.ok(pages.length > 0, `${what}: accepted without pages`);
      for (const p of pages) {
        assert.ok(p.width > 0 && p.height > 0 && p.bytes.length > 0, `${what}: accepted an empty page`);
        // Accepted means whole: what is stored decodes completely, without a libvips error.
        await sharp(p.bytes, { failOn: 'error' }).raw().toBuffer();
      }
      accepted++;
    } catch (err) {
      assert.ok(err instanceof ScanbridgeError, `${what}: ${String(err)} is not a typed error`);
      assert.equal(err.code, 'invalid-image', `${what}: ${err.code} ${err.message}`);
      assert.ok(err.message.startsWith(`${FORMAT_NAMES[format]}`), `${what}: the message names the format: ${err.message}`);
      assert.ok(err.message.length > FORMAT_NAMES[format].length + 4, `${what}: the message gives a reason`);
      refused++;
    }
  }
  return { accepted, refused };
}

const W = 64;
const H = 48;
const RGB = Buffer.from(Array.from({ length: W * H * 3 }, (_, i) => (i * 37) % 256));
const ppm = Buffer.concat([Buffer.from(`P6\n${W} ${H}\n255\n`), RGB]);
const image = () => sharp(RGB, { raw: { width: W, height: H, channels: 3 } });

describe('damaged files are accepted whole or refused with invalid-image', () => {
  const valid = new Map<InputFormat, Buffer>();
  before(async () => {
    valid.set('jpeg', (await tool('pnmtojpeg', ['--progressive'], ppm)).stdout);
    valid.set('png', (await tool('pnmtopng', [], ppm)).stdout);
    valid.set('bmp', (await tool('ppmtobmp', ['-bpp', '24'], ppm)).stdout);
    valid.set('webp', await image().webp({ quality: 80 }).toBuffer());
    valid.set('tiff', await image().tiff({ compression: 'lzw' }).toBuffer());
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    const jpg = await doc.embedJpg(new Uint8Array(valid.get('jpeg')!));
    for (let i = 0; i < 2; i++) {
      const page = doc.addPage([200, 150]);
      page.drawImage(jpg, { x: 10, y: 10, width: 64, height: 48 });
      page.drawRectangle({ x: 100, y: 60, width: 40, height: 40, color: rgb(0, 0.5, 1) });
      page.drawText('Page', { x: 100, y: 20, size: 12, font });
    }
    valid.set('pdf', Buffer.from(await doc.save({ useObjectStreams: false })));
  });

  for (const [i, format] of (['jpeg', 'png', 'bmp', 'webp', 'tiff', 'pdf'] as const).entries()) {
    it(`${FORMAT_NAMES[format]}: ${MUTATIONS + TRUNCATIONS + INSERTIONS} damaged copies`, async () => {
      const base = valid.get(format)!;
      assert.ok((await loadAll(base)).length > 0, 'the undamaged file loads');
      const { refused } = await checkEach(format, base, 1000 + i);
      assert.ok(refused >= TRUNCATIONS / 2, `most truncated copies are refused (${refused} refused)`);
    });
  }
});

function png(width: number, height: number): Buffer {
  const chunk = (type: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
    return Buffer.concat([head, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1000))), chunk('IEND', Buffer.alloc(0))]);
}

function tiff(width: number, height: number): Buffer {
  const entries: Array<[number, number, number]> = [[256, 4, width], [257, 4, height], [258, 3, 8], [259, 3, 1], [262, 3, 1], [273, 4, 8], [277, 3, 1], [278, 4, height], [279, 4, 16]];
  const ifd = Buffer.alloc(2 + 12 * entries.length + 4);
  ifd.writeUInt16LE(entries.length, 0);
  entries.forEach(([tag, type, value], i) => {
    ifd.writeUInt16LE(tag, 2 + 12 * i);
    ifd.writeUInt16LE(type, 4 + 12 * i);
    ifd.writeUInt32LE(1, 6 + 12 * i);
    if (type === 3) ifd.writeUInt16LE(value, 10 + 12 * i);
    else ifd.writeUInt32LE(value, 10 + 12 * i);
  });
  const header = Buffer.from([0x49, 0x49, 42, 0, 24, 0, 0, 0]);
  return Buffer.concat([header, Buffer.alloc(16), ifd]);
}

function bmp(width: number, height: number): Buffer {
  const b = Buffer.alloc(54 + 64);
  b.write('BM', 0, 'latin1');
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(width, 18);
  b.writeInt32LE(height, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  return b;
}

describe('decompression bombs are refused from their headers', () => {
  const bomb = (format: InputFormat) => (err: ScanbridgeError) => err.code === 'invalid-image' && err.message.startsWith(FORMAT_NAMES[format]) && /megapixels|too large|exceeds|limit/i.test(err.message);

  it('a PNG of 100000 x 100000 pixels', async () => {
    await assert.rejects(loadAll(png(100000, 100000)), bomb('png'));
  });

  it('a TIFF of 100000 x 100000 pixels', async () => {
    await assert.rejects(loadAll(tiff(100000, 100000)), bomb('tiff'));
  });

  it('a BMP of 100000 x 100000 pixels', async () => {
    await assert.rejects(loadAll(bmp(100000, 100000)), bomb('bmp'));
  });

  it('a JPEG of 65000 x 65000 pixels', async () => {
    const jpeg = Buffer.from((await tool('pnmtojpeg', [], ppm)).stdout);
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    jpeg.writeUInt16BE(65000, sof + 5);
    jpeg.writeUInt16BE(65000, sof + 7);
    await assert.rejects(loadAll(jpeg), bomb('jpeg'));
  });
});
