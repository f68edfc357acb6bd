/**
 * A BMP reader. sharp (libvips) has no BMP loader, and the BMP packages on
 * npm are either unmaintained or lack top-down or bit-field images; the format
 * is small enough to read here with every length checked against the file,
 * which is what matters for files sent by web pages.
 *
 * Reads BITMAPCOREHEADER (OS/2 1.x) and BITMAPINFOHEADER through V5; 1, 4 and
 * 8 bits with a palette, 16 and 32 bits plain or with bit fields, 24 bits;
 * bottom-up and top-down. RLE, embedded JPEG/PNG and OS/2 2.x Huffman are
 * refused with a reason. Alpha (32-bit bit fields with an alpha mask) is
 * flattened on white.
 */
import type { Bilevel } from './bilevel.js';
import { checkPageSize, invalidImage } from './invalid.js';

export interface DecodedBmp {
  width: number;
  height: number;
  /** A black-and-white image (1 bit, two grey palette entries). */
  bilevel?: Bilevel;
  /** Otherwise 8-bit samples, 1 (grey palette) or 3 (RGB) per pixel, top row first. */
  channels: 1 | 3;
  pixels: Buffer;
  /** From the header's pixels per metre; undefined when the file leaves it 0. */
  xdpi: number | undefined;
  ydpi: number | undefined;
}

const COMPRESSION_NAMES: Record<number, string> = { 1: 'RLE8', 2: 'RLE4', 4: 'JPEG', 5: 'PNG', 11: 'CMYK', 12: 'CMYK RLE8', 13: 'CMYK RLE4' };

const fail = (reason: string) => invalidImage('bmp', reason);

interface Mask {
  mask: number;
  shift: number;
  bits: number;
}

function mask(m: number): Mask {
  if (m === 0) return { mask: 0, shift: 0, bits: 0 };
  let shift = 0;
  while (((m >>> shift) & 1) === 0) shift++;
  let bits = 0;
  while (((m >>> (shift + bits)) & 1) === 1 && shift + bits < 32) bits++;
  return { mask: m >>> 0, shift, bits };
}

function sample(px: number, m: Mask): number {
  if (m.bits === 0) return 0;
  const v = ((px & m.mask) >>> 0) >>> m.shift;
  if (m.bits >= 8) return v >>> (m.bits - 8);
  return Math.round((v * 255) / ((1 << m.bits) - 1));
}

const dpiOf = (ppm: number) => (ppm > 0 ? Math.round(ppm * 0.0254) : undefined);

/** Pixels the header claims (0 when it is too short to say): what decoding will allocate, before it does. */
export function bmpPixelCount(b: Buffer): number {
  if (b.length < 26) return 0;
  if (b.readUInt32LE(14) === 12) return b.readUInt16LE(18) * b.readUInt16LE(20);
  return Math.abs(b.readInt32LE(18)) * Math.abs(b.readInt32LE(22));
}

