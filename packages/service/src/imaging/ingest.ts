/**
 * Turns what a driver delivers into what the buffer stores: lossless PNG for
 * raw scanner pixels (a scan is the original; the user chooses lossy
 * encodings when saving; raw-png.ts says how it is written fast), encoded
 * pages as they are. Raw 8-bit pages also get their thumbnail here
 * (page-preview.ts), from the pixels at hand. Files a page sends are decoded
 * in formats/ (decode.ts).
 */
import { sharp } from './sharp.js';
import type { AcquiredPage, RawPage } from '../devices/driver.js';
import type { StoredImage } from '../buffer/types.js';
import { encodeBilevelPng } from '../formats/bilevel.js';
import { imageMemory, pixelBytes } from '../util/memory-budget.js';
import { type PagePreview, previewOfPixels } from './page-preview.js';
import { jpegOfPage } from '../formats/page-pixels.js';
import { withDensity } from './density.js';
import { rawJpeg } from './raw-jpeg.js';
import { encodeRawPng, encodeRawPngToFile } from './raw-png.js';

/** A page to store, with its thumbnail when one was made beside it. */
export type IngestedPage = StoredImage & { preview?: PagePreview | undefined };

export interface IngestOptions {
  /**
   * The page goes out over a network as it is (the eSCL server) instead of
   * into the buffer: no thumbnail (nobody views it here), and an 8-bit page
   * is compressed whatever it costs (level 2; a stored noisy page would be
   * 26 MB at A4 300 dpi colour, or compressed later at twice the cost).
   */
  network?: boolean;
  /** An 8-bit page is kept as a JPEG of this quality (the scan setting storeJpeg): raw pixels with their thumbnail, a PNG the device sent made JPEG. */
  jpegQuality?: number | undefined;
}

/** What a stored page keeps of the raw page, besides its encoding. */
const geometryOf = (page: RawPage) => ({ width: page.width, height: page.height, xdpi: page.xdpi, ydpi: page.ydpi, mode: page.mode });

async function encodeRaw(page: RawPage, opts: IngestOptions): Promise<IngestedPage> {
  const base = geometryOf(page);
  if (page.bitDepth === 1) {
    // SANE line-art is already packed rows with 1 = black, the form the 1-bit PNG writer takes.
    const bilevel = { width: page.width, height: page.height, stride: Math.ceil(page.width / 8), data: page.data };
    return { ...base, format: 'png', bytes: await encodeBilevelPng(bilevel, page.xdpi, page.ydpi), bitDepth: 1, mode: 'bw' };
  }
  if (page.bitDepth === 16) {
    // SANE delivers 16-bit samples in the host's byte order, which is what libvips' raw loader takes.
    // sharp reads the sample size from the array type (a Buffer would be taken as 8-bit), so hand it a Uint16Array.
    const aligned = page.data.byteOffset % 2 === 0 ? page.data : Buffer.from(page.data);
    const samples = new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.length / 2);
    const bytes = await sharp(samples, { raw: { width: page.width, height: page.height, channels: page.channels } })
      .toColourspace(page.channels === 1 ? 'grey16' : 'rgb16')
      .png({ compressionLevel: 2, adaptiveFiltering: false })
      .toBuffer();
    return { ...base, format: 'png', bytes, bitDepth: 16 };
  }
  if (opts.jpegQuality !== undefined && !opts.network) {
    const quality = opts.jpegQuality;
    const [bytes, preview] = await withPreview(page, opts, (pixels) => rawJpeg(pixels, quality));
    return { ...base, format: 'jpeg', bytes, bitDepth: 8, preview };
  }
  const [bytes, preview] = await withPreview(page, opts, encodeRawPng);
  return { ...base, format: 'png', bytes, bitDepth: 8, preview };
}

/** An 8-bit page encoded by `encode` (a PNG: at level 2 for the network) and, unless it goes to the network, its thumbnail: both at once, on libvips' threads. */
function withPreview<T>(page: RawPage, opts: IngestOptions, encode: (pixels: RawPage, level: 2 | undefined) => Promise<T>): Promise<[T, PagePreview | undefined]> {
  return Promise.all([encode(page, opts.network ? 2 : undefined), opts.network ? undefined : previewOfPixels(page)]);
}

/**
 * As ingestPage for a raw 8-bit page (what scanners deliver most), with the
 * PNG written straight to `file` instead of returned (raw-png.ts,
 * encodeRawPngToFile); answers what ingestPage would, less the bytes.
 */
export async function ingestRawToFile(page: RawPage & { bitDepth: 8 }, file: string, opts: IngestOptions = {}): Promise<Omit<IngestedPage, 'bytes'>> {
  const [, preview] = await imageMemory.run(page.data.length, () => withPreview(page, opts, (pixels, level) => encodeRawPngToFile(pixels, file, level)));
  return { ...geometryOf(page), format: 'png', bitDepth: 8, preview };
}

export async function ingestPage(page: AcquiredPage, opts: IngestOptions = {}): Promise<IngestedPage> {
  // The raw page is held while it is encoded: its bytes are its claim on the shared image memory.
  if (page.kind === 'raw') return imageMemory.run(page.data.length, () => encodeRaw(page, opts));
  const encoded: IngestedPage = { format: page.format, bytes: page.bytes, width: page.width, height: page.height, xdpi: page.xdpi, ydpi: page.ydpi, mode: page.mode, bitDepth: page.bitDepth, preview: page.preview };
  // An 8-bit page the device sent as PNG, to keep as JPEG (storeJpeg): decoded and encoded once, here.
  if (opts.jpegQuality === undefined || opts.network || page.format !== 'png' || page.bitDepth !== 8) return encoded;
  const quality = opts.jpegQuality;
  const { data } = await imageMemory.run(2 * pixelBytes(page), () => jpegOfPage(encoded, quality));
  return { ...encoded, format: 'jpeg', bytes: withDensity(data, 'jpeg', page.xdpi, page.ydpi) };
}
