/** Saving pages as files the browser downloads. */
import type { ScanbridgeClient } from '@scanbridge/client';

export const SAVE_FORMATS = ['pdf', 'tiff', 'jpeg'] as const;
export type SaveFormat = (typeof SAVE_FORMATS)[number];

export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  link.click();
  // The download has started by the time the next task runs; the URL is not needed after that.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export const COMPRESSIONS = ['auto', 'jpeg', 'lossless'] as const;
export type DemoCompression = (typeof COMPRESSIONS)[number];

/** How PDF and TIFF pages are compressed: `auto` unless the page asks otherwise. */
export interface Compression {
  compression: DemoCompression;
  /** JPEG quality 1..100 of the JPEG parts; lossless has none. */
  quality: number;
}

/** The options a PDF or TIFF takes for the chosen compression (lossless takes no quality). */
export function compressionOptions(c: Compression): { compression: DemoCompression; quality?: number } {
  return c.compression === 'lossless' ? { compression: c.compression } : { compression: c.compression, quality: c.quality };
}

/** `ocr` of a searchable PDF from the languages field (deu+eng), or nothing when not asked for. */
export function ocrOption(searchable: boolean, languages: string): { ocr?: { languages: string[] } } {
  const list = languages.split(/[+,\s]+/).filter(Boolean);
  return searchable ? { ocr: { languages: list.length ? list : ['eng'] } } : {};
}

/** PDF and TIFF hold every page in one file; JPEG makes one file per page. A PDF may be searchable (`ocr`). */
export async function saveAs(client: ScanbridgeClient, format: SaveFormat, pages: string[], c: Compression, ocr: { ocr?: { languages: string[] } } = {}): Promise<void> {
  if (pages.length === 0) return;
  const options = format === 'jpeg' ? { quality: c.quality } : compressionOptions(c);
  for (const file of await client.save({ format, pages, ...options, ...(format === 'pdf' ? ocr : {}) })) download(file.blob, file.name);
}
