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
import { BarcodeResult, BARCODE_FORMATS, barcodeOptions } from '../barcode-models.js';

export { BarcodeFormat, BARCODE_FORMATS, BarcodeRegion, PATCH_CODE_TEXTS, type PatchCodeText, BarcodeResult, barcodeOptions } from '../barcode-models.js';
import type { MethodSpec } from './spec.js';

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
