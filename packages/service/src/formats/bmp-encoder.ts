/**
 * Writes BMP (sharp has no BMP writer): BITMAPINFOHEADER, bottom-up rows as
 * every reader expects; line-art as 1 bit with a black/white palette, grey as
 * 8 bits with a grey palette, colour as 24 bits.
 */
import type { Bilevel } from './bilevel.js';

export type BmpPixels = { kind: 'bilevel'; image: Bilevel } | { kind: 'raw'; width: number; height: number; channels: 1 | 3; data: Buffer };

export function encodeBmp(pixels: BmpPixels, xdpi: number, ydpi: number): Buffer {
  const width = pixels.kind === 'bilevel' ? pixels.image.width : pixels.width;
  const height = pixels.kind === 'bilevel' ? pixels.image.height : pixels.height;
  const bpp = pixels.kind === 'bilevel' ? 1 : pixels.channels === 1 ? 8 : 24;
  const paletteSize = bpp === 1 ? 2 : bpp === 8 ? 256 : 0;
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  const offset = 14 + 40 + paletteSize * 4;
  const size = offset + stride * height;
  if (size > 0xffffffff) throw new Error(`a ${width}x${height} page is too large for BMP (4 GB); save it as TIFF or PDF`);
  const out = Buffer.alloc(size);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(size, 2);
  out.writeUInt32LE(offset, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22); // positive: bottom-up
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(bpp, 28);
  out.writeUInt32LE(0, 30); // BI_RGB
  out.writeUInt32LE(stride * height, 34);
  out.writeInt32LE(Math.round(xdpi / 0.0254), 38);
  out.writeInt32LE(Math.round(ydpi / 0.0254), 42);
  out.writeUInt32LE(paletteSize, 46);
  out.writeUInt32LE(paletteSize, 50);
  for (let i = 0; i < paletteSize; i++) {
    const v = paletteSize === 2 ? i * 255 : i; // 1-bit: index 0 black, 1 white
    out.fill(v, 54 + 4 * i, 54 + 4 * i + 3);
  }
  for (let y = 0; y < height; y++) {
    const dst = offset + (height - 1 - y) * stride;
    if (pixels.kind === 'bilevel') {
      const { data, stride: srcStride } = pixels.image;
      for (let i = 0; i < srcStride; i++) out[dst + i] = ~data[y * srcStride + i]! & 0xff; // 1 = black -> index 0
    } else if (pixels.channels === 1) {
      pixels.data.copy(out, dst, y * width, (y + 1) * width);
    } else {
      const src = y * width * 3;
      for (let x = 0; x < width; x++) {
        out[dst + 3 * x] = pixels.data[src + 3 * x + 2]!;
        out[dst + 3 * x + 1] = pixels.data[src + 3 * x + 1]!;
        out[dst + 3 * x + 2] = pixels.data[src + 3 * x]!;
      }
    }
  }
  return out;
}
