/**
 * The chunk layer of PNG, for what sharp does not offer: taking the
 * compressed image data of a stored page as it is (it goes into a PDF
 * without being inflated and deflated again), and writing 1-bit PNGs.
 */
import { crc32 } from 'node:zlib';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA. */
  colorType: number;
  interlaced: boolean;
}

export interface PngChunks {
  header: PngHeader;
  /** PLTE entries as RGB triples. */
  palette: Buffer | undefined;
  /** The IDAT bodies, in order: together one zlib stream. */
  idat: Buffer[];
}

interface RawChunk {
  type: string;
  body: Buffer;
}

function* chunks(png: Buffer): Generator<RawChunk> {
  if (png.length < 8 || !png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('no PNG signature');
  let pos = 8;
  while (pos + 12 <= png.length) {
    const length = png.readUInt32BE(pos);
    const end = pos + 12 + length;
    if (end > png.length) throw new Error(`chunk at byte ${pos} runs past the end of the file`);
    const type = png.toString('latin1', pos + 4, pos + 8);
    yield { type, body: png.subarray(pos + 8, pos + 8 + length) };
    if (type === 'IEND') return;
    pos = end;
  }
  throw new Error('the file ends before IEND');
}

/**
 * Whether the PNG's image data is deflate's uncompressed (stored) blocks, as
 * a noisy scanned page is kept (imaging/raw-png.ts): judged by the first
 * block, which is how that writer starts every one. Not a PNG: false.
 */
export function isUncompressedPng(png: Buffer): boolean {
  try {
    for (const c of chunks(png)) {
      // The zlib header (2 bytes), then the first block's header bits: BFINAL, then BTYPE 00 for stored.
      if (c.type === 'IDAT' && c.body.length >= 3) return ((c.body[2]! >> 1) & 3) === 0;
    }
  } catch {
    return false;
  }
  return false;
}

export function readPngChunks(png: Buffer): PngChunks {
  let header: PngHeader | undefined;
  let palette: Buffer | undefined;
  const idat: Buffer[] = [];
  for (const c of chunks(png)) {
    if (c.type === 'IHDR') {
      if (c.body.length !== 13) throw new Error('IHDR has the wrong length');
      header = { width: c.body.readUInt32BE(0), height: c.body.readUInt32BE(4), bitDepth: c.body[8]!, colorType: c.body[9]!, interlaced: c.body[12] === 1 };
    } else if (c.type === 'PLTE') palette = c.body;
    else if (c.type === 'IDAT') idat.push(c.body);
  }
  if (!header) throw new Error('no IHDR chunk');
  if (idat.length === 0) throw new Error('no IDAT chunk');
  return { header, palette, idat };
}

/** The PNG with its image data replaced by `idat` (one zlib stream, one chunk); every other chunk as it was. */
export function withIdat(png: Buffer, idat: Buffer): Buffer {
  const parts: Buffer[] = [PNG_SIGNATURE];
  let placed = false;
  for (const c of chunks(png)) {
    if (c.type !== 'IDAT') parts.push(pngChunk(c.type, c.body));
    else if (!placed) {
      parts.push(pngChunk('IDAT', idat));
      placed = true;
    }
    if (c.type === 'IEND') break;
  }
  return Buffer.concat(parts);
}

export function pngChunk(type: string, body: Buffer): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'latin1');
  body.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

export function physChunk(xdpi: number, ydpi: number): Buffer {
  const body = Buffer.alloc(9);
  body.writeUInt32BE(Math.round(xdpi / 0.0254), 0);
  body.writeUInt32BE(Math.round(ydpi / 0.0254), 4);
  body[8] = 1; // unit: metre
  return pngChunk('pHYs', body);
}
