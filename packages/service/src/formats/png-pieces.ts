/**
 * A PNG writer that takes its image data as separately deflated pieces of
 * scanlines (each ends on a sync flush, i.e. a byte boundary, and they are
 * joined into one zlib stream). The demo scanner deflates the rows shared by
 * every page once per template; the PDF loader deflates a page band by band,
 * so a page is never held uncompressed whole.
 */
import { promisify } from 'node:util';
import { constants, crc32, deflateRaw } from 'node:zlib';

const deflateRawAsync = promisify(deflateRaw);
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const ADLER_BASE = 65521;

/** A run of scanlines, deflated on its own. */
export interface DeflatedPiece {
  deflated: Buffer;
  /** Adler-32 and length of the uncompressed scanlines. */
  adler: number;
  length: number;
}

export async function deflatePiece(scanlines: Uint8Array, level: number): Promise<DeflatedPiece> {
  const deflated = await deflateRawAsync(scanlines, { level, finishFlush: constants.Z_SYNC_FLUSH });
  return { deflated, adler: adler32(scanlines), length: scanlines.length };
}

export function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; ) {
    // 5552 bytes is the most that cannot overflow before the modulo.
    const end = Math.min(i + 5552, data.length);
    for (; i < end; i++) {
      a += data[i] ?? 0;
      b += a;
    }
    a %= ADLER_BASE;
    b %= ADLER_BASE;
  }
  return (b * 65536 + a) >>> 0;
}

/** Adler-32 of A followed by B, from the two checksums and B's length (zlib's adler32_combine). */
export function adler32Combine(adlerA: number, adlerB: number, lengthB: number): number {
  const rem = lengthB % ADLER_BASE;
  let sum1 = adlerA & 0xffff;
  let sum2 = (rem * sum1) % ADLER_BASE;
  sum1 += (adlerB & 0xffff) + ADLER_BASE - 1;
  sum2 += (adlerA >>> 16) + (adlerB >>> 16) + ADLER_BASE - rem;
  if (sum1 >= ADLER_BASE) sum1 -= ADLER_BASE;
  if (sum1 >= ADLER_BASE) sum1 -= ADLER_BASE;
  if (sum2 >= 2 * ADLER_BASE) sum2 -= 2 * ADLER_BASE;
  if (sum2 >= ADLER_BASE) sum2 -= ADLER_BASE;
  return (sum2 * 65536 + sum1) >>> 0;
}

/** A chunk whose body is given in parts, so the image data is copied once only. */
function chunk(type: string, body: readonly Buffer[]): Buffer[] {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.reduce((n, part) => n + part.length, 0), 0);
  head.write(type, 4, 'latin1');
  let crc = crc32(head.subarray(4));
  for (const part of body) crc = crc32(part, crc);
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc, 0);
  return [head, ...body, tail];
}

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: 1 | 8;
  /** 1 grey, 3 RGB. */
  channels: 1 | 3;
  dpi: number;
}

/** Joins the pieces (all rows, in order, each row led by filter byte 0) into a PNG file. */
export function writePng(header: PngHeader, pieces: readonly DeflatedPiece[]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(header.width, 0);
  ihdr.writeUInt32BE(header.height, 4);
  ihdr.set([header.bitDepth, header.channels === 3 ? 2 : 0, 0, 0, 0], 8);
  const phys = Buffer.alloc(9);
  const perMetre = Math.round(header.dpi / 0.0254);
  phys.writeUInt32BE(perMetre, 0);
  phys.writeUInt32BE(perMetre, 4);
  phys[8] = 1;

  let adler = 1;
  for (const piece of pieces) adler = adler32Combine(adler, piece.adler, piece.length);
  const trailer = Buffer.alloc(6);
  trailer.set([0x03, 0x00], 0); // an empty final block ends the deflate stream
  trailer.writeUInt32BE(adler, 2);
  const idat = [Buffer.from([0x78, 0x01]), ...pieces.map((p) => p.deflated), trailer];
  return Buffer.concat([SIGNATURE, ...chunk('IHDR', [ihdr]), ...chunk('pHYs', [phys]), ...chunk('IDAT', idat), ...chunk('IEND', [])]);
}
