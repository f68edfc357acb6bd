/**
 * Decoded pixels to what the buffer stores: line-art as a 1-bit PNG, grey and
 * colour as lossless PNG. A loaded file is the user's original, so only
 * JPEG stays lossy (and stays as it was sent whenever it can).
 */
import { sharp } from '../imaging/sharp.js';
import type { StoredImage } from '../buffer/types.js';
import type { Bilevel } from './bilevel.js';
import { bilevelPng } from './bilevel-pool.js';

/**
 * The rows are handed to a line-art thread: the caller must not use them
 * after. A page that deflates well is coded as G4 on that thread as well,
 * after its PNG (bilevel-pool.ts): a loaded line-art page is there to be
 * saved, as a G4 TIFF or PDF often.
 */
export async function storeBilevel(b: Bilevel, xdpi: number, ydpi: number): Promise<StoredImage> {
  const { width, height } = b;
  return { format: 'png', bytes: await bilevelPng(b, xdpi, ydpi, true), width, height, xdpi, ydpi, mode: 'bw', bitDepth: 1 };
}

/** Interleaved 8-bit samples, 1 (grey) or 3 (RGB) per pixel. */
export async function storePixels(data: Buffer, width: number, height: number, channels: 1 | 3, xdpi: number, ydpi: number): Promise<StoredImage> {
  const bytes = await sharp(data, { raw: { width, height, channels }, limitInputPixels: false })
    .withDensity(xdpi)
    .png({ compressionLevel: 6 })
    .toBuffer();
  return { format: 'png', bytes, width, height, xdpi, ydpi, mode: channels === 1 ? 'gray' : 'color', bitDepth: 8 };
}
