/**
 * Turns what a driver or a page delivers into what the buffer stores:
 * lossless PNG for raw scanner pixels (a scan is the original; the user
 * chooses lossy encodings when saving), encoded pages as they are.
 */
import sharp from 'sharp';
import type { CreateRaw, Metadata } from 'sharp';
import { ScanbridgeError, type ColorMode } from '@scanbridge/protocol';
import type { AcquiredPage, RawPage } from '../devices/driver.js';
import type { StoredImage } from '../buffer/types.js';

// Scans are large and rarely re-read by the same pipeline: libvips' operation
// cache would only hold memory.
sharp.cache(false);

/** Spread 1-bit packed rows (MSB first, 1 = black as SANE line-art) to 8-bit grey. */
function unpackLineArt(page: RawPage): Buffer {
  const stride = Math.ceil(page.width / 8);
  const out = Buffer.alloc(page.width * page.height);
  for (let y = 0; y < page.height; y++) {
    for (let x = 0; x < page.width; x++) {
      const bit = (page.data[y * stride + (x >> 3)]! >> (7 - (x & 7))) & 1;
      out[y * page.width + x] = bit ? 0 : 255;
    }
  }
  return out;
}

async function encodeRaw(page: RawPage): Promise<StoredImage> {
  const base = { width: page.width, height: page.height, xdpi: page.xdpi, ydpi: page.ydpi, mode: page.mode };
  if (page.bitDepth === 1) {
    const grey = unpackLineArt(page);
    const bytes = await sharp(grey, { raw: { width: page.width, height: page.height, channels: 1 } })
      .png({ palette: true, colours: 2, compressionLevel: 6 }) // two colours: sharp writes a 1-bit palette PNG
      .toBuffer();
    return { ...base, format: 'png', bytes, bitDepth: 1, mode: 'bw' };
  }
  if (page.bitDepth === 16) {
    // SANE delivers 16-bit samples big-endian on the wire; libvips wants host order.
    const data = Buffer.from(page.data);
    data.swap16();
    // `depth` is supported by libvips' raw loader but missing from sharp's typings.
    const raw = { width: page.width, height: page.height, channels: page.channels, depth: 'ushort' } as CreateRaw;
    const bytes = await sharp(data, { raw })
      .toColourspace(page.channels === 1 ? 'grey16' : 'rgb16')
      .png({ compressionLevel: 2, adaptiveFiltering: false })
      .toBuffer();
    return { ...base, format: 'png', bytes, bitDepth: 16 };
  }
  const bytes = await sharp(page.data, { raw: { width: page.width, height: page.height, channels: page.channels } })
    .png({ compressionLevel: 2, adaptiveFiltering: false })
    .toBuffer();
  return { ...base, format: 'png', bytes, bitDepth: 8 };
}

export async function ingestPage(page: AcquiredPage): Promise<StoredImage> {
  if (page.kind === 'raw') return encodeRaw(page);
  return { format: page.format, bytes: page.bytes, width: page.width, height: page.height, xdpi: page.xdpi, ydpi: page.ydpi, mode: page.mode, bitDepth: page.bitDepth };
}

/** A PNG or JPEG a page sent (AddImage): checked, alpha flattened on white, stored as sent when possible. */
export async function ingestUpload(bytes: Buffer, dpi?: { xdpi?: number | undefined; ydpi?: number | undefined }): Promise<StoredImage> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: 20000 * 20000 }).metadata();
  } catch (err) {
    throw new ScanbridgeError('invalid-image', `cannot read the image: ${(err as Error).message}`);
  }
  const format = meta.format === 'jpeg' ? 'jpeg' : meta.format === 'png' ? 'png' : null;
  if (!format) throw new ScanbridgeError('invalid-image', `unsupported image format "${meta.format ?? 'unknown'}": send PNG or JPEG`);
  if (!meta.width || !meta.height) throw new ScanbridgeError('invalid-image', `the ${format.toUpperCase()} image has no size`);
  // Decode fully once so truncated files are refused now, not when a thumbnail is asked for.
  let stored = bytes;
  try {
    if (meta.hasAlpha) stored = await sharp(bytes).flatten({ background: '#ffffff' }).png().toBuffer();
    else await sharp(bytes, { failOn: 'truncated' }).raw().toBuffer({ resolveWithObject: false });
  } catch (err) {
    throw new ScanbridgeError('invalid-image', `the ${format.toUpperCase()} image is damaged: ${(err as Error).message}`);
  }
  const channels = meta.channels ?? 3;
  // A 1-bit PNG (palette or grey) is line-art; sharp reports palettes as 3 channels.
  const bitDepth = format === 'png' && meta.bitsPerSample === 1 ? 1 : meta.depth === 'ushort' ? 16 : 8;
  const mode: ColorMode = bitDepth === 1 ? 'bw' : meta.space === 'b-w' || channels <= 2 ? 'gray' : 'color';
  const density = meta.density ?? 72;
  return {
    format,
    bytes: stored,
    width: meta.width,
    height: meta.height,
    xdpi: dpi?.xdpi ?? density,
    ydpi: dpi?.ydpi ?? density,
    mode,
    bitDepth,
  };
}
