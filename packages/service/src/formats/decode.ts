/**
 * Opens a file a page sent (bytes only, never a path): JPEG, PNG, BMP, TIFF,
 * WebP or PDF, told apart by content. Pages come one at a time, so a long
 * document never sits decoded in memory; the caller closes the document
 * when done (or when it stops early).
 */
import type { PendingImage, StoredImage } from '../buffer/types.js';
import { imageMemory } from '../util/memory-budget.js';
import { bmpPixelCount, decodeBmp } from './bmp-decoder.js';
import { detectFormat, INPUT_FORMATS } from './detect.js';
import { FORMAT_NAMES, invalidImage, type InputFormat } from './invalid.js';
import { DEFAULT_DPI, LOAD_LIMITS } from './limits.js';
import { storeBilevel, storePixels } from './page-store.js';
import { openPdf } from './pdf/pdf-loader.js';
import { openRaster } from './raster-decoder.js';

export interface LoadOptions {
  /** What the caller says the file is; 'auto' (default) goes by content alone. */
  format?: InputFormat | 'auto' | undefined;
  /** Resolution at which PDF pages are rendered. */
  dpi?: number | undefined;
  /** Password of an encrypted PDF. */
  password?: string | undefined;
  /** Resolution recorded on the pages, overriding the file's (not the PDF rendering resolution). */
  xdpi?: number | undefined;
  ydpi?: number | undefined;
}

export interface LoadedDocument {
  format: InputFormat;
  pageCount: number;
  pages(): AsyncGenerator<StoredImage>;
  /** As pages(), where a page's check may still be running (RasterFile.pagesAhead): for a consumer that awaits `whole`. */
  pagesAhead?(): AsyncGenerator<PendingImage>;
  close(): Promise<void>;
}

const DEFAULT_PDF_DPI = 200;

const formatList = INPUT_FORMATS.map((f) => FORMAT_NAMES[f]).join(', ');

export async function openDocument(bytes: Buffer, opts: LoadOptions = {}): Promise<LoadedDocument> {
  if (bytes.length === 0) throw invalidImage(opts.format && opts.format !== 'auto' ? opts.format : 'unknown', 'the data is empty');
  const detected = detectFormat(bytes);
  if (opts.format && opts.format !== 'auto' && detected !== opts.format) {
    throw invalidImage(opts.format, detected ? `the data is not ${FORMAT_NAMES[opts.format]}: it reads as ${FORMAT_NAMES[detected]}` : `the data is not ${FORMAT_NAMES[opts.format]} (its first bytes are ${bytes.subarray(0, 8).toString('hex')})`);
  }
  if (!detected) throw invalidImage('unknown', `unknown format (the first bytes are ${bytes.subarray(0, 8).toString('hex')}); supported: ${formatList}`);
  const res = { xdpi: opts.xdpi, ydpi: opts.ydpi ?? opts.xdpi };
  const done = async () => undefined;
  if (detected === 'pdf') {
    const pdf = await openPdf(bytes, { dpi: opts.dpi ?? DEFAULT_PDF_DPI, password: opts.password });
    return {
      format: 'pdf',
      pageCount: pdf.pageCount,
      close: pdf.close,
      async *pages() {
        for await (const page of pdf.pages()) {
          yield res.xdpi ? { ...page, xdpi: res.xdpi, ydpi: res.ydpi ?? res.xdpi } : page;
        }
      },
    };
  }
  if (detected === 'bmp') {
    // Decoded whole, in JavaScript: claims its pixels (RGB at most) and their PNG on the shared image memory.
    const claim = Math.min(bmpPixelCount(bytes), LOAD_LIMITS.pixels) * 3 * 2;
    return {
      format: 'bmp',
      pageCount: 1,
      close: done,
      async *pages() {
        yield await imageMemory.run(claim, async () => {
          const bmp = decodeBmp(bytes);
          const xdpi = res.xdpi ?? bmp.xdpi ?? DEFAULT_DPI;
          const ydpi = res.ydpi ?? bmp.ydpi ?? xdpi;
          return bmp.bilevel ? storeBilevel(bmp.bilevel, xdpi, ydpi) : storePixels(bmp.pixels, bmp.width, bmp.height, bmp.channels, xdpi, ydpi);
        });
      },
    };
  }
  const raster = await openRaster(detected, bytes, res);
  return { format: detected, pageCount: raster.pageCount, close: done, pages: () => raster.pages(), pagesAhead: () => raster.pagesAhead() };
}
