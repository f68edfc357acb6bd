/**
 * A scanned page's thumbnail, made where the page is encoded (the device
 * worker) from the pixels it already holds, so that the viewer's first
 * thumbnail request needs no decode of the stored page (server/image-renderer.ts
 * serves it, or any smaller box, from this). Same form as a rendered
 * thumbnail: fitted inside the box, never enlarged, JPEG at quality 85.
 */
import { sharp } from './sharp.js';

/**
 * The box previews are made for: the viewer's thumbnails (112 CSS pixels wide,
 * portrait paper) up to a device pixel ratio of 3; a box inside it is
 * rendered from the preview.
 */
export const PREVIEW_BOX = { width: 336, height: 475 };

export interface PagePreview {
  bytes: Buffer;
  width: number;
  height: number;
  /** Size of the page it shows. */
  pageWidth: number;
  pageHeight: number;
}

/** Size of a width x height image fitted inside the box, never enlarged (as sharp's fit 'inside'). */
export function fittedSize(width: number, height: number, box: { width: number; height: number }): { width: number; height: number } {
  const scale = Math.min(1, box.width / width, box.height / height);
  if (scale === 1) return { width, height };
  return box.width / width <= box.height / height
    ? { width: box.width, height: Math.max(1, Math.round(height * scale)) }
    : { width: Math.max(1, Math.round(width * scale)), height: box.height };
}

export async function previewOfPixels(pixels: { width: number; height: number; channels: 1 | 3; data: Buffer }): Promise<PagePreview> {
  const { data, info } = await sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: pixels.channels } })
    .resize({ ...PREVIEW_BOX, fit: 'inside', withoutEnlargement: true })
    .toColourspace(pixels.channels === 1 ? 'b-w' : 'srgb')
    .jpeg({ quality: 85 })
    .toBuffer({ resolveWithObject: true });
  return { bytes: data, width: info.width, height: info.height, pageWidth: pixels.width, pageHeight: pixels.height };
}
