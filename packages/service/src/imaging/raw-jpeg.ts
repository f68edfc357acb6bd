/**
 * A scanner's raw 8-bit pixels straight to JPEG, for a page that goes out as
 * a JPEG as it is (an eSCL client asked for JPEG) or is kept as one (the
 * scan setting storeJpeg): one encoding, not the lossless PNG a buffer page
 * is otherwise and a JPEG made from that.
 */
import { PAGE_JPEG, sharp } from './sharp.js';
import { withDensity } from './density.js';
import type { Pixels } from '../formats/page-kind.js';
import { imageMemory } from '../util/memory-budget.js';

/** As a page saved as JPEG without a quality of its own. */
export const NETWORK_JPEG_QUALITY = 85;

/** The page's pixels are held while they are encoded: their bytes are their claim on the shared image memory. */
export async function encodeRawJpeg(page: Pixels & { xdpi: number; ydpi: number }): Promise<Buffer> {
  return imageMemory.run(page.data.length, () => rawJpeg(page, NETWORK_JPEG_QUALITY));
}

/** As encodeRawJpeg, for a caller that holds the page's claim itself. */
export async function rawJpeg(page: Pixels & { xdpi: number; ydpi: number }, quality: number): Promise<Buffer> {
  const { width, height, channels, data } = page;
  const bytes = await sharp(data, { raw: { width, height, channels } })
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .jpeg({ quality, ...PAGE_JPEG })
    .toBuffer();
  return withDensity(bytes, 'jpeg', page.xdpi, page.ydpi);
}
