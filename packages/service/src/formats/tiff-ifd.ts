/**
 * TIFF directories as data: reading the one directory of a single-page TIFF
 * (what sharp writes) and laying directories out for a multi-page file.
 * Values are held little-endian, as scanbridge writes its TIFFs.
 */

export interface TiffEntry {
  tag: number;
  type: number;
  count: number;
  /** The value bytes, little-endian. */
  value: Buffer;
}

/** The image of one page: its tags (without strip offsets and counts) and its strips. */
export interface TiffImage {
  entries: TiffEntry[];
  strips: Buffer[];
}

export const TAG = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  Photometric: 262,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  XResolution: 282,
  YResolution: 283,
  T6Options: 293,
  ResolutionUnit: 296,
  PageNumber: 297,
  Software: 305,
  TileOffsets: 324,
  TileByteCounts: 325,
} as const;

export const TYPE = { BYTE: 1, ASCII: 2, SHORT: 3, LONG: 4, RATIONAL: 5 } as const;

/** Bytes per element, and the unit that byte order applies to (a RATIONAL is two LONGs). */
const SIZES: Record<number, [number, number]> = { 1: [1, 1], 2: [1, 1], 3: [2, 2], 4: [4, 4], 5: [8, 4], 6: [1, 1], 7: [1, 1], 8: [2, 2], 9: [4, 4], 10: [8, 4], 11: [4, 4], 12: [8, 8], 13: [4, 4] };

export function shorts(tag: number, ...values: number[]): TiffEntry {
  const value = Buffer.alloc(2 * values.length);
  values.forEach((v, i) => value.writeUInt16LE(v, 2 * i));
  return { tag, type: TYPE.SHORT, count: values.length, value };
}

export function longs(tag: number, ...values: number[]): TiffEntry {
  const value = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => value.writeUInt32LE(v, 4 * i));
  return { tag, type: TYPE.LONG, count: values.length, value };
}

/** A resolution as a RATIONAL with denominator 100 (enough for fractional dpi). */
export function rational(tag: number, v: number): TiffEntry {
  const value = Buffer.alloc(8);
  value.writeUInt32LE(Math.round(v * 100), 0);
  value.writeUInt32LE(100, 4);
  return { tag, type: TYPE.RATIONAL, count: 1, value };
}

export function ascii(tag: number, text: string): TiffEntry {
  const value = Buffer.from(`${text}\0`, 'latin1');
  return { tag, type: TYPE.ASCII, count: value.length, value };
}

/** The first directory of a TIFF and its strips; throws on anything it cannot follow. */
export function readSinglePage(tiff: Buffer): TiffImage {
  if (tiff.length < 8) throw new Error('TIFF too short');
  const le = tiff[0] === 0x49;
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  if (u16(2) !== 42) throw new Error('not a classic TIFF');
  const ifd = u32(4);
  const n = u16(ifd);
  const entries: TiffEntry[] = [];
  let offsets: number[] = [];
  let counts: number[] = [];
  for (let i = 0; i < n; i++) {
    const at = ifd + 2 + 12 * i;
    const tag = u16(at);
    const type = u16(at + 2);
    const count = u32(at + 4);
    const size = SIZES[type];
    if (!size) throw new Error(`tag ${tag} has unknown type ${type}`);
    const length = size[0] * count;
    const start = length <= 4 ? at + 8 : u32(at + 8);
    if (start + length > tiff.length) throw new Error(`tag ${tag} points past the end of the file`);
    const value = Buffer.from(tiff.subarray(start, start + length));
    if (!le && size[1] > 1) for (let j = 0; j < length; j += size[1]) value.subarray(j, j + size[1]).reverse();
    const numbers = () => Array.from({ length: count }, (_, j) => (type === TYPE.SHORT ? value.readUInt16LE(2 * j) : value.readUInt32LE(4 * j)));
    if (tag === TAG.StripOffsets) offsets = numbers();
    else if (tag === TAG.StripByteCounts) counts = numbers();
    else if (tag === TAG.TileOffsets || tag === TAG.TileByteCounts) throw new Error('tiled TIFF');
    else entries.push({ tag, type, count, value });
  }
  if (offsets.length === 0 || offsets.length !== counts.length) throw new Error('strip offsets and counts do not match');
  const strips = offsets.map((o, i) => {
    if (o + counts[i]! > tiff.length) throw new Error('a strip points past the end of the file');
    return tiff.subarray(o, o + counts[i]!);
  });
  return { entries, strips };
}

/**
 * Lays out one directory at `offset`: the directory, its values that do not
 * fit in 4 bytes, then the strips. Answers the bytes and where the next
 * directory would start. `next` is written as the next-directory offset:
 * known in advance because the page's size is.
 */
export function layoutPage(image: TiffImage, offset: number, last: boolean): { parts: Buffer[]; end: number } {
  const stripCount = image.strips.length;
  const placeholder = (tag: number) => longs(tag, ...new Array<number>(stripCount).fill(0));
  const entries = [...image.entries, placeholder(TAG.StripOffsets), placeholder(TAG.StripByteCounts)].sort((a, b) => a.tag - b.tag);
  const dirSize = 2 + 12 * entries.length + 4;
  let at = offset + dirSize;
  const external: Array<{ entry: TiffEntry; at: number }> = [];
  for (const e of entries) {
    if (e.value.length > 4) {
      external.push({ entry: e, at });
      at += e.value.length + (e.value.length & 1);
    }
  }
  const stripAt: number[] = [];
  for (const s of image.strips) {
    stripAt.push(at);
    at += s.length;
  }
  const end = at + (at & 1);
  if (end > 0xffffffff) throw new Error('the TIFF would pass 4 GB; save fewer pages per file, or as PDF');
  entries.find((e) => e.tag === TAG.StripOffsets)!.value = longs(0, ...stripAt).value;
  entries.find((e) => e.tag === TAG.StripByteCounts)!.value = longs(0, ...image.strips.map((s) => s.length)).value;

  const dir = Buffer.alloc(dirSize);
  dir.writeUInt16LE(entries.length, 0);
  const externalAt = new Map(external.map((x) => [x.entry, x.at]));
  entries.forEach((e, i) => {
    const p = 2 + 12 * i;
    dir.writeUInt16LE(e.tag, p);
    dir.writeUInt16LE(e.type, p + 2);
    dir.writeUInt32LE(e.count, p + 4);
    if (e.value.length <= 4) e.value.copy(dir, p + 8);
    else dir.writeUInt32LE(externalAt.get(e)!, p + 8);
  });
  dir.writeUInt32LE(last ? 0 : end, dirSize - 4);
  const parts: Buffer[] = [dir];
  for (const x of external) parts.push(x.entry.value, Buffer.alloc(x.entry.value.length & 1));
  parts.push(...image.strips);
  if (at & 1) parts.push(Buffer.alloc(1));
  return { parts, end };
}

/** The 8-byte header of a little-endian TIFF whose first directory follows it. */
export function tiffHeader(): Buffer {
  const h = Buffer.alloc(8);
  h.write('II', 0, 'latin1');
  h.writeUInt16LE(42, 2);
  h.writeUInt32LE(8, 4);
  return h;
}
