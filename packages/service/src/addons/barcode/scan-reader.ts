/**
 * The `barcodes` scan setting: each page is read as it arrives (in the pool,
 * beside the scan), tagged `barcode:<format>` per format found, and its codes
 * kept for GetImagesInfo. A region is cut to each page rather than refused,
 * so a page of another size never fails a scan.
 */
import type { BarcodeRegion, BarcodeResult, PageInfo, ScanSettings } from '@scanbridge/protocol';
import type { ImageBuffer } from '../../buffer/image-buffer.js';
import { rememberBarcodes } from './page-barcodes.js';
import { readBufferPage } from './read-buffer.js';

type ScanBarcodes = NonNullable<ScanSettings['barcodes']>;

function clipped(region: BarcodeRegion | undefined, info: PageInfo): BarcodeRegion | undefined {
  if (!region) return undefined;
  const [w, h] = region.unit === 'percent' ? [100, 100] : [info.width, info.height];
  const x = Math.min(region.x, w - 1);
  const y = Math.min(region.y, h - 1);
  return { unit: region.unit, x, y, width: Math.min(region.width, w - x), height: Math.min(region.height, h - y) };
}

export async function readScannedPage(buffer: ImageBuffer, info: PageInfo, settings: ScanBarcodes): Promise<BarcodeResult[]> {
  const read = await readBufferPage(buffer, info, {
    formats: settings.formats,
    region: clipped(settings.region, info),
    maxSymbols: 255,
    tryHarder: true,
    tryRotate: true,
    tryInvert: false,
    timeout: 0,
  });
  rememberBarcodes(buffer, info.id, info.version, read.barcodes);
  const tags = [...new Set(read.barcodes.map((b) => `barcode:${b.format}`))];
  if (tags.length > 0) await buffer.setTags([info.id], tags, 'add');
  return read.barcodes;
}
