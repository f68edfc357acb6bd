/**
 * The page as analyses see it: 8-bit grey at a working resolution. Blank and
 * skew detection look at shapes of a millimetre or more, so 150 dpi holds
 * everything they need, and a 600 dpi page costs no more than a 150 dpi one.
 */
import type { StoredImage } from '../../buffer/types.js';
import { decode } from '../raster.js';

export interface WorkingGrey {
  width: number;
  height: number;
  data: Uint8Array;
  /** Resolution of the working image (pixels per inch) in each direction. */
  xdpi: number;
  ydpi: number;
}

export async function workingGrey(image: StoredImage, dpi: number): Promise<WorkingGrey> {
  const sx = Math.min(1, dpi / image.xdpi);
  const sy = Math.min(1, dpi / image.ydpi);
  const width = Math.max(1, Math.round(image.width * sx));
  const height = Math.max(1, Math.round(image.height * sy));
  const size = width === image.width && height === image.height ? undefined : { width, height };
  const r = await decode(image, { grey: true, depth: 8, ...(size ? { size } : {}) });
  return { width: r.width, height: r.height, data: r.data as Uint8Array, xdpi: (image.xdpi * r.width) / image.width, ydpi: (image.ydpi * r.height) / image.height };
}
