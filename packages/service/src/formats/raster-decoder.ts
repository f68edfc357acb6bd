/**
 * JPEG, PNG, WebP and TIFF through sharp (libvips; libtiff covers
 * uncompressed, LZW, Deflate, PackBits, JPEG and CCITT G3/G4 TIFF). Each
 * page is decoded completely once, so a damaged file is refused now rather
 * than when its thumbnail is first asked for.
 *
 * What is stored: a JPEG that PDF readers can take as it is stays byte for
 * byte (it then passes into PDFs unchanged); one that needs turning (EXIF
 * orientation) or that PDF cannot carry is re-encoded at quality 95. A PNG
 * without alpha stays as sent. Everything else becomes PNG, line-art 1-bit.
 */
import { sharp } from '../imaging/sharp.js';
import type { Metadata, Sharp } from 'sharp';
import type { ColorMode } from '@scanbridge/protocol';
import type { PendingImage, StoredImage } from '../buffer/types.js';
import { packGrey } from './bilevel.js';
import { asInvalid, checkPageSize, invalidImage, type InputFormat } from './invalid.js';
import { hasEndMarker, isPdfCompatibleJpeg, type JpegHeader, readJpegHeader } from './jpeg-markers.js';
import { DEFAULT_DPI, LOAD_LIMITS } from './limits.js';
import { imageMemory, stripBytes } from '../util/memory-budget.js';
import { storeBilevel } from './page-store.js';
import { readPngChunks } from './png-chunks.js';
import { readUncompressedBilevel } from './tiff-bilevel.js';

export type RasterFormat = Extract<InputFormat, 'jpeg' | 'png' | 'webp' | 'tiff'>;

export interface Resolution {
  /** Overrides the file's resolution when given. */
  xdpi?: number | undefined;
  ydpi?: number | undefined;
}

const input = (bytes: Buffer, page = 0) => sharp(bytes, { page, failOn: 'error', limitInputPixels: LOAD_LIMITS.pixels, sequentialRead: true }).timeout({ seconds: LOAD_LIMITS.decodeSeconds });

/**
 * Decodes every pixel and throws away the result: the check that the page is
 * whole. A shrink to a thumbnail reads every row in strips (without JPEG's
 * shrink-on-load, which would skip detail): a 196-megapixel PNG costs a few
 * MB, where raw output would hold all of it decoded.
 */
async function drain(pipeline: Sharp): Promise<void> {
  await pipeline.resize({ width: 64, height: 64, fit: 'inside', fastShrinkOnLoad: false }).raw().toBuffer();
}

export interface RasterFile {
  format: RasterFormat;
  pageCount: number;
  pages(): AsyncGenerator<StoredImage>;
  /**
   * As pages(), but a JPEG that is stored as it is comes before the decode
   * that proves it whole has ended, with that decode as `whole`: the caller
   * stores the page meanwhile (on another core) and keeps it only once
   * `whole` resolves (ImageBuffer.addAll does).
   */
  pagesAhead(): AsyncGenerator<PendingImage>;
}

export async function openRaster(format: RasterFormat, bytes: Buffer, res: Resolution): Promise<RasterFile> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw asInvalid(format, err);
  }
  if (meta.format !== expectedLoader[format]) throw invalidImage(format, `the data does not read as ${format.toUpperCase()} (libvips sees ${meta.format ?? 'nothing'})`);
  // Only TIFF pages are documents' pages; the frames of an animated WebP are not.
  const pageCount = format === 'tiff' ? (meta.pages ?? 1) : 1;
  if (pageCount > LOAD_LIMITS.pages) throw invalidImage(format, `${pageCount} pages is more than the limit of ${LOAD_LIMITS.pages} per load`);
  async function* pages(): AsyncGenerator<StoredImage> {
    for (let page = 0; page < pageCount; page++) {
      try {
        const m = page === 0 ? meta : await sharp(bytes, { page, limitInputPixels: false }).metadata();
        checkPageSize(format, m.width ?? 0, m.height ?? 0, pageCount > 1 ? page : undefined);
        const direct = format === 'tiff' && m.bitsPerSample === 1 && (m.channels ?? 1) <= 2 ? await uncompressedBilevel(bytes, page, m, res) : null;
        yield direct ?? (await imageMemory.run(decodeBytes(format, m), () => decodePage(format, bytes, page, m, res)));
      } catch (err) {
        throw asInvalid(format, err, pageCount > 1 ? page : undefined);
      }
    }
  }
  return {
    format,
    pageCount,
    pages,
    async *pagesAhead() {
      if (format !== 'jpeg') return yield* pages();
      let asIs;
      try {
        asIs = jpegAsIs(bytes, meta, res);
      } catch (err) {
        throw asInvalid(format, err);
      }
      if (!asIs) return yield* pages();
      const { image, decode } = asIs;
      const whole = imageMemory.run(decodeBytes(format, meta), decode).catch((err: unknown) => {
        throw asInvalid(format, err);
      });
      // Observed here as well, so that a caller that stops before awaiting it leaves no unhandled rejection.
      whole.catch(() => undefined);
      yield { ...image, whole };
    },
  };
}

