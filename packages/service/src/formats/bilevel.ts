/**
 * Line-art (1-bit) pages as packed rows, the form CCITT G4 and 1-bit TIFF and
 * PNG take: MSB first, rows padded to a byte, 1 = black. sharp only deals in
 * 8-bit grey for these, which is eight times the memory and, for PNG output,
 * goes through palette quantisation (half a second for an A4 page); packing
 * and the 1-bit PNG layer here are a few lines each.
 */
import { promisify } from 'node:util';
import { constants as zlibConstants, crc32, deflate, deflateSync, inflate, inflateSync } from 'node:zlib';
import { PNG_SIGNATURE, physChunk, pngChunk, readPngChunks, withIdat } from './png-chunks.js';

const deflateAsync = promisify(deflate);
const inflateAsync = promisify(inflate);

export interface Bilevel {
  width: number;
  height: number;
  /** Bytes per row: ceil(width / 8). */
  stride: number;
  /** Packed rows, 1 = black. */
  data: Buffer;
}

/** 8-bit grey (0..255) to packed bits: darker than mid-grey is black. */
export function packGrey(grey: Uint8Array, width: number, height: number): Bilevel {
  const stride = (width + 7) >> 3;
  const data = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const out = y * stride;
    for (let x = 0; x < width; x++) {
      if (grey[row + x]! < 128) data[out + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return { width, height, stride, data };
}

/**
 * A 1-bit grey PNG (0 = black, as PNG has it) with the resolution in pHYs.
 * Deflated with run-length matching only: on line-art it costs a third of
 * the default level's time (text 6 ms instead of 14 for an A4 300 dpi page,
 * a noisy page 11 instead of 38) for files a little larger on text (+40 %)
 * and smaller on noisy and blank pages. A page whose sampled rows deflate
 * poorly (a thresholded photo or noise: to 63 % of its size for 12 ms, and
 * 4 ms more each time it is read) is stored in deflate's uncompressed
 * blocks instead, as a noisy scanned page is (imaging/raw-png.ts); files
 * made from it are compressed (raw-png.ts compressedPng).
 */
export async function encodeBilevelPng(b: Bilevel, xdpi: number, ydpi: number): Promise<Buffer> {
  const scan = scanlines(b, Buffer.allocUnsafe((b.stride + 1) * b.height));
  return pngFile(b, xdpi, ydpi, await deflateAsync(scan, compressible(scan, b.stride + 1) ? DEFLATE : STORED));
}

/**
 * As encodeBilevelPng, on the calling thread, its rows laid out in `scratch`
 * (at least (stride + 1) * height bytes); `deflated` tells whether the rows
 * were compressible (else they are stored).
 */
export function encodeBilevelPngSync(b: Bilevel, xdpi: number, ydpi: number, scratch: Buffer): { png: Buffer; deflated: boolean } {
  const scan = scanlines(b, scratch.subarray(0, (b.stride + 1) * b.height));
  const deflated = compressible(scan, b.stride + 1);
  return { png: pngFile(b, xdpi, ydpi, deflateSync(scan, deflated ? DEFLATE : STORED)), deflated };
}

// Output in pieces of 256 KB rather than zlib's 16 KB: fewer pieces to join.
const DEFLATE = { level: 6, strategy: zlibConstants.Z_RLE, chunkSize: 256 * 1024 };
const STORED = { level: 0, chunkSize: 256 * 1024 };

/**
 * Whether 16 strips of 4 rows spread over the page deflate (as DEFLATE does)
 * to at most 30 % of their size. Measured on A4 300 dpi pages: text 0.17,
 * blank 0.01, a thresholded noisy photo 0.63.
 */
function compressible(scan: Buffer, row: number): boolean {
  const height = scan.length / row;
  const rows = Math.min(4, height);
  const strips = Math.min(16, Math.floor(height / rows));
  const parts: Buffer[] = [];
  for (let k = 0; k < strips; k++) {
    const y = Math.floor(((height - rows) * k) / Math.max(1, strips - 1));
    parts.push(scan.subarray(y * row, (y + rows) * row));
  }
  const sample = Buffer.concat(parts);
  return sample.length === 0 || deflateSync(sample, { level: DEFLATE.level, strategy: DEFLATE.strategy }).length <= sample.length * 0.3;
}

/** PNG's rows: each led by filter byte 0 (none), 0 = black. */
function scanlines(b: Bilevel, scan: Buffer): Buffer {
  const row = b.stride + 1;
  for (let y = 0; y < b.height; y++) {
    scan[y * row] = 0;
    b.data.copy(scan, y * row + 1, y * b.stride, (y + 1) * b.stride);
  }
  // Inverted in place four bytes at a time, then the filter bytes set back to 0.
  invert(scan);
  for (let y = 0; y < b.height; y++) scan[y * row] = 0;
  return scan;
}

/**
 * The PNG file around `idat`, written straight into one buffer of its own
 * (a line-art thread hands it over without a copy): the image data, up to
 * a megabyte for a stored page, is copied once.
 */
function pngFile(b: Bilevel, xdpi: number, ydpi: number, idat: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(b.width, 0);
  ihdr.writeUInt32BE(b.height, 4);
  ihdr.set([1, 0, 0, 0, 0], 8);
  const head = Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr), physChunk(xdpi, ydpi)]);
  const tail = pngChunk('IEND', Buffer.alloc(0));
  const out = Buffer.allocUnsafeSlow(head.length + 12 + idat.length + tail.length);
  head.copy(out, 0);
  let at = head.length;
  out.writeUInt32BE(idat.length, at);
  out.write('IDAT', at + 4, 'latin1');
  idat.copy(out, at + 8);
  out.writeUInt32BE(crc32(idat, crc32(out.subarray(at + 4, at + 8))), at + 8 + idat.length);
  at += 12 + idat.length;
  tail.copy(out, at);
  return out;
}

