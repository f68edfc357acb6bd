/** Tells the format of a file from its first bytes, never from a name or a type the page claims. */
import type { InputFormat } from './invalid.js';

export const INPUT_FORMATS: readonly InputFormat[] = ['jpeg', 'png', 'bmp', 'tiff', 'webp', 'pdf'];

export function detectFormat(bytes: Uint8Array): InputFormat | null {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'png';
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return 'bmp';
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 42 && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 42))) return 'tiff';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'webp';
  // PDF readers accept the header anywhere in the first 1024 bytes (some files carry junk before it).
  if (indexOfAscii(b, '%PDF-', 1024) >= 0) return 'pdf';
  return null;
}

function ascii(b: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...b.subarray(start, start + length));
}

function indexOfAscii(b: Uint8Array, text: string, within: number): number {
  return Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, within)).indexOf(text, 0, 'latin1');
}