/**
 * The claim of one page on the shared image memory: twice the pixels a step
 * holds at once (decoded and encoded). libvips streams most decodes in
 * strips; a WebP, a JPEG turned by its EXIF orientation and a 1-bit TIFF
 * (thresholded as a whole) are decoded whole.
 */
function decodeBytes(format: RasterFormat, m: Metadata): number {
  const width = m.width ?? 0;
  const height = m.height ?? 0;
  const perPixel = (m.channels ?? 3) * (m.depth === 'ushort' ? 2 : 1);
  const whole = format === 'webp' || (format === 'jpeg' && (m.orientation ?? 1) !== 1) || (format === 'tiff' && m.bitsPerSample === 1);
  return 2 * (whole ? width * height * perPixel : stripBytes(width, height, perPixel));
}

/**
 * An uncompressed 1-bit TIFF page stored from its packed rows, claiming
 * those rows and their PNG (an eighth of the 8-bit page the sharp path
 * claims: a batch of such loads no longer trims memory every other page);
 * null when the page is not that simple kind.
 */
function uncompressedBilevel(bytes: Buffer, page: number, m: Metadata, res: Resolution): Promise<StoredImage | null> {
  const packed = (((m.width ?? 0) + 7) >> 3) * (m.height ?? 0);
  return imageMemory.run(2 * packed, async () => {
    const rows = readUncompressedBilevel(bytes, page);
    if (!rows) return null;
    const { xdpi, ydpi } = dpiOf(m, res);
    return storeBilevel(rows, xdpi, ydpi);
  });
}

const expectedLoader: Record<RasterFormat, string> = { jpeg: 'jpeg', png: 'png', webp: 'webp', tiff: 'tiff' };

function dpiOf(m: Metadata, res: Resolution, swap = false): { xdpi: number; ydpi: number } {
  const density = m.density && m.density > 0 && Number.isFinite(m.density) ? m.density : DEFAULT_DPI;
  const xdpi = res.xdpi ?? density;
  const ydpi = res.ydpi ?? res.xdpi ?? density;
  return swap ? { xdpi: ydpi, ydpi: xdpi } : { xdpi, ydpi };
}

async function decodePage(format: RasterFormat, bytes: Buffer, page: number, m: Metadata, res: Resolution): Promise<StoredImage> {
  if (format === 'jpeg') return decodeJpeg(bytes, m, res);
  if (format === 'png') return decodePng(bytes, m, res);
  const { xdpi, ydpi } = dpiOf(m, res);
  if (m.bitsPerSample === 1 && (m.channels ?? 1) <= 2) {
    const { data, info } = await input(bytes, page).flatten({ background: '#ffffff' }).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    return storeBilevel(packGrey(data, info.width, info.height), xdpi, ydpi);
  }
  return toPng(input(bytes, page), m, xdpi, ydpi);
}

/** Alpha flattened on white; CMYK and other spaces to sRGB; grey stays grey, 16 bits stay 16. */
async function toPng(pipeline: Sharp, m: Metadata, xdpi: number, ydpi: number): Promise<StoredImage> {
  const grey = m.space === 'b-w' || m.space === 'grey16';
  const deep = m.depth === 'ushort';
  const { data, info } = await pipeline
    .flatten({ background: '#ffffff' })
    .toColourspace(grey ? (deep ? 'grey16' : 'b-w') : deep ? 'rgb16' : 'srgb')
    .withDensity(xdpi)
    .png({ compressionLevel: 6 })
    .toBuffer({ resolveWithObject: true });
  return { format: 'png', bytes: data, width: info.width, height: info.height, xdpi, ydpi, mode: grey ? 'gray' : 'color', bitDepth: deep ? 16 : 8 };
}

