/**
 * Multi-page TIFF, written as a stream: each page is encoded on its own,
 * then its directory, values and strips are laid out and written; the
 * offset of the next directory is known because the page count is. Memory
 * holds the pages in flight, never the file.
 *
 * Line-art is CCITT G4 in one strip (our encoder, on worker threads); grey and colour pages are
 * encoded by sharp (libtiff: LZW, Deflate, JPEG or none) as single-page
 * TIFFs whose directory and strips are carried over.
 */
import { sharp } from '../imaging/sharp.js';
import { COMPRESSIONS } from '@scanbridge/protocol/core';
import type { TiffCompression } from '@scanbridge/protocol';
import type { StoredImage } from '../buffer/types.js';
import { g4OfPage } from './bilevel-pool.js';
import { imageMemory, pixelBytes } from '../util/memory-budget.js';
import { mapOrdered } from './ordered.js';
import { pageKind } from './page-kind.js';
import { pixelsOf } from './page-pixels.js';
import { ascii, layoutPage, readSinglePage, rational, shorts, longs, TAG, tiffHeader, type TiffImage } from './tiff-ifd.js';

export type { TiffCompression };
export const TIFF_COMPRESSIONS: readonly TiffCompression[] = COMPRESSIONS;

export interface TiffOptions {
  /**
   * auto: G4 for line-art and for pages measured to be black and white (thresholded), JPEG for the rest.
   * lossless: G4 for line-art, JPEG for pages stored as JPEG, LZW for the rest.
   * jpeg applies to grey and colour pages (line-art gets G4); g4 needs every page to be line-art.
   */
  compression: TiffCompression;
  /** JPEG quality 1..100. */
  quality: number;
}

/** Pages encoded at once: enough to keep two cores busy, few enough to stay small. */
const IN_FLIGHT = 4;

const SOFTWARE = 'scanbridge';

function pageTags(image: TiffImage, index: number, count: number): TiffImage {
  const replaced = new Set<number>([TAG.PageNumber, TAG.NewSubfileType, TAG.Software]);
  const entries = image.entries.filter((e) => !replaced.has(e.tag));
  entries.push(longs(TAG.NewSubfileType, count > 1 ? 2 : 0), shorts(TAG.PageNumber, index, count), ascii(TAG.Software, SOFTWARE));
  return { entries, strips: image.strips };
}

async function g4Page(page: StoredImage): Promise<TiffImage> {
  const { strip, ...b } = await g4OfPage(page);
  return {
    entries: [
      longs(TAG.ImageWidth, b.width),
      longs(TAG.ImageLength, b.height),
      shorts(TAG.BitsPerSample, 1),
      shorts(TAG.Compression, 4),
      shorts(TAG.Photometric, 0), // min-is-white: the fax convention
      shorts(TAG.SamplesPerPixel, 1),
      longs(TAG.RowsPerStrip, b.height),
      rational(TAG.XResolution, page.xdpi),
      rational(TAG.YResolution, page.ydpi),
      longs(TAG.T6Options, 0),
      shorts(TAG.ResolutionUnit, 2),
    ],
    strips: [strip],
  };
}

async function sharpPage(page: StoredImage, compression: 'none' | 'lzw' | 'deflate' | 'jpeg', quality: number): Promise<TiffImage> {
  const bw = page.bitDepth === 1;
  let pipeline = sharp(page.bytes, { limitInputPixels: false }).flatten({ background: '#ffffff' });
  if (page.mode !== 'color') pipeline = pipeline.toColourspace(page.bitDepth === 16 ? 'grey16' : 'b-w');
  const tiff = await pipeline
    .tiff({
      compression,
      quality,
      // libtiff has no horizontal differencing for 1-bit samples.
      predictor: !bw && (compression === 'lzw' || compression === 'deflate') ? 'horizontal' : 'none',
      ...(bw ? { bitdepth: 1 as const, miniswhite: true } : {}),
      xres: page.xdpi / 25.4,
      yres: page.ydpi / 25.4,
      resolutionUnit: 'inch',
    })
    .toBuffer();
  return readSinglePage(tiff);
}

/** The compression a page gets under the options (validated beforehand: g4 only for line-art). */
async function tiffCompressionFor(page: StoredImage, compression: TiffCompression): Promise<Exclude<TiffCompression, 'auto' | 'lossless'>> {
  const bw = page.bitDepth === 1;
  if (compression === 'lossless') return bw ? 'g4' : page.format === 'jpeg' ? 'jpeg' : 'lzw';
  if (compression === 'auto') {
    if (bw) return 'g4';
    if (page.format === 'jpeg') return 'jpeg';
    return pageKind(await pixelsOf(page)) === 'bilevel' ? 'g4' : 'jpeg';
  }
  if (compression === 'jpeg' && bw) return 'g4';
  return compression;
}

export async function* writeTiff(pages: AsyncIterable<StoredImage>, count: number, opts: TiffOptions): AsyncGenerator<Buffer> {
  yield tiffHeader();
  let offset = 8;
  // Decoded pixels (measured by 'auto' too) and their encoding, at most.
  const encoded = mapOrdered(pages, IN_FLIGHT, (page) =>
    imageMemory.run(2 * pixelBytes(page), async () => {
      const c = await tiffCompressionFor(page, opts.compression);
      return c === 'g4' ? g4Page(page) : sharpPage(page, c, opts.quality);
    }),
  );
  let index = 0;
  for await (const image of encoded) {
    const { parts, end } = layoutPage(pageTags(image, index, count), offset, index === count - 1);
    for (const part of parts) yield part;
    offset = end;
    index++;
  }
  if (index !== count) throw new Error(`expected ${count} pages, got ${index}`);
}
