/**
 * Writes a page's resolution into its encoded bytes: the PNG pHYs chunk or
 * the JPEG JFIF header. Written by hand because sharp sets one density for
 * both axes and only while re-encoding; here the pixels are never touched,
 * so setting the resolution of a JPEG costs no quality.
 */
import { crc32 } from 'node:zlib';
import { ScanbridgeError } from '@scanbridge/protocol/core';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const INCH = 0.0254;

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * The PNG with one pHYs chunk (pixels per metre) right after IHDR, any other
 * pHYs dropped, as the pieces of the new file in order: slices of `png`
 * (its memory, not copies) and the new chunk. For a caller that writes the
 * pieces out as they are, a page-sized PNG is never copied.
 */
export function pngWithDensityParts(png: Buffer, xdpi: number, ydpi: number): Buffer[] {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new ScanbridgeError('page-damaged', 'its stored image is not a PNG');
  const phys = Buffer.alloc(9);
  phys.writeUInt32BE(Math.round(xdpi / INCH), 0);
  phys.writeUInt32BE(Math.round(ydpi / INCH), 4);
  phys[8] = 1; // unit: metre
  const parts: Buffer[] = [];
  // Kept chunks side by side in `png` go out as one slice.
  let from = 0;
  let at = 8;
  while (at + 12 <= png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const end = at + 12 + length;
    if (type === 'pHYs') {
      if (at > from) parts.push(png.subarray(from, at));
      from = end;
    }
    if (type === 'IHDR') {
      parts.push(png.subarray(from, end), pngChunk('pHYs', phys));
      from = end;
    }
    at = end;
  }
  // As before: bytes after the last whole chunk are dropped.
  if (Math.min(at, png.length) > from) parts.push(png.subarray(from, Math.min(at, png.length)));
  return parts;
}

/** The PNG with one pHYs chunk (pixels per metre) right after IHDR, any other pHYs dropped. */
function pngWithDensity(png: Buffer, xdpi: number, ydpi: number): Buffer {
  return Buffer.concat(pngWithDensityParts(png, xdpi, ydpi));
}

/** JFIF density: dots per inch when it fits 16 bits, else dots per centimetre. */
function jfifDensity(dpi: number): { unit: number; value: number } {
  const perInch = Math.max(1, Math.round(dpi));
  if (perInch <= 0xffff) return { unit: 1, value: perInch };
  return { unit: 2, value: Math.min(0xffff, Math.round(dpi / 2.54)) };
}

function jpegWithDensity(jpeg: Buffer, xdpi: number, ydpi: number): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new ScanbridgeError('page-damaged', 'its stored image is not a JPEG');
  const x = jfifDensity(xdpi);
  const y = jfifDensity(ydpi);
  // One unit field serves both axes: fall back to dots per centimetre for both when either needs it.
  const unit = Math.max(x.unit, y.unit);
  const value = (dpi: number, d: { unit: number; value: number }) => (d.unit === unit ? d.value : Math.max(1, Math.round(dpi / 2.54)));
  const isJfif = jpeg[2] === 0xff && jpeg[3] === 0xe0 && jpeg.toString('latin1', 6, 11) === 'JFIF\0' && jpeg.length > 18;
  const out = isJfif ? Buffer.from(jpeg) : Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0]), jpeg.subarray(2)]);
  out[13] = unit;
  out.writeUInt16BE(value(xdpi, x), 14);
  out.writeUInt16BE(value(ydpi, y), 16);
  return out;
}

export function withDensity(bytes: Buffer, format: 'png' | 'jpeg', xdpi: number, ydpi: number): Buffer {
  return format === 'png' ? pngWithDensity(bytes, xdpi, ydpi) : jpegWithDensity(bytes, xdpi, ydpi);
}