export function decodeBmp(b: Buffer): DecodedBmp {
  if (b.length < 26) throw fail(`the file is truncated: ${b.length} bytes is shorter than a BMP header`);
  if (b[0] !== 0x42 || b[1] !== 0x4d) throw fail('no "BM" signature');
  const dataOffset = b.readUInt32LE(10);
  const dib = b.readUInt32LE(14);
  if (![12, 40, 52, 56, 64, 108, 124].includes(dib)) throw fail(`unknown header size ${dib} (expected 12, 40, 52, 56, 64, 108 or 124)`);
  if (14 + dib > b.length) throw fail(`the file is truncated inside its ${dib}-byte header`);

  let width: number;
  let rawHeight: number;
  let planes: number;
  let bpp: number;
  let compression = 0;
  let colorsUsed = 0;
  let xppm = 0;
  let yppm = 0;
  let paletteEntrySize = 4;
  if (dib === 12) {
    width = b.readUInt16LE(18);
    rawHeight = b.readUInt16LE(20);
    planes = b.readUInt16LE(22);
    bpp = b.readUInt16LE(24);
    paletteEntrySize = 3;
  } else {
    width = b.readInt32LE(18);
    rawHeight = b.readInt32LE(22);
    planes = b.readUInt16LE(26);
    bpp = b.readUInt16LE(28);
    compression = b.readUInt32LE(30);
    xppm = b.readInt32LE(38);
    yppm = b.readInt32LE(42);
    colorsUsed = b.readUInt32LE(46);
  }
  if (planes !== 1) throw fail(`${planes} colour planes (expected 1)`);
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw fail(`${bpp} bits per pixel is not a BMP depth (expected 1, 4, 8, 16, 24 or 32)`);
  const bitfields = compression === 3 || compression === 6;
  if (compression !== 0 && !bitfields) {
    const name = COMPRESSION_NAMES[compression] ?? `type ${compression}`;
    throw fail(`${name} compression is not supported (use uncompressed BMP, or PNG)`);
  }
  if (bitfields && bpp !== 16 && bpp !== 32) throw fail(`bit-field compression needs 16 or 32 bits per pixel, not ${bpp}`);
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  checkPageSize('bmp', width, height);

  // Channel masks: inside V2+ headers, after a plain INFO header.
  let masks: Mask[] | undefined;
  let paletteAt = 14 + dib;
  if (bitfields) {
    const at = dib >= 52 ? 14 + 40 : 14 + dib;
    const count = compression === 6 || dib >= 56 ? 4 : 3;
    if (at + 4 * count > b.length) throw fail('the file is truncated inside its colour masks');
    masks = [0, 1, 2, 3].map((i) => mask(i < count ? b.readUInt32LE(at + 4 * i) : 0));
    if (dib === 40) paletteAt += 4 * count;
  } else if (bpp === 16) {
    masks = [mask(0x7c00), mask(0x03e0), mask(0x001f), mask(0)];
  }

  let palette: Uint8Array | undefined; // RGB triples; indices past the palette read as black
  let paletteCount = 0;
  if (bpp <= 8) {
    const max = 1 << bpp;
    paletteCount = colorsUsed === 0 || colorsUsed > max ? max : colorsUsed;
    if (paletteAt + paletteCount * paletteEntrySize > b.length) throw fail(`the file is truncated inside its ${paletteCount}-colour palette`);
    palette = new Uint8Array(max * 3);
    for (let i = 0; i < paletteCount; i++) {
      const at = paletteAt + i * paletteEntrySize;
      palette[3 * i] = b[at + 2]!;
      palette[3 * i + 1] = b[at + 1]!;
      palette[3 * i + 2] = b[at]!;
    }
  }

  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  const needed = stride * height;
  if (dataOffset < 14 + dib || dataOffset > b.length) throw fail(`the pixel data offset ${dataOffset} is outside the file (${b.length} bytes)`);
  const available = b.length - dataOffset;
  // The last row may omit its padding; anything shorter is truncated.
  if (available < needed - (stride - Math.ceil((bpp * width) / 8))) {
    throw fail(`the file is truncated: the pixel data needs ${needed} bytes, the file has ${available}`);
  }
  const rowAt = (y: number) => dataOffset + (topDown ? y : height - 1 - y) * stride;
  const xdpi = dpiOf(xppm);
  const ydpi = dpiOf(yppm);

  if (palette) {
    const count = paletteCount;
    const isGrey = (i: number) => palette![3 * i] === palette![3 * i + 1] && palette![3 * i + 1] === palette![3 * i + 2];
    let grey = true;
    for (let i = 0; i < count; i++) grey &&= isGrey(i);
    const index = (row: number, x: number): number => {
      if (bpp === 8) return b[row + x]!;
      if (bpp === 4) return (b[row + (x >> 1)]! >> (x & 1 ? 0 : 4)) & 15;
      return (b[row + (x >> 3)]! >> (7 - (x & 7))) & 1;
    };
    if (bpp === 1 && grey) {
      const dark0 = palette[0]! < 128;
      const dark1 = count > 1 ? palette[3]! < 128 : false;
      const outStride = (width + 7) >> 3;
      const data = Buffer.alloc(outStride * height);
      for (let y = 0; y < height; y++) {
        const row = rowAt(y);
        for (let x = 0; x < width; x++) {
          if (row + (x >> 3) >= b.length) break;
          const dark = index(row, x) ? dark1 : dark0;
          if (dark) data[y * outStride + (x >> 3)]! |= 0x80 >> (x & 7);
        }
      }
      return { width, height, bilevel: { width, height, stride: outStride, data }, channels: 1, pixels: Buffer.alloc(0), xdpi, ydpi };
    }
    const channels = grey ? 1 : 3;
    const pixels = Buffer.alloc(width * height * channels);
    for (let y = 0; y < height; y++) {
      const row = rowAt(y);
      for (let x = 0; x < width; x++) {
        const byte = row + (bpp === 8 ? x : bpp === 4 ? x >> 1 : x >> 3);
        if (byte >= b.length) break;
        const i = index(row, x);
        const o = (y * width + x) * channels;
        if (channels === 1) pixels[o] = palette[3 * i]!;
        else pixels.set(palette.subarray(3 * i, 3 * i + 3), o);
      }
    }
    return { width, height, channels, pixels, xdpi, ydpi };
  }

  const pixels = Buffer.alloc(width * height * 3);
  const [mr, mg, mb, ma] = masks ?? [];
  let alpha: Buffer | undefined;
  if (ma && ma.bits > 0) alpha = Buffer.alloc(width * height);
  const bytesPer = bpp / 8;
  for (let y = 0; y < height; y++) {
    const row = rowAt(y);
    for (let x = 0; x < width; x++) {
      const at = row + x * bytesPer;
      if (at + bytesPer > b.length) break;
      const o = (y * width + x) * 3;
      if (bpp === 24 || (bpp === 32 && !masks)) {
        pixels[o] = b[at + 2]!;
        pixels[o + 1] = b[at + 1]!;
        pixels[o + 2] = b[at]!;
      } else {
        const px = bpp === 16 ? b.readUInt16LE(at) : b.readUInt32LE(at);
        pixels[o] = sample(px, mr!);
        pixels[o + 1] = sample(px, mg!);
        pixels[o + 2] = sample(px, mb!);
        if (alpha) alpha[y * width + x] = sample(px, ma!);
      }
    }
  }
  // A zero alpha channel everywhere means "unused" (many writers leave it 0), not "invisible".
  if (alpha && alpha.some((a) => a !== 0)) {
    for (let i = 0; i < alpha.length; i++) {
      const a = alpha[i]!;
      if (a === 255) continue;
      for (let c = 0; c < 3; c++) pixels[3 * i + c] = Math.round((pixels[3 * i + c]! * a) / 255 + 255 - a);
    }
  }
  return { width, height, channels: 3, pixels, xdpi, ydpi };
}
