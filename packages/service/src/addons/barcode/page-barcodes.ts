/**
 * Codes read on pages while scanning, per page version, so GetImagesInfo can
 * show them. Kept in memory beside the buffer (the tags `barcode:<format>` are
 * what persists); an edited page (a new version) shows none until read again.
 * No reader code here: the buffer handlers import this at start-up.
 */
import type { BarcodeResult, PageInfo } from '@scanbridge/protocol';
import type { ImageBuffer } from '../../buffer/image-buffer.js';

const registry = new WeakMap<ImageBuffer, Map<string, { version: number; barcodes: BarcodeResult[] }>>();

export function rememberBarcodes(buffer: ImageBuffer, pageId: string, version: number, barcodes: BarcodeResult[]): void {
  let pages = registry.get(buffer);
  if (!pages) registry.set(buffer, (pages = new Map()));
  pages.set(pageId, { version, barcodes });
}

/** The infos, each with the codes read on its current version while scanning, when there are any. */
export function withBarcodes(buffer: ImageBuffer, infos: PageInfo[]): PageInfo[] {
  const pages = registry.get(buffer);
  if (!pages) return infos;
  return infos.map((info) => {
    const read = pages.get(info.id);
    return read && read.version === info.version ? { ...info, barcodes: read.barcodes } : info;
  });
}
