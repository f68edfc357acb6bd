/**
 * Recognising text (OCR) on pages of the buffer.
 *
 * `Recognize` names its pages as ReadBarcodes does (`pages` or `selected`),
 * optionally a `region` of each, and answers one entry per page in the
 * order named, with the outputs asked for: `text` (lines joined by
 * newlines, blocks by a blank line), `words` (the page model: blocks, lines,
 * words, each with its box in pixels of the whole stored page and a
 * confidence 0..100), `hocr` and `alto` (ALTO 4 XML). Each page is turned
 * upright (osd) and deskewed on a working copy first; the stored page is not
 * changed. Results are kept per page version, languages, mode and region.
 * An `ocr` event reports each page as it is done.
 */
import { z } from 'zod';
import { PageRef } from '../models.js';
import { BarcodeRegion } from '../barcode-models.js';
import { OcrPage } from '../ocr-models.js';
import type { MethodSpec } from './spec.js';

export const OCR_OUTPUTS = ['text', 'words', 'hocr', 'alto'] as const;
export const OcrOutput = z.enum(OCR_OUTPUTS);
export type OcrOutput = z.infer<typeof OcrOutput>;

/** Tesseract language codes, e.g. ["deu", "eng"]; the first is the main one. */
export const OcrLanguages = z.array(z.string().min(1).max(32)).min(1).max(8);

export const PageText = z.object({
  page: z.string(),
  index: z.number().int(),
  version: z.number().int(),
  text: z.string().optional(),
  words: OcrPage.optional(),
  hocr: z.string().optional(),
  alto: z.string().optional(),
});
export type PageText = z.infer<typeof PageText>;

export const PageOrientation = z.object({
  page: z.string(),
  index: z.number().int(),
  version: z.number().int(),
  /** Clockwise degrees that turn the page upright (RotateImages with this angle does it). */
  rotation: z.union([z.literal(0), z.literal(90), z.literal(180), z.literal(270)]),
  /** Tesseract's orientation confidence: about 0 to 50; below 1.5 the page is best left as it is. */
  confidence: z.number(),
  script: z.string(),
});
export type PageOrientation = z.infer<typeof PageOrientation>;

const target = {
  pages: z.array(PageRef).min(1).max(10000).optional(),
  selected: z.literal(true).optional(),
};
const oneTarget = (p: { pages?: unknown; selected?: unknown }, ctx: z.RefinementCtx) => {
  if ((p.pages === undefined) === (p.selected === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['pages'], message: 'name the pages (pages: [index or id, ...]) or pass selected: true, one of the two' });
  }
};

export const OCR_METHODS = {
  Recognize: {
    session: true,
    safe: true,
    params: z
      .strictObject({
        ...target,
        languages: OcrLanguages.default(['eng']),
        /** Tesseract page segmentation mode: 3 automatic (default), 4 one column, 6 one block, 7 one line, 11 sparse text... */
        psm: z.number().int().min(1).max(13).default(3),
        region: BarcodeRegion.optional(),
        output: z.array(OcrOutput).min(1).max(4).default(['text']),
        /** Turn the working copy upright (osd) and straighten it before reading. */
        orient: z.boolean().default(true),
        deskew: z.boolean().default(true),
      })
      .superRefine(oneTarget),
    result: z.tuple([z.array(PageText)]),
    summary: 'Recognise the text of pages (languages, page segmentation mode, a region): text, words with boxes in page pixels, hOCR or ALTO; results are cached per page version.',
  },
  DetectOrientation: {
    session: true,
    safe: true,
    params: z.strictObject({ ...target }).superRefine(oneTarget),
    result: z.tuple([z.array(PageOrientation)]),
    summary: "Detect each page's orientation (0/90/180/270 with a confidence) from its text, without changing it.",
  },
} as const satisfies Record<string, MethodSpec>;
