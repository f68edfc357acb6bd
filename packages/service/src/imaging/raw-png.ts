/**
 * Lossless PNG of a scanner's 8-bit grey or RGB pixels, written for speed:
 * the stored form of a scanned page (a scan is the original; lossy encodings
 * are the user's choice when saving). Still PNG, so every reader of stored
 * pages (saves, edits, thumbnails, the disk cache, recovery, barcodes, OCR)
 * and every page stored before reads it as it did.
 *
 * Chosen by measurement (A4 at 300 dpi in colour, 26 MB of pixels; bench/scan
 * prints the stored bytes): libvips' PNG at level 2 took 28 ms for SANE's test
 * pattern but about 300 ms for a page with a scanner's sensor noise, whose
 * samples deflate's string matching cannot shorten. So a few strips of the
 * page are deflated first: a page they show compressible (documents on clean
 * paper, test patterns: under half) is deflated at level 1 with no row
 * filter, which is fast exactly because matches are plentiful; a noisy page
 * is Huffman-coded only (no string search), which gets nearly all of what
 * level 1 gets from noise (about 16 of 26 MB) at a third of its time.
 * Measured: BENCHMARKS in the commit and bench/scan.
 */
import { promisify } from 'node:util';
import { constants, deflate } from 'node:zlib';
import { writePngStream } from '../formats/png-pieces.js';

const deflateAsync = promisify(deflate);

/** Strips of rows deflated to judge the page, spread over its height. */
const SAMPLE_STRIPS = 16;
const SAMPLE_ROWS = 4;
/** Sampled size over raw size at or under which string matching pays. */
const COMPRESSIBLE = 0.5;

export interface Pixels8 {
  width: number;
  height: number;
  channels: 1 | 3;
  /** Rows of width x channels bytes, no padding. */
  data: Buffer;
}

export type PngStrategy = 'level1' | 'huffman';

/** Which deflate strategy suits the page, from a sample of its rows. */
export async function choosePngStrategy(pixels: Pixels8): Promise<PngStrategy> {
  const row = pixels.width * pixels.channels;
  const rows = Math.min(SAMPLE_ROWS, pixels.height);
  const strips = Math.min(SAMPLE_STRIPS, Math.floor(pixels.height / rows));
  const parts: Buffer[] = [];
  for (let k = 0; k < strips; k++) {
    const y = Math.floor(((pixels.height - rows) * k) / Math.max(1, strips - 1));
    parts.push(pixels.data.subarray(y * row, (y + rows) * row));
  }
  const sample = Buffer.concat(parts);
  if (sample.length === 0) return 'level1';
  const packed = await deflateAsync(sample, { level: 1 });
  return packed.length <= sample.length * COMPRESSIBLE ? 'level1' : 'huffman';
}

export async function encodeRawPng(pixels: Pixels8, xdpi: number, ydpi: number, strategy?: PngStrategy): Promise<Buffer> {
  const { width, height, channels, data } = pixels;
  const row = width * channels;
  // Each row led by filter byte 0 (none): filters cost time and gain little on either kind of page.
  const scanlines = Buffer.allocUnsafe((row + 1) * height);
  for (let y = 0; y < height; y++) {
    const at = y * (row + 1);
    scanlines[at] = 0;
    data.copy(scanlines, at + 1, y * row, (y + 1) * row);
  }
  const chosen = strategy ?? (await choosePngStrategy(pixels));
  const options = chosen === 'level1' ? { level: 1 } : { level: 1, strategy: constants.Z_HUFFMAN_ONLY };
  const stream = await deflateAsync(scanlines, options);
  return writePngStream({ width, height, channels, bitDepth: 8, dpi: xdpi, ydpi }, stream);
}
