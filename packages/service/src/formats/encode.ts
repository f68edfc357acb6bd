/**
 * Pages to files: PDF and TIFF take every page into one file, JPEG, PNG and
 * BMP make one file per page, and ZIP packs one file per page (JPEG, PNG,
 * single-page TIFF or BMP) into one archive. Files are produced as streams of
 * chunks, read page by page from the buffer, so a 500-page PDF never sits in
 * memory.
 * Options are checked against the format and the pages before anything is
 * written, with messages naming the option.
 */
import { ScanbridgeError, ZIP_PAGE_FORMATS } from '@scanbridge/protocol/core';
import type { OcrPage, OutputFormat, SaveOcr, ZipPageFormat } from '@scanbridge/protocol';
import { PAGE_JPEG, sharp } from '../imaging/sharp.js';
import { compressedPng } from '../imaging/raw-png.js';
import type { StoredImage } from '../buffer/types.js';
import { withDensity } from '../imaging/density.js';
import { encodeBmp } from './bmp-encoder.js';
import { bilevelOf, pixelsOf } from './page-pixels.js';
import { imageMemory, pixelBytes } from '../util/memory-budget.js';
import { mapOrdered } from './ordered.js';
import type { PdfCompression } from './pdf/pdf-images.js';
import { writePdf, type PdfMetadata } from './pdf/pdf-writer.js';
import { TIFF_COMPRESSIONS, writeTiff, type TiffCompression } from './tiff-writer.js';
import { writeZip } from './zip-writer.js';

export type { OutputFormat };

