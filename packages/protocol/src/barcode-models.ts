/**
 * Barcode types shared by ReadBarcodes (methods/barcodes.ts), the `barcodes`
 * scan setting and page info (models.ts); kept apart so neither imports the other.
 */
import { z } from 'zod';

/**
 * The symbologies the service reads; a result's `format` is one of these.
 * `PatchCode` is a Kodak patch code (the bar-pattern separator sheet of
 * document scanners): its `text` is `Patch 1`, `Patch 2`, `Patch 3`,
 * `Patch 4`, `Patch 6` or `Patch T` (PATCH_CODE_TEXTS).
 */
export const BarcodeFormat = z.enum([
  'Aztec',
  'Codabar',
  'Code39',
  'Code93',
  'Code128',
  'DataBar',
  'DataBarExpanded',
  'DataBarLimited',
  'DataMatrix',
  'EAN8',
  'EAN13',
  'ITF',
  'MaxiCode',
  'MicroQRCode',
  'PatchCode',
  'PDF417',
  'QRCode',
  'RMQRCode',
  'UPCA',
  'UPCE',
]);
export type BarcodeFormat = z.infer<typeof BarcodeFormat>;
export const BARCODE_FORMATS = BarcodeFormat.options;

/** The texts a `PatchCode` result can have, one per patch code type. */
export const PATCH_CODE_TEXTS = ['Patch 1', 'Patch 2', 'Patch 3', 'Patch 4', 'Patch 6', 'Patch T'] as const;
export type PatchCodeText = (typeof PATCH_CODE_TEXTS)[number];

/**
 * Part of the page to search: pixels, or percent of the page's width and
 * height (`unit: 'percent'`, 0..100). It must lie inside the page.
 */
export const BarcodeRegion = z.strictObject({
  unit: z.enum(['px', 'percent']).default('px'),
  x: z.number().min(0),
  y: z.number().min(0),
  width: z.number().positive(),
  height: z.number().positive(),
});
export type BarcodeRegion = z.infer<typeof BarcodeRegion>;

/** What to look for; shared by ReadBarcodes and the `barcodes` scan setting. */
export const barcodeOptions = {
  /** Symbologies to look for; all when absent. */
  formats: z.array(BarcodeFormat).min(1).max(BARCODE_FORMATS.length).optional(),
  region: BarcodeRegion.optional(),
  /** Stop after this many codes per page. */
  maxSymbols: z.number().int().min(1).max(255).default(255),
  /** Look harder (more scan lines, smaller codes): slower, reads more. */
  tryHarder: z.boolean().default(true),
  /** Also look for codes turned 90 degrees (linear codes; 2D codes are found at any angle). */
  tryRotate: z.boolean().default(true),
  /** Also look for light codes on a dark background. */
  tryInvert: z.boolean().default(false),
  /** Milliseconds per page; 0 (the default) for no limit. With a limit, 2D and linear codes are read in two parts side by side, so a page cut short answers the part that finished. */
  timeout: z.number().int().min(0).max(600_000).default(0),
};

const Point = z.object({ x: z.number(), y: z.number() });

export const BarcodeResult = z.object({
  format: BarcodeFormat,
  /** The content as text (GS1 codes in their human-readable form with AIs in brackets). */
  text: z.string(),
  /** The content's bytes, base64: use these for binary payloads. */
  bytes: z.string(),
  /** How the bytes became `text`: `Text` (valid UTF-8 or the code's declared encoding), `Binary`, `Mixed`, `GS1`, `ISO15434`, `UnknownECI`. */
  contentType: z.enum(['Text', 'Binary', 'Mixed', 'GS1', 'ISO15434', 'UnknownECI']),
  /** True when the code declares its character set (an ECI); otherwise 2D codes default to ISO-8859-1 or UTF-8 as the standard says. */
  hasECI: z.boolean(),
  /** True when `bytes` are valid UTF-8. */
  utf8: z.boolean(),
  /** Corners in page pixels, clockwise from the code's own top left. */
  position: z.object({ topLeft: Point, topRight: Point, bottomRight: Point, bottomLeft: Point }),
  /** Degrees the code is turned clockwise. */
  orientation: z.number(),
  pageId: z.string(),
});
export type BarcodeResult = z.infer<typeof BarcodeResult>;

