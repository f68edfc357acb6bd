/**
 * Lossless PNG of a scanner's 8-bit grey or RGB pixels, written for speed:
 * the stored form of a scanned page (a scan is the original; lossy encodings
 * are the user's choice when saving). Still PNG, so every reader of stored
 * pages (saves, edits, thumbnails, the disk cache, recovery, barcodes, OCR)
 * and every page stored before reads it as it did.
 *
 * Chosen by measurement (A4 at 300 dpi in colour, 26 MB of pixels; CPU time
 * on this project's 2-core machine; bench/scan prints the stored bytes):
 *
 *   page                      libvips level 2    Node zlib level 1   Huffman only   level 0 (stored)
 *   SANE test pattern         33 ms, 1.2 MB      51 ms, 1.2 MB       244 ms, 10 MB  16 ms, 26 MB
 *   document + sensor noise   442 ms, 16 MB      557 ms, 16 MB       262 ms, 16 MB  15 ms, 26 MB
 *
 * (libvips' level 1 is zlib-ng's quick mode: 272 ms and 24 MB on the noisy
 * page.) Noise leaves deflate's string matching nothing to find: the best it
 * gets is about 60 % of the size for 15 to 30 times the time, and reading the
 * page back costs 5 times as much (102-142 ms against 19-21 ms to decode).
 * So a few strips of the page are deflated first: a page they show
 * compressible (clean paper, test patterns, line drawings: to under 30 %) is
 * written at level 2, and a noisy one is stored (deflate's uncompressed
 * blocks): the same bytes as the PNM file `scanimage` writes, at memory speed.
 */
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import { sharp } from './sharp.js';
import type { Pixels } from '../formats/page-kind.js';
import { deflatedBilevelPng } from '../formats/bilevel.js';
import { isUncompressedPng } from '../formats/png-chunks.js';

const deflateAsync = promisify(deflate);

/**
 * Strips of rows deflated to judge the page, spread over its height (16 rows,
 * 0.5 % of an A4 page). Measured on A4 at 300 dpi: sampled ratios of the SANE
 * test pattern 0.06-0.08 and of the noisy document 0.61-0.62 whether 64 or 16
 * rows are taken, so the verdict is the same, but deflating a noisy sample
 * costs 11 ms of CPU for 64 rows and 3 ms for 16.
 */
const SAMPLE_STRIPS = 8;
const SAMPLE_ROWS = 2;
/**
 * Sampled size (deflate level 1) over raw size at or under which the page is
 * compressed. Measured on the demo document: clean 0.12 (level 2: 3.2 MB in
 * 100 ms), SANE's test pattern 0.06; with sensor noise of standard deviation
 * 0.25 it is 0.37, 0.5: 0.43 (level 2: 11 MB in 260 ms), 1: 0.51 (13 MB in
 * 310 ms), 3: 16 MB in 460 ms; stored is 26 MB in 15 to 50 ms whatever the page.
 */
const COMPRESSIBLE = 0.3;

/** The PNG compression level the page calls for: 2 when a sample of its rows compresses well, else 0 (stored). */
export async function pngLevelFor(pixels: Pixels): Promise<0 | 2> {
  const row = pixels.width * pixels.channels;
  const rows = Math.min(SAMPLE_ROWS, pixels.height);
  const strips = Math.min(SAMPLE_STRIPS, Math.floor(pixels.height / rows));
  const parts: Buffer[] = [];
  for (let k = 0; k < strips; k++) {
    const y = Math.floor(((pixels.height - rows) * k) / Math.max(1, strips - 1));
    parts.push(pixels.data.subarray(y * row, (y + rows) * row));
  }
  const sample = Buffer.concat(parts);
  if (sample.length === 0) return 2;
  const packed = await deflateAsync(sample, { level: 1 });
  return packed.length <= sample.length * COMPRESSIBLE ? 2 : 0;
}

export async function encodeRawPng(pixels: Pixels, level?: 0 | 2): Promise<Buffer> {
  return (await rawPng(pixels, level)).toBuffer();
}

/**
 * As encodeRawPng, written by libvips straight to `file` (a page handed over
 * through a file, page-handover.ts); answers its size. A noisy A4 page is 26
 * MB: returned as a buffer and then written, it cost 77-93 ms of CPU against
 * 45-57 ms this way (one copy, one page-sized allocation and its page faults
 * fewer; 2-core machine, loaded).
 */
export async function encodeRawPngToFile(pixels: Pixels, file: string, level?: 0 | 2): Promise<number> {
  return (await (await rawPng(pixels, level)).toFile(file)).size;
}

async function rawPng(pixels: Pixels, level?: 0 | 2) {
  const { width, height, channels, data } = pixels;
  const compressionLevel = level ?? (await pngLevelFor(pixels));
  // Without a colourspace sharp turns one grey channel into RGB on output.
  return sharp(data, { raw: { width, height, channels } })
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .png({ compressionLevel, adaptiveFiltering: false });
}

/**
 * A stored PNG made fit for a file: an uncompressed one (a noisy page) is
 * compressed as it would have been at ingest (level 2, no filter), once, when
 * a file is made from it; any other comes back as it is.
 */
export async function compressedPng(png: Buffer): Promise<Buffer> {
  if (!isUncompressedPng(png)) return png;
  // Line-art stays 1-bit (libvips would write 8-bit grey), deflated as line-art is at ingest.
  const bilevel = await deflatedBilevelPng(png).catch(() => null);
  if (bilevel) return bilevel;
  return sharp(png, { limitInputPixels: false }).png({ compressionLevel: 2, adaptiveFiltering: false }).toBuffer();
}