export const MIME_TYPES: Record<OutputFormat, string> = { pdf: 'application/pdf', tiff: 'image/tiff', jpeg: 'image/jpeg', png: 'image/png', bmp: 'image/bmp', zip: 'application/zip' };
export const EXTENSIONS: Record<OutputFormat, string> = { pdf: '.pdf', tiff: '.tif', jpeg: '.jpg', png: '.png', bmp: '.bmp', zip: '.zip' };
/** The format each file extension names (several for TIFF and JPEG). */
export const FORMAT_OF_EXTENSION: Readonly<Record<string, OutputFormat>> = { '.pdf': 'pdf', '.tif': 'tiff', '.tiff': 'tiff', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.png': 'png', '.bmp': 'bmp', '.zip': 'zip' };
/** Extensions a wished file name may carry; the service drops them and adds the format's own. */
export const EXTENSION_ALIASES = Object.keys(FORMAT_OF_EXTENSION);
/** Pages of a ZIP encoded at once (sharp works on other threads meanwhile). */
const ZIP_IN_FLIGHT = 3;

const DEFAULT_JPEG_QUALITY = 85;
/** JPEG parts of PDF and TIFF: document-capture products use 75..85. */
const DEFAULT_DOCUMENT_QUALITY = 80;
/** What a PDF page can be written as (none, lzw and deflate are TIFF's). */
const PDF_COMPRESSIONS: readonly TiffCompression[] = ['auto', 'lossless', 'jpeg', 'g4'];

export interface SaveOptions {
  format: OutputFormat;
  /** JPEG quality 1..100: JPEG output, and the JPEG parts of PDF and TIFF. */
  quality?: number | undefined;
  /** JPEG output only. */
  progressive?: boolean | undefined;
  /** PDF and TIFF (also TIFF pages in a ZIP); default auto. */
  compression?: TiffCompression | undefined;
  /** ZIP only, and required there: what each page becomes inside the archive. */
  pageFormat?: ZipPageFormat | undefined;
  /** PDF only. */
  metadata?: PdfMetadata | undefined;
  pdfa?: boolean | undefined;
  password?: string | undefined;
  /** PDF only: searchable, with each page's recognised text under its image (the source gives the text). */
  ocr?: SaveOcr | undefined;
}

/** The encoding options out of a call's params (SaveImages, StartUpload carry the same ones). */
export function saveOptionsOf(params: SaveOptions): SaveOptions {
  const { format, quality, progressive, compression, pageFormat, metadata, pdfa, password, ocr } = params;
  return { format, quality, progressive, compression, pageFormat, metadata, pdfa, password, ocr };
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
  /** The recognised text of page i, for a searchable PDF (see page-recognizer.ts); the signal stops a recognition no longer wanted. */
  text?: ((i: number, signal?: AbortSignal) => Promise<OcrPage>) | undefined;
  /**
   * The encoder is done with page i's bytes (leased pages, see
   * ImageBuffer.leaseImage): called by the PDF writer once the consumer has
   * asked for the chunk after the page's last, so a consumer that leases must
   * be done with a chunk before it asks for the next.
   */
  release?: ((i: number) => void) | undefined;
}

export interface OutputFile {
  /** Position of the file's first page in the selection. */
  first: number;
  pages: number;
  chunks(): AsyncGenerator<Buffer>;
}

const invalid = (message: string, path: string) => new ScanbridgeError('invalid-params', message, { path });

/**
 * Refuses options that do not apply to the format, or that the pages cannot
 * take. In a ZIP the page format's options apply (quality to a ZIP of JPEG).
 */
export function checkSaveOptions(opts: SaveOptions, pages: readonly PageFacts[]): void {
  let format: Exclude<OutputFormat, 'zip'>;
  if (opts.format === 'zip') {
    if (opts.pageFormat === undefined) throw invalid(`params.pageFormat: required with format zip (the format of each page file in the ZIP): one of ${ZIP_PAGE_FORMATS.join(', ')}`, 'params.pageFormat');
    if (!ZIP_PAGE_FORMATS.includes(opts.pageFormat)) {
      throw invalid(`params.pageFormat: a ZIP holds one file per page, as ${ZIP_PAGE_FORMATS.join(', ')}; got ${JSON.stringify(opts.pageFormat)} (for one PDF or multi-page TIFF, use that format instead of zip)`, 'params.pageFormat');
    }
    format = opts.pageFormat;
  } else {
    if (opts.pageFormat !== undefined) throw invalid(`params.pageFormat applies to zip output (the format of each page in the ZIP), not ${opts.format}`, 'params.pageFormat');
    format = opts.format;
  }
  const what = opts.format === 'zip' ? `a ZIP of ${format}` : format;
  const only = (name: keyof SaveOptions, formats: OutputFormat[]) => {
    if (opts[name] !== undefined && !formats.includes(format)) {
      throw invalid(`params.${name} applies to ${formats.join(' and ')} output, not ${what}`, `params.${name}`);
    }
  };
  only('quality', ['jpeg', 'tiff', 'pdf']);
  only('progressive', ['jpeg']);
  only('compression', ['tiff', 'pdf']);
  only('metadata', ['pdf']);
  only('pdfa', ['pdf']);
  only('password', ['pdf']);
  only('ocr', ['pdf']);
  if (opts.pdfa && opts.password !== undefined) throw invalid('params.pdfa and params.password exclude each other: PDF/A forbids encryption', 'params.password');
  if (opts.compression !== undefined && !TIFF_COMPRESSIONS.includes(opts.compression)) {
    throw invalid(`params.compression: expected one of ${TIFF_COMPRESSIONS.join(', ')}, got ${JSON.stringify(opts.compression)}`, 'params.compression');
  }
  if (format === 'pdf' && opts.compression !== undefined && !PDF_COMPRESSIONS.includes(opts.compression)) {
    throw invalid(`params.compression: a PDF page is compressed as ${PDF_COMPRESSIONS.join(', ')}; ${opts.compression} is for TIFF (lossless is PDF's lossless choice)`, 'params.compression');
  }
  if (opts.compression === 'g4') {
    // Refused rather than thresholded: G4 of a photo is unreadable, and auto already turns pages measured black and white into G4.
    const deep = pages.find((p) => p.bitDepth !== 1);
    const others = format === 'pdf' ? 'auto, jpeg or lossless' : 'auto, lzw, deflate or jpeg';
    if (deep) throw invalid(`params.compression g4 needs black-and-white (1-bit) pages; page ${deep.index} (${deep.id}) is ${deep.mode} ${deep.bitDepth}-bit: convert it (ConvertImagesToBW) or use ${others}`, 'params.compression');
  }
  // TIFF's lossless re-encodes pages stored as JPEG, at the quality; PDF's passes them through.
  const withQuality = format === 'pdf' ? ['jpeg', 'auto'] : ['jpeg', 'auto', 'lossless'];
  if (opts.quality !== undefined && (format === 'tiff' || format === 'pdf') && opts.compression !== undefined && !withQuality.includes(opts.compression)) {
    throw invalid(`params.quality applies to ${format === 'pdf' ? 'PDF' : 'TIFF'} with compression ${withQuality.join(' or ')}, not ${opts.compression}`, 'params.quality');
  }
  if (pages.length === 0) throw invalid('there are no pages to save', 'params.pages');
}

const tiffOptions = (opts: SaveOptions) => ({ compression: opts.compression ?? 'auto', quality: opts.quality ?? DEFAULT_DOCUMENT_QUALITY });

async function* single(page: StoredImage): AsyncGenerator<StoredImage> {
  yield page;
}

/**
 * One page as one file: JPEG, PNG, BMP, or (in a ZIP) a single-page TIFF.
 * Claims the decoded pixels and their encoding on the shared image memory.
 */
function encodeSingle(page: StoredImage, opts: SaveOptions, format: ZipPageFormat): Promise<Buffer> {
  return imageMemory.run(2 * pixelBytes(page), () => encodeSingleNow(page, opts, format));
}

async function encodeSingleNow(page: StoredImage, opts: SaveOptions, format: ZipPageFormat): Promise<Buffer> {
  const { xdpi, ydpi } = page;
  if (format === 'tiff') {
    const parts: Buffer[] = [];
    for await (const part of writeTiff(single(page), 1, tiffOptions(opts))) parts.push(part);
    return Buffer.concat(parts);
  }
  const decode = () => sharp(page.bytes, { limitInputPixels: false }).flatten({ background: '#ffffff' }).toColourspace(page.mode === 'color' ? 'srgb' : 'b-w');
  if (format === 'jpeg') {
    // A JPEG page is already a JPEG: unless asked for another quality or progressive, it is not encoded again.
    if (page.format === 'jpeg' && opts.quality === undefined && opts.progressive === undefined) return withDensity(page.bytes, 'jpeg', xdpi, ydpi);
    const jpeg = await decode().jpeg({ quality: opts.quality ?? DEFAULT_JPEG_QUALITY, progressive: opts.progressive ?? false, ...PAGE_JPEG }).toBuffer();
    return withDensity(jpeg, 'jpeg', xdpi, ydpi);
  }
  if (format === 'png') {
    if (page.format === 'png') return withDensity(await compressedPng(page.bytes), 'png', xdpi, ydpi);
    return withDensity(await decode().png({ compressionLevel: 6 }).toBuffer(), 'png', xdpi, ydpi);
  }
  if (page.bitDepth === 1) return encodeBmp({ kind: 'bilevel', image: await bilevelOf(page) }, xdpi, ydpi);
  const { data, width, height, channels } = await pixelsOf(page);
  return encodeBmp({ kind: 'raw', data, width, height, channels }, xdpi, ydpi);
}

async function* pagesOf(source: PageSource): AsyncGenerator<StoredImage> {
  for (let i = 0; i < source.count; i++) yield await source.get(i);
}

/** The name of file `i` of `count` (one file per page, or page files in a ZIP): base.ext alone, else base-1.ext, base-2.ext... */
export function pageFileName(base: string, count: number, i: number, ext: string): string {
  return count === 1 ? `${base}${ext}` : `${base}-${i + 1}${ext}`;
}

/**
 * The files the pages make in this format (call checkSaveOptions first).
 * `base` names the page files inside a ZIP, as SaveImages would name them.
 */
export function outputFiles(source: PageSource, opts: SaveOptions, base = 'page'): OutputFile[] {
  const { format } = opts;
  if (format === 'pdf') {
    const { text } = source;
    if (opts.ocr && !text) throw new Error('a searchable PDF needs the pages\' text (withText)');
    const pdf = { metadata: opts.metadata, pdfa: opts.pdfa, password: opts.password, compression: opts.compression as PdfCompression | undefined, quality: opts.quality, text: opts.ocr && text ? (_: StoredImage, i: number) => text(i) : undefined, done: source.release };
    return [{ first: 0, pages: source.count, chunks: () => writePdf(pagesOf(source), pdf) }];
  }
  if (format === 'tiff') {
    return [{ first: 0, pages: source.count, chunks: () => writeTiff(pagesOf(source), source.count, tiffOptions(opts)) }];
  }
  if (format === 'zip') {
    const inner = opts.pageFormat;
    if (inner === undefined) throw new Error('format zip needs a pageFormat (checkSaveOptions refuses it without)');
    const mtime = new Date();
    const entries = () =>
      mapOrdered(pagesOf(source), ZIP_IN_FLIGHT, async (page, i) => ({ name: pageFileName(base, source.count, i, EXTENSIONS[inner]), data: await encodeSingle(page, opts, inner) }));
    return [{ first: 0, pages: source.count, chunks: () => writeZip(entries(), mtime) }];
  }
  return Array.from({ length: source.count }, (_, i) => ({
    first: i,
    pages: 1,
    async *chunks() {
      yield await encodeSingle(await source.get(i), opts, format);
    },
  }));
}
