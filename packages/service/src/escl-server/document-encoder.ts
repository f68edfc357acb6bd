/**
 * One scanned page as the document an eSCL client asked for: PNG and JPEG as
 * the buffer would store and save them (a JPEG from the device is passed on
 * as it came, and so is the JPEG the SANE worker encodes when the client
 * asked for JPEG), PDF as a one-page PDF. Nothing is kept after it is sent.
 * A compressed PNG page (what the SANE worker encodes for the network) goes
 * out as it came, its density written on the way: the pieces are slices of
 * the page, so a page is not copied once more here (a noisy A4 page is
 * megabytes).
 */
import type { AcquiredPage, RawPage } from '../devices/driver.js';
import { pngWithDensityParts } from '../imaging/density.js';
import { encodeRawJpeg } from '../imaging/raw-jpeg.js';
import { isUncompressedPng } from '../formats/png-chunks.js';
import { ingestPage } from '../imaging/ingest.js';
import { outputFiles } from '../formats/encode.js';
import type { ServedFormat } from './escl-mapping.js';

export interface EsclDocument {
  mime: ServedFormat;
  /** The document's bytes in order (written out as they are: Content-Length is their total). */
  parts: Buffer[];
  size: number;
  width: number;
  height: number;
  bytesPerLine: number;
}

const FORMAT_OF: Record<ServedFormat, 'jpeg' | 'png' | 'pdf'> = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'application/pdf': 'pdf' };

/** Raw 8-bit scanner pixels straight to JPEG (not through the lossless PNG a buffer page would be first). */
async function rawJpeg(page: RawPage): Promise<EsclDocument> {
  const jpeg = await encodeRawJpeg(page);
  return { mime: 'image/jpeg', parts: [jpeg], size: jpeg.length, width: page.width, height: page.height, bytesPerLine: page.width * page.channels };
}

export async function encodeDocument(page: AcquiredPage, mime: ServedFormat): Promise<EsclDocument> {
  if (mime === 'image/jpeg' && page.kind === 'raw' && page.bitDepth === 8) return rawJpeg(page);
  const stored = await ingestPage(page, { network: true });
  const channels = stored.mode === 'color' ? 3 : 1;
  const bytesPerLine = stored.bitDepth === 1 ? Math.ceil(stored.width / 8) : stored.width * channels * (stored.bitDepth > 8 ? 2 : 1);
  const facts = { mime, width: stored.width, height: stored.height, bytesPerLine };
  // As the PNG file of a save (formats/encode.ts) makes it from a compressed PNG page, without joining the pieces.
  if (mime === 'image/png' && stored.format === 'png' && !isUncompressedPng(stored.bytes)) {
    const parts = pngWithDensityParts(stored.bytes, stored.xdpi, stored.ydpi);
    return { ...facts, parts, size: parts.reduce((n, p) => n + p.length, 0) };
  }
  const [file] = outputFiles({ count: 1, get: async () => stored }, { format: FORMAT_OF[mime] });
  const parts: Buffer[] = [];
  for await (const part of file!.chunks()) parts.push(part);
  return { ...facts, parts, size: parts.reduce((n, p) => n + p.length, 0) };
}
