/**
 * OCR types shared by Recognize (methods), the searchable-PDF text layer, the
 * ALTO and hOCR writers and page info; kept apart so none imports another.
 * Boxes are in page pixels of the page version that was recognised, origin at
 * the top left, so a text layer, an overlay and ALTO place words the same way.
 */
import { z } from 'zod';

/** `[x0, y0, x1, y1]` in page pixels: left, top, right (exclusive), bottom (exclusive). */
export const OcrBox = z.tuple([z.number(), z.number(), z.number(), z.number()]);
export type OcrBox = z.infer<typeof OcrBox>;

export const OcrWord = z.object({
  text: z.string(),
  box: OcrBox,
  /** 0..100, as Tesseract reports it. */
  confidence: z.number(),
});
export type OcrWord = z.infer<typeof OcrWord>;

export const OcrLine = z.object({
  box: OcrBox,
  /** Height of the line's lowercase baseline, in pixels from the line box's bottom (0 when unknown). */
  baseline: z.number().optional(),
  words: z.array(OcrWord),
});
export type OcrLine = z.infer<typeof OcrLine>;

export const OcrBlock = z.object({
  box: OcrBox,
  lines: z.array(OcrLine),
});
export type OcrBlock = z.infer<typeof OcrBlock>;

/** One recognised page: what every output (text, words, hOCR, ALTO, PDF text layer) is made from. */
export const OcrPage = z.object({
  pageId: z.string(),
  /** Size in pixels and resolution of the image the boxes refer to (the stored page, not a working copy). */
  width: z.number().int(),
  height: z.number().int(),
  dpi: z.number(),
  /** Languages used, Tesseract codes (`eng`, `deu`...). */
  languages: z.array(z.string()),
  /** Clockwise degrees the page content was turned before recognition (0/90/180/270) and the skew corrected, both undone in the boxes. */
  rotation: z.number().optional(),
  skew: z.number().optional(),
  /** Mean word confidence, 0..100. */
  confidence: z.number(),
  text: z.string(),
  blocks: z.array(OcrBlock),
  /** Which engine ran: the system `tesseract` or tesseract.js. */
  engine: z.enum(['tesseract', 'tesseract.js']),
});
export type OcrPage = z.infer<typeof OcrPage>;

/** `ocr` of SaveImages and StartUpload: a searchable PDF, its text recognised in these languages. */
export const SaveOcr = z.strictObject({
  /** Tesseract language codes, e.g. ["deu", "eng"]; the first is the main one. */
  languages: z.array(z.string().min(1).max(32)).min(1).max(8),
});
export type SaveOcr = z.infer<typeof SaveOcr>;
