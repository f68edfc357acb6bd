/**
 * Reads the barcodes of one page image: its grey pixels (the region asked
 * for, cut out by sharp) go to the pool, with a time limit in two parts that
 * run side by side, 2D codes and linear codes, so that a page that runs out
 * of time still answers the part that finished.
 */
import { BARCODE_FORMATS, type BarcodeFormat, type BarcodeRegion, type BarcodeResult } from '@scanbridge/protocol';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import { sharp } from '../../imaging/sharp.js';
import { MATRIX_FORMATS, TO_ZXING, fromZxing } from './formats.js';
import type { BarcodePool } from './worker-pool.js';
import type { RawCode } from './worker-protocol.js';

export interface ReadOptions {
  formats?: BarcodeFormat[] | undefined;
  region?: BarcodeRegion | undefined;
  maxSymbols: number;
  tryHarder: boolean;
  tryRotate: boolean;
  tryInvert: boolean;
  /** Milliseconds; 0 for no limit. */
  timeout: number;
}

export interface PixelArea {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The region in pixels of a page of this size, or invalid-params when it is not inside the page. */
export function regionPixels(region: BarcodeRegion | undefined, width: number, height: number, pageLabel: string): PixelArea {
  if (!region) return { left: 0, top: 0, width, height };
  const percent = region.unit === 'percent';
  const sx = percent ? width / 100 : 1;
  const sy = percent ? height / 100 : 1;
  const left = Math.round(region.x * sx);
  const top = Math.round(region.y * sy);
  const right = Math.round((region.x + region.width) * sx);
  const bottom = Math.round((region.y + region.height) * sy);
  const limit = percent ? 'x + width and y + height at most 100 (percent)' : `x + width at most ${width} and y + height at most ${height} (pixels)`;
  if (right > width || bottom > height) {
    throw new ScanbridgeError('invalid-params', `params.region: reaches outside ${pageLabel}, which is ${width} x ${height} pixels; allowed: ${limit}`, { path: 'region', width, height });
  }
  if (right - left < 1 || bottom - top < 1) throw new ScanbridgeError('invalid-params', `params.region: covers no whole pixel of ${pageLabel}`, { path: 'region' });
  return { left, top, width: right - left, height: bottom - top };
}

/** 8-bit grey pixels of an encoded image (PNG, JPEG...), cut to `area`. */
export async function greyPixels(bytes: Uint8Array, area?: PixelArea): Promise<{ grey: Uint8Array; width: number; height: number }> {
  let s = sharp(bytes, { limitInputPixels: false }).removeAlpha().greyscale();
  if (area) s = s.extract(area);
  const { data, info } = await s.toColourspace('b-w').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error(`expected grey pixels, got ${info.channels} channels`);
  return { grey: data, width: info.width, height: info.height };
}

const isUtf8 = (bytes: Uint8Array): boolean => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
};

/**
 * UPC codes as printed: ZXing answers them as 13-digit GTINs. An EAN-13 that
 * starts with 0 is a UPC-A (by the standard), reported so when UPC-A is asked
 * for; a UPC-E keeps its 8 digits (ZXing gives them in `extra`).
 */
function upcText(code: RawCode, format: BarcodeFormat, wanted: ReadonlySet<BarcodeFormat>): { format: BarcodeFormat; text: string } {
  const gtin13 = /^0\d{12}$/.test(code.text);
  if (format === 'UPCA' && gtin13) return { format, text: code.text.slice(1) };
  if (format === 'EAN13' && gtin13 && wanted.has('UPCA')) return { format: 'UPCA', text: code.text.slice(1) };
  if (format === 'UPCE') {
    try {
      const upce = (JSON.parse(code.extra || '{}') as { UPCE?: unknown }).UPCE;
      if (typeof upce === 'string' && /^\d{8}$/.test(upce)) return { format, text: upce };
    } catch {
      // no extra facts: keep ZXing's text
    }
  }
  return { format, text: code.text };
}

function toResult(code: RawCode, format: BarcodeFormat, wanted: ReadonlySet<BarcodeFormat>, pageId: string, dx: number, dy: number): BarcodeResult {
  const at = (p: { x: number; y: number }) => ({ x: p.x + dx, y: p.y + dy });
  const named = upcText(code, format, wanted);
  // The bytes of a UPC follow its printed text; any other code's are ZXing's.
  const bytes = named.text === code.text ? Buffer.from(code.bytes.buffer, code.bytes.byteOffset, code.bytes.byteLength) : Buffer.from(named.text, 'latin1');
  return {
    format: named.format,
    text: named.text,
    bytes: bytes.toString('base64'),
    contentType: code.contentType as BarcodeResult['contentType'],
    hasECI: code.hasECI,
    utf8: isUtf8(bytes),
    position: { topLeft: at(code.position.topLeft), topRight: at(code.position.topRight), bottomRight: at(code.position.bottomRight), bottomLeft: at(code.position.bottomLeft) },
    orientation: code.orientation,
    pageId,
  };
}

export interface PageRead {
  barcodes: BarcodeResult[];
  timedOut: boolean;
}

/**
 * Reads grey pixels (of `area` of the page) with the pool; positions come back in page pixels.
 * `dpi` is the pixels' resolution: patch codes are measured in inches, so without it they are not looked for.
 */
export async function readPixels(
  pool: BarcodePool,
  pixels: { grey: Uint8Array; width: number; height: number },
  area: PixelArea,
  options: ReadOptions,
  pageId: string,
  dpi?: { xdpi: number; ydpi: number },
): Promise<PageRead> {
  const wanted = new Set<BarcodeFormat>(options.formats ?? BARCODE_FORMATS);
  // With a time limit, 2D and linear codes are read apart, so a page cut short keeps the part that finished;
  // without one, a single pass binarises the page once (about a fifth less work).
  const all = [...wanted];
  const groups = options.timeout > 0 ? [all.filter((f) => MATRIX_FORMATS.has(f)), all.filter((f) => !MATRIX_FORMATS.has(f))].filter((g) => g.length > 0) : [all];
  const signal = options.timeout > 0 ? AbortSignal.timeout(options.timeout) : undefined;
  const settled = await Promise.allSettled(
    groups.map((group) =>
      pool.run(
        {
          ...pixels,
          patch: group.includes('PatchCode') && dpi ? dpi : undefined,
          options: {
            formats: group.flatMap((f) => TO_ZXING[f]),
            tryHarder: options.tryHarder,
            tryRotate: options.tryRotate,
            tryInvert: options.tryInvert,
            maxNumberOfSymbols: options.maxSymbols,
          },
        },
        signal,
      ),
    ),
  );
  let timedOut = false;
  const barcodes: BarcodeResult[] = [];
  for (const outcome of settled) {
    if (outcome.status === 'rejected') {
      if (signal?.aborted) {
        timedOut = true;
        continue;
      }
      throw outcome.reason;
    }
    for (const code of outcome.value) {
      const format = fromZxing(code.format);
      if (format && wanted.has(format)) barcodes.push(toResult(code, format, wanted, pageId, area.left, area.top));
    }
  }
  // Reading order: top to bottom, then left to right.
  barcodes.sort((a, b) => a.position.topLeft.y - b.position.topLeft.y || a.position.topLeft.x - b.position.topLeft.x);
  return { barcodes: barcodes.slice(0, options.maxSymbols), timedOut };
}