/**
 * The checks of a JPEG that need no decode (its header, its end marker);
 * when it can be stored byte for byte, the page and the decode still to run
 * that proves it whole; null when it must be re-encoded.
 */
function jpegAsIs(bytes: Buffer, m: Metadata, res: Resolution): { image: StoredImage; decode: () => Promise<void> } | null {
  const header = checkedJpegHeader(bytes);
  if (!isPdfCompatibleJpeg(header) || (m.orientation ?? 1) !== 1) return null;
  const { xdpi, ydpi } = dpiOf(m, res);
  return asIsPage(bytes, header, xdpi, ydpi);
}

/** The header of a JPEG whose end marker follows its scan; throws invalid-image otherwise. */
function checkedJpegHeader(bytes: Buffer): JpegHeader {
  let header;
  try {
    header = readJpegHeader(bytes);
  } catch (err) {
    throw invalidImage('jpeg', (err as Error).message);
  }
  if (!hasEndMarker(bytes, header)) throw invalidImage('jpeg', 'the file ends before its end-of-image marker (truncated)');
  return header;
}

function asIsPage(bytes: Buffer, header: JpegHeader, xdpi: number, ydpi: number): { image: StoredImage; decode: () => Promise<void> } {
  checkPageSize('jpeg', header.width, header.height);
  const image: StoredImage = { format: 'jpeg', bytes, width: header.width, height: header.height, xdpi, ydpi, mode: header.components === 1 ? 'gray' : 'color', bitDepth: 8 };
  return { image, decode: () => drain(input(bytes)) };
}

async function decodeJpeg(bytes: Buffer, m: Metadata, res: Resolution): Promise<StoredImage> {
  const asIs = jpegAsIs(bytes, m, res);
  if (asIs) {
    await asIs.decode();
    return asIs.image;
  }
  const header = checkedJpegHeader(bytes);
  const orientation = m.orientation ?? 1;
  const mode: ColorMode = header.components === 1 ? 'gray' : 'color';
  // Orientations 5..8 turn the image a quarter: width, height and resolutions swap.
  const swap = orientation >= 5;
  const dpi = dpiOf(m, res, swap);
  const { data, info } = await input(bytes)
    .autoOrient()
    .toColourspace(mode === 'gray' ? 'b-w' : 'srgb')
    .withDensity(dpi.xdpi)
    .jpeg({ quality: 95 })
    .toBuffer({ resolveWithObject: true });
  return { format: 'jpeg', bytes: data, width: info.width, height: info.height, ...dpi, mode, bitDepth: 8 };
}

/** A JPEG stored byte for byte once it proves whole and PDF-compatible (its header already read). */
export async function storeJpegAsIs(bytes: Buffer, xdpi: number, ydpi: number): Promise<StoredImage> {
  const header = checkedJpegHeader(bytes);
  if (!isPdfCompatibleJpeg(header)) throw invalidImage('jpeg', `frame type 0x${header.sof.toString(16)} with ${header.precision}-bit samples cannot be stored as it is`);
  const { image, decode } = asIsPage(bytes, header, xdpi, ydpi);
  await decode();
  return image;
}

async function decodePng(bytes: Buffer, m: Metadata, res: Resolution): Promise<StoredImage> {
  const { xdpi, ydpi } = dpiOf(m, res);
  if (m.hasAlpha) return toPng(input(bytes), m, xdpi, ydpi);
  let chunks;
  try {
    chunks = readPngChunks(bytes);
  } catch (err) {
    throw invalidImage('png', (err as Error).message);
  }
  await drain(input(bytes));
  const { header, palette } = chunks;
  const greyPalette = (p: Buffer) => {
    for (let i = 0; i + 2 < p.length; i += 3) if (p[i] !== p[i + 1] || p[i + 1] !== p[i + 2]) return false;
    return true;
  };
  const grey = header.colorType === 0 || (header.colorType === 3 && palette !== undefined && greyPalette(palette));
  const bw = grey && header.bitDepth === 1;
  return {
    format: 'png',
    bytes,
    width: header.width,
    height: header.height,
    xdpi,
    ydpi,
    mode: bw ? 'bw' : grey ? 'gray' : 'color',
    bitDepth: bw ? 1 : header.bitDepth === 16 ? 16 : 8,
  };
}
