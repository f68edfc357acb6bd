/**
 * The packed rows of an uncompressed 1-bit TIFF page, read straight from its
 * strips. libvips would unpack every pixel to a byte (and sharp convert it
 * further) only for us to pack them again: 80 ms of an A4 300 dpi page where
 * copying the strips takes one. Pages this does not cover (compressed,
 * tiled, several samples, bit order reversed) answer null: the caller
 * decodes them through sharp.
 */
import type { Bilevel } from './bilevel.js';

const TAGS = { width: 256, height: 257, bits: 258, compression: 259, photometric: 262, fillOrder: 266, stripOffsets: 273, samples: 277, rowsPerStrip: 278, stripByteCounts: 279, planar: 284, tileWidth: 322 } as const;

/** Throws an Error saying what is wrong when a strip the page needs lies outside the file. */
export function readUncompressedBilevel(tiff: Buffer, page: number): Bilevel | null {
  if (tiff.length < 8) return null;
  const le = tiff[0] === 0x49;
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  let ifd = u32(4);
  for (let i = 0; i < page; i++) {
    if (ifd === 0 || ifd + 2 > tiff.length) return null;
    const next = ifd + 2 + 12 * u16(ifd);
    if (next + 4 > tiff.length) return null;
    ifd = u32(next);
  }
  if (ifd === 0 || ifd + 2 > tiff.length) return null;
  const n = u16(ifd);
  if (ifd + 2 + 12 * n > tiff.length) return null;
  const tags = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const at = ifd + 2 + 12 * i;
    const tag = u16(at);
    const type = u16(at + 2);
    const count = u32(at + 4);
    // Only SHORT and LONG values matter here; a tag of another type is left to libtiff.
    const size = type === 3 ? 2 : type === 4 ? 4 : 0;
    if (size === 0 || count === 0 || count > 1_000_000) continue;
    const start = size * count <= 4 ? at + 8 : u32(at + 8);
    if (start + size * count > tiff.length) return null;
    const values: number[] = [];
    for (let k = 0; k < count; k++) values.push(size === 2 ? u16(start + 2 * k) : u32(start + 4 * k));
    tags.set(tag, values);
  }
  const one = (tag: number, fallback?: number) => tags.get(tag)?.[0] ?? fallback;
  const width = one(TAGS.width);
  const height = one(TAGS.height);
  const photometric = one(TAGS.photometric);
  const offsets = tags.get(TAGS.stripOffsets);
  const counts = tags.get(TAGS.stripByteCounts);
  if (
    width === undefined || height === undefined || width < 1 || height < 1 ||
    one(TAGS.bits, 1) !== 1 || one(TAGS.samples, 1) !== 1 || one(TAGS.compression, 1) !== 1 ||
    one(TAGS.fillOrder, 1) !== 1 || one(TAGS.planar, 1) !== 1 || tags.has(TAGS.tileWidth) ||
    (photometric !== 0 && photometric !== 1) || !offsets || !counts || offsets.length !== counts.length
  ) {
    return null;
  }
  const stride = (width + 7) >> 3;
  const rowsPerStrip = Math.min(one(TAGS.rowsPerStrip, height)!, height);
  if (rowsPerStrip < 1 || offsets.length < Math.ceil(height / rowsPerStrip)) return null;
  const data = Buffer.allocUnsafe(stride * height);
  for (let s = 0, row = 0; row < height; s++, row += rowsPerStrip) {
    const need = Math.min(rowsPerStrip, height - row) * stride;
    const start = offsets[s]!;
    if (counts[s]! < need || start + need > tiff.length) throw new Error(`strip ${s + 1} ends before its ${Math.min(rowsPerStrip, height - row)} rows (the file is cut short or damaged)`);
    tiff.copy(data, row * stride, start, start + need);
  }
  // Ours is 1 = black (min-is-white); a min-is-black page is turned over.
  if (photometric === 1) for (let i = 0; i < data.length; i++) data[i] = ~data[i]! & 0xff;
  // Bits past the width in the last byte of a row must read as white (0).
  const tail = width & 7;
  if (tail) {
    const mask = (0xff << (8 - tail)) & 0xff;
    for (let y = 0; y < height; y++) data[y * stride + stride - 1]! &= mask;
  }
  return { width, height, stride, data };
}
