/**
 * Reading barcodes on pages of the buffer.
 *
 * `ReadBarcodes` names its pages as the imaging methods do (`pages: [index or
 * id, ...]` or `selected: true`) and answers one entry per page, in the order
 * named, with every code found. Results are kept per page version: reading an
 * unchanged page again with the same options costs nothing; an edited page
 * (its `version` went up) is read again.
 *
 * Positions are the four corners of each code in pixels of the whole page as
 * it is now (also when a `region` was given). `orientation` is the degrees the
 * code is turned clockwise on the page. `timeout` bounds the work per page: a
 * page that runs out of time answers the codes found so far with
 * `timedOut: true`.
 */
import { z } from 'zod';
import { PageRef } from '../models.js';
import type { MethodSpec } from './spec.js';

/** The symbologies the service reads; a result's `format` is one of these. */
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
  'PDF417',
  'QRCode',
  'RMQRCode',
  'UPCA',
  'UPCE',
]);
export type BarcodeFormat = z.infer<typeof BarcodeFormat>;
export const BARCODE_FORMATS = BarcodeFormat.options;

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
  /** Milliseconds per page; 0 for no limit. */
  timeout: z.number().int().min(0).max(600_000).default(30_000),
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

export const PageBarcodes = z.object({
  page: z.string(),
  index: z.number().int(),
  version: z.number().int(),
  barcodes: z.array(BarcodeResult),
  /** True when `timeout` ran out before the page was searched for every format asked. */
  timedOut: z.boolean(),
});
export type PageBarcodes = z.infer<typeof PageBarcodes>;

export const BARCODE_METHODS = {
  ReadBarcodes: {
    session: true,
    safe: true,
    params: z
      .strictObject({
        pages: z.array(PageRef).min(1).max(10000).optional(),
        selected: z.literal(true).optional(),
        ...barcodeOptions,
      })
      .superRefine((p, ctx) => {
        if ((p.pages === undefined) === (p.selected === undefined)) {
          ctx.addIssue({ code: 'custom', path: ['pages'], message: 'name the pages (pages: [index or id, ...]) or pass selected: true, one of the two' });
        }
      }),
    result: z.tuple([z.array(PageBarcodes)]),
    summary: `Read the barcodes on pages (formats: ${BARCODE_FORMATS.join(', ')}; all by default), optionally in a region (pixels or percent); results are cached per page version.`,
  },
} as const satisfies Record<string, MethodSpec>;
