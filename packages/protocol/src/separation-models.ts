/**
 * Documents: a batch split into runs of pages (separator sheets, barcodes,
 * patch codes, blank pages). Shared by SplitDocuments and GetDocuments
 * (methods/separation.ts), the `split` scan setting (models.ts), buffer events
 * and the `document` / `eachDocument` options of SaveImages and StartUpload.
 */
import { z } from 'zod';
import { BarcodeFormat, BARCODE_FORMATS, PATCH_CODE_TEXTS } from './barcode-models.js';

/** Longest pattern accepted: it is compiled once and only ever used with RegExp#test. */
export const MAX_SPLIT_PATTERN = 200;

/** A group holding a quantifier or an alternation, itself quantified; or a back-reference. */
const SLOW_PATTERN = /\((?:\?(?:[:=!]|<[=!]|<\w+>)|(?!\?))(?:[^()\\]|\\.)*(?:[+*?}|])(?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,\d*\})|\\[1-9]|\\k</;

const pattern = z
  .string()
  .min(1)
  .max(MAX_SPLIT_PATTERN)
  .superRefine((p, ctx) => {
    try {
      new RegExp(p, 'u');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `not a regular expression (JavaScript syntax, flag u): ${(err as Error).message}` });
      return;
    }
    // The service tests codes on its main thread: shapes that can backtrack exponentially are refused.
    if (SLOW_PATTERN.test(p)) ctx.addIssue({ code: 'custom', message: 'a repeated group that itself repeats (as (a+)+ or (a|aa)*) or a back-reference (\\1) can take exponential time; write the pattern without it' });
  });

/**
 * What starts a new document:
 *  - `barcode`: a separator sheet is a page with a code (of `formats`, default every format but
 *    PatchCode) whose text matches `pattern` (any code when absent); that code names the document;
 *  - `patch`: a page with a patch code of `patchCodes` (default all six);
 *  - `blank`: a blank page (as DetectBlankImages tells it, with its defaults);
 *  - `barcodeChange`: a page whose first code (of `formats`, matching `pattern`) differs from the
 *    current document's; pages without such a code stay in the current document.
 * `dropSeparator` removes separator sheets from the buffer (barcode, patch, blank); kept, a
 * separator is the first page of the document it starts. Documents split on patch codes and
 * blank pages are named by the first code (of `formats`, matching `pattern`) on their first page.
 */
export const SplitRule = z.strictObject({
  on: z.enum(['barcode', 'patch', 'blank', 'barcodeChange']),
  formats: z.array(BarcodeFormat).min(1).max(BARCODE_FORMATS.length).optional(),
  pattern: pattern.optional(),
  patchCodes: z.array(z.enum(PATCH_CODE_TEXTS)).min(1).max(PATCH_CODE_TEXTS.length).optional(),
  dropSeparator: z.boolean().default(false),
});
export type SplitRule = z.infer<typeof SplitRule>;
export type SplitRuleInput = z.input<typeof SplitRule>;

/** The code that named a document. */
export const DocumentCode = z.object({ format: BarcodeFormat, text: z.string(), pageId: z.string() });
export type DocumentCode = z.infer<typeof DocumentCode>;

/**
 * A document: a named set of pages of the buffer, listed in buffer order. A page
 * moved elsewhere stays in its document; a removed page leaves it; a document
 * left without pages is gone. Pages added later belong to no document until a
 * split takes them in.
 */
export const DocumentInfo = z.object({
  id: z.string(),
  pageIds: z.array(z.string()),
  /** The code that named it, or null (a split on blank pages or patch codes of pages without codes). */
  barcode: DocumentCode.nullable(),
});
export type DocumentInfo = z.infer<typeof DocumentInfo>;
