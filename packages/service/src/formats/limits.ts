/**
 * Bounds on what one load may cost, so that a hostile file (a 100000 x 100000
 * PNG header, a PDF claiming a million pages, a page that never finishes
 * rendering) is refused before it takes the memory or the time.
 */
export const LOAD_LIMITS = {
  /** Pages one file may add: a 2000-page scan batch is already unusual. */
  pages: 2000,
  /** Pixels of one page: an A3 sheet at 1200 dpi is 174 MP; 200 MP of RGB is 600 MB decoded. */
  pixels: 200_000_000,
  /** Longest side of a page in pixels (libvips and PDF viewers cope with far less than 2^31). */
  side: 65_000,
  /** Opening a PDF (parsing its structure). */
  pdfOpenMs: 30_000,
  /** Canvas memory of one band of a PDF page being rendered (RGBA); a page is rendered band by band. */
  pdfBandBytes: 16 * 1024 * 1024,
  /** Rendering one PDF page. */
  pdfPageMs: 60_000,
  /** Decoding one raster page (sharp's own timeout, in seconds). */
  decodeSeconds: 60,
} as const;

/** Resolution recorded when a file names none (the PNG/JPEG/TIFF default of 72 dpi would make A4 scans 3 m wide). */
export const DEFAULT_DPI = 72;
