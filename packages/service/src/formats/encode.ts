/**
 * Pages to files: PDF and TIFF take every page into one file, JPEG, PNG and
 * BMP make one file per page. Files are produced as streams of chunks, read
 * page by page from the buffer, so a 500-page PDF never sits in memory.
 * Options are checked against the format and the pages before anything is
 * written, with messages naming the option.
 */
import { ScanbridgeError, type OutputFormat } from '@scanbridge/protocol';
import sharp from 'sharp';
import type { StoredImage } from '../buffer/types.js';
import { withDensity } from '../imaging/density.js';
import { encodeBmp } from './bmp-encoder.js';
import { bilevelOf, pixelsOf } from './page-pixels.js';
import { writePdf, type PdfMetadata } from './pdf/pdf-writer.js';
import { TIFF_COMPRESSIONS, writeTiff, type TiffCompression } from './tiff-writer.js';

export type { OutputFormat };

export const MIME_TYPES: Record<OutputFormat, string> = { pdf: 'application/pdf', tiff: 'image/tiff', jpeg: 'image/jpeg', png: 'image/png', bmp: 'image/bmp' };
export const EXTENSIONS: Record<OutputFormat, string> = { pdf: '.pdf', tiff: '.tif', jpeg: '.jpg', png: '.png', bmp: '.bmp' };

const DEFAULT_JPEG_QUALITY = 85;

export interface SaveOptions {
  format: OutputFormat;
  /** JPEG quality 1..100: JPEG output, and JPEG compression in TIFF. */
  quality?: number | undefined;
  /** JPEG output only. */
  progressive?: boolean | undefined;
  /** TIFF only; default auto. */
  compression?: TiffCompression | undefined;
  /** PDF only. */
  metadata?: PdfMetadata | undefined;
  pdfa?: boolean | undefined;
  password?: string | undefined;
}

/** The encoding options out of a call's params (SaveImages, StartUpload carry the same ones). */
export function saveOptionsOf(params: SaveOptions): SaveOptions {
  const { format, quality, progressive, compression, metadata, pdfa, password } = params;
  return { format, quality, progressive, compression, metadata, pdfa, password };
}

/** What is known of a page before it is read: enough to check options. */
export interface PageFacts {
  id: string;
  index: number;
  format: 'png' | 'jpeg';
  bitDepth: number;
  mode: string;
}

/** Where the pages come from: read one at a time, in order. */
export interface PageSource {
  readonly count: number;
  get(i: number): Promise<StoredImage>;
}

export interface OutputFile {
  /** Position of the file's first page in the selection. */
  first: number;
  pages: number;
  chunks(): AsyncGenerator<Buffer>;
}

const invalid = (message: string, path: string) => new ScanbridgeError('invalid-params', message, { path });

/** Refuses options that do not apply to the format, or that the pages cannot take. */
export function checkSaveOptions(opts: SaveOptions, pages: readonly PageFacts[]): void {
  const { format } = opts;
  const only = (name: keyof SaveOptions, formats: OutputFormat[]) => {
    if (opts[name] !== undefined && !formats.includes(format)) {
      throw invalid(`params.${name} applies to ${formats.join(' and ')} output, not ${format}`, `params.${name}`);
    }
  };
  only('quality', ['jpeg', 'tiff']);
  only('progressive', ['jpeg']);
  only('compression', ['tiff']);
  only('metadata', ['pdf']);
  only('pdfa', ['pdf']);
  only('password', ['pdf']);
  if (opts.pdfa && opts.password !== undefined) throw invalid('params.pdfa and params.password exclude each other: PDF/A forbids encryption', 'params.password');
  if (opts.compression !== undefined && !TIFF_COMPRESSIONS.includes(opts.compression)) {
    throw invalid(`params.compression: expected one of ${TIFF_COMPRESSIONS.join(', ')}, got ${JSON.stringify(opts.compression)}`, 'params.compression');
  }
  if (opts.compression === 'g4') {
    const deep = pages.find((p) => p.bitDepth !== 1);
    if (deep) throw invalid(`params.compression g4 needs black-and-white (1-bit) pages; page ${deep.index} (${deep.id}) is ${deep.mode} ${deep.bitDepth}-bit: use auto, lzw, deflate or jpeg`, 'params.compression');
  }
  if (opts.quality !== undefined && format === 'tiff' && opts.compression !== undefined && opts.compression !== 'jpeg' && opts.compression !== 'auto') {
    throw invalid(`params.quality applies to TIFF with compression jpeg or auto, not ${opts.compression}`, 'params.quality');
  }
  if (pages.length === 0) throw invalid('there are no pages to save', 'params.pages');
}

async function encodeSingle(page: StoredImage, opts: SaveOptions): Promise<Buffer> {
  const { xdpi, ydpi } = page;
  const decode = () => sharp(page.bytes, { limitInputPixels: false }).flatten({ background: '#ffffff' }).toColourspace(page.mode === 'color' ? 'srgb' : 'b-w');
  if (opts.format === 'jpeg') {
    // A JPEG page is already a JPEG: unless asked for another quality or progressive, it is not encoded again.
    if (page.format === 'jpeg' && opts.quality === undefined && opts.progressive === undefined) return withDensity(page.bytes, 'jpeg', xdpi, ydpi);
    const jpeg = await decode().jpeg({ quality: opts.quality ?? DEFAULT_JPEG_QUALITY, progressive: opts.progressive ?? false }).toBuffer();
    return withDensity(jpeg, 'jpeg', xdpi, ydpi);
  }
  if (opts.format === 'png') {
    if (page.format === 'png') return withDensity(page.bytes, 'png', xdpi, ydpi);
    return withDensity(await decode().png({ compressionLevel: 6 }).toBuffer(), 'png', xdpi, ydpi);
  }
  if (page.bitDepth === 1) return encodeBmp({ kind: 'bilevel', image: await bilevelOf(page) }, xdpi, ydpi);
  const { data, width, height, channels } = await pixelsOf(page);
  return encodeBmp({ kind: 'raw', data, width, height, channels }, xdpi, ydpi);
}

async function* pagesOf(source: PageSource): AsyncGenerator<StoredImage> {
  for (let i = 0; i < source.count; i++) yield await source.get(i);
}

/** The files the pages make in this format (call checkSaveOptions first). */
export function outputFiles(source: PageSource, opts: SaveOptions): OutputFile[] {
  if (opts.format === 'pdf') {
    return [{ first: 0, pages: source.count, chunks: () => writePdf(pagesOf(source), { metadata: opts.metadata, pdfa: opts.pdfa, password: opts.password }) }];
  }
  if (opts.format === 'tiff') {
    const tiff = { compression: opts.compression ?? 'auto', quality: opts.quality ?? DEFAULT_JPEG_QUALITY };
    return [{ first: 0, pages: source.count, chunks: () => writeTiff(pagesOf(source), source.count, tiff) }];
  }
  return Array.from({ length: source.count }, (_, i) => ({
    first: i,
    pages: 1,
    async *chunks() {
      yield await encodeSingle(await source.get(i), opts);
    },
  }));
}