/**
 * A 1-bit PNG (grey or palette, not interlaced) with its image data deflated
 * as encodeBilevelPng deflates it, the rows and every other chunk unchanged;
 * null for any other PNG.
 */
export async function deflatedBilevelPng(png: Buffer): Promise<Buffer | null> {
  const { header, idat } = readPngChunks(png);
  if (header.bitDepth !== 1 || header.interlaced || (header.colorType !== 0 && header.colorType !== 3)) return null;
  const rows = ((header.width + 7) >> 3) + 1;
  const scan = await inflateAsync(Buffer.concat(idat), { maxOutputLength: rows * header.height + 1 });
  return withIdat(png, await deflateAsync(scan, DEFLATE));
}

/** A 1-bit PNG's rows as inflated: row y's bits at 1 + y * (stride + 1), after its filter byte, filters undone in place. */
export interface PngRows {
  width: number;
  height: number;
  stride: number;
  raw: Buffer;
  /** Whether bit 1 is black (a palette whose second entry is the darker) or white (grey). */
  oneIsBlack: boolean;
}

type SimplePng = ReturnType<typeof readPngChunks>;

/** The chunks of a PNG this module decodes (1-bit grey or palette, not interlaced), else null. */
function simpleBilevel(png: Buffer): SimplePng | null {
  const chunks = readPngChunks(png);
  const { header } = chunks;
  return header.bitDepth !== 1 || header.interlaced || (header.colorType !== 0 && header.colorType !== 3) ? null : chunks;
}

/** Inflate options for a page's rows: refuses more than they hold, and gives them in one buffer (no joining of 16 KB pieces). */
const inflateOptions = (rowBytes: number) => ({ maxOutputLength: rowBytes + 1, chunkSize: Math.max(64, rowBytes + 1) });

function rowsOf({ header, palette }: SimplePng, raw: Buffer): PngRows {
  const { width, height } = header;
  const stride = (width + 7) >> 3;
  if (raw.length < (stride + 1) * height) throw new Error('the PNG image data is shorter than its size says');
  // Which bit value is black: grey 0, or the darker palette entry.
  let oneIsBlack = false;
  if (header.colorType === 3 && palette && palette.length >= 6) {
    const luma = (i: number) => 0.299 * palette[3 * i]! + 0.587 * palette[3 * i + 1]! + 0.114 * palette[3 * i + 2]!;
    oneIsBlack = luma(1) < luma(0);
  }
  unfilter(raw, stride, height);
  return { width, height, stride, raw, oneIsBlack };
}

