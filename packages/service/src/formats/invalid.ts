/**
 * The one way decoders refuse a file: `invalid-image` whose message starts
 * with the format's name and says why ("PNG: 100000x100000 pixels is more
 * than the limit of 200 megapixels"), with both in the details so that a
 * program need not parse the text.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import { LOAD_LIMITS } from './limits.js';

export type InputFormat = 'jpeg' | 'png' | 'bmp' | 'tiff' | 'webp' | 'pdf';

export const FORMAT_NAMES: Record<InputFormat, string> = { jpeg: 'JPEG', png: 'PNG', bmp: 'BMP', tiff: 'TIFF', webp: 'WebP', pdf: 'PDF' };

export function invalidImage(format: InputFormat | 'unknown', reason: string, page?: number): ScanbridgeError {
  const name = format === 'unknown' ? 'Image' : FORMAT_NAMES[format];
  const where = page === undefined ? '' : ` (page ${page + 1})`;
  return new ScanbridgeError('invalid-image', `${name}${where}: ${reason}`, { format, reason, ...(page === undefined ? {} : { page }) });
}

/** Refuses page sizes a decoder must not even try (decompression bombs). */
export function checkPageSize(format: InputFormat, width: number, height: number, page?: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw invalidImage(format, `the image has no valid size (${width}x${height})`, page);
  }
  if (width > LOAD_LIMITS.side || height > LOAD_LIMITS.side || width * height > LOAD_LIMITS.pixels) {
    throw invalidImage(format, `${width}x${height} pixels is more than the limit of ${LOAD_LIMITS.pixels / 1e6} megapixels (and ${LOAD_LIMITS.side} pixels a side) per page`, page);
  }
}

/** A decoder error that is not already ours becomes invalid-image with the library's reason. */
export function asInvalid(format: InputFormat, err: unknown, page?: number): ScanbridgeError {
  if (err instanceof ScanbridgeError) return err;
  const text = err instanceof Error ? err.message : String(err);
  // libvips prefixes messages with its loader name and spreads them over lines.
  const reason = text.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 2).join('; ').slice(0, 300) || 'cannot be decoded';
  return invalidImage(format, reason, page);
}