/**
 * The rows of a 1-bit PNG as inflated, on the calling thread (a line-art
 * worker's: the asynchronous inflate would only hand the work to libuv's
 * pool and wait for it); null when the PNG is not that simple kind.
 */
export function bilevelPngRowsSync(png: Buffer): PngRows | null {
  const chunks = simpleBilevel(png);
  if (!chunks) return null;
  const stride = (chunks.header.width + 7) >> 3;
  return rowsOf(chunks, inflateSync(Buffer.concat(chunks.idat), inflateOptions((stride + 1) * chunks.header.height)));
}

/**
 * The packed rows of a 1-bit PNG (grey, or a two-colour palette mapped by
 * brightness), or null when the PNG is not that simple kind (interlaced,
 * deeper): the caller then goes through sharp.
 */
export async function decodeBilevelPng(png: Buffer): Promise<Bilevel | null> {
  const chunks = simpleBilevel(png);
  if (!chunks) return null;
  const stride = (chunks.header.width + 7) >> 3;
  const rows = rowsOf(chunks, await inflateAsync(Buffer.concat(chunks.idat), inflateOptions((stride + 1) * chunks.header.height)));
  const { width, height, raw } = rows;
  const data = Buffer.allocUnsafe(stride * height);
  for (let y = 0; y < height; y++) raw.copy(data, y * stride, y * (stride + 1) + 1, (y + 1) * (stride + 1));
  if (!rows.oneIsBlack) invert(data);
  // Bits past the width in the last byte of a row must read as white (0).
  const tail = width & 7;
  if (tail) {
    const mask = (0xff << (8 - tail)) & 0xff;
    for (let y = 0; y < height; y++) data[y * stride + stride - 1]! &= mask;
  }
  return { width, height, stride, data };
}

function invert(data: Buffer): void {
  // Four bytes at a time where the buffer allows it.
  const words = data.byteOffset % 4 === 0 ? new Uint32Array(data.buffer, data.byteOffset, data.length >> 2) : undefined;
  const done = words ? words.length << 2 : 0;
  if (words) for (let i = 0; i < words.length; i++) words[i] = ~words[i]!;
  for (let i = done; i < data.length; i++) data[i] = ~data[i]! & 0xff;
}

/**
 * Undoes PNG row filters in place (each row after its filter byte, which is
 * left as it was) for a 1-byte pixel step (bit depth 1, one channel). A row
 * is undone from the row above as already undone, so one buffer serves.
 */
function unfilter(raw: Buffer, stride: number, height: number): void {
  const row = stride + 1;
  for (let y = 0; y < height; y++) {
    const filter = raw[y * row]!;
    if (filter === 0) continue;
    const s = y * row + 1;
    const up = s - row;
    const first = y === 0;
    switch (filter) {
      case 1:
        for (let i = 1; i < stride; i++) raw[s + i] = (raw[s + i]! + raw[s + i - 1]!) & 0xff;
        break;
      case 2:
        if (!first) for (let i = 0; i < stride; i++) raw[s + i] = (raw[s + i]! + raw[up + i]!) & 0xff;
        break;
      case 3:
        for (let i = 0; i < stride; i++) {
          const a = i > 0 ? raw[s + i - 1]! : 0;
          const b = first ? 0 : raw[up + i]!;
          raw[s + i] = (raw[s + i]! + ((a + b) >> 1)) & 0xff;
        }
        break;
      case 4:
        for (let i = 0; i < stride; i++) {
          const a = i > 0 ? raw[s + i - 1]! : 0;
          const b = first ? 0 : raw[up + i]!;
          const c = !first && i > 0 ? raw[up + i - 1]! : 0;
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          raw[s + i] = (raw[s + i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
        }
        break;
      default:
        throw new Error(`unknown PNG filter type ${filter} in row ${y}`);
    }
  }
}
