/**
 * Editing and analysing pages of the buffer.
 *
 * Every method names its pages with `pages: [index or id, ...]` or with
 * `selected: true` (the current selection). Coordinates are pixels of the
 * page as it is now; angles are degrees, clockwise positive.
 *
 * Edits store a new version of each page (same id, tags and position; a
 * `modify` buffer event per page; `version` goes up). A batch:
 * - checks every page reference and every parameter against every page
 *   first: a bad one is refused before any page changes;
 * - then edits the pages one after another, each page atomically (its old
 *   version stays until the new one is stored);
 * - stops at the first page that fails (e.g. stored bytes that no longer
 *   decode): the error names that page and lists the pages already changed
 *   (`details.changed`) and those left as they were (`details.unchanged`).
 * An edit that would not change a page (deskew of a straight page, a page
 * already grey...) leaves it as it is and reports `changed: false`.
 */
import { z } from 'zod';
import { ColorMode, PageInfo, PageRef } from '../models.js';
import type { MethodSpec } from './spec.js';

const MAX_SIDE = 1_000_000;

/** `white`, `black` or `#rrggbb`. */
export const Colour = z.union([z.enum(['white', 'black']), z.string().regex(/^#[0-9a-fA-F]{6}$/, 'expected "white", "black" or "#rrggbb"')]);
export type Colour = z.infer<typeof Colour>;

/** A rectangle in pixels of the current page. */
const rect = {
  x: z.number().int().min(0).max(MAX_SIDE),
  y: z.number().int().min(0).max(MAX_SIDE),
  width: z.number().int().min(1).max(MAX_SIDE),
  height: z.number().int().min(1).max(MAX_SIDE),
};
export const PixelRect = z.object(rect);
export type PixelRect = z.infer<typeof PixelRect>;

export const Interpolation = z.enum(['nearest', 'bilinear', 'bicubic', 'lanczos']);
export type Interpolation = z.infer<typeof Interpolation>;

/** The pages a method works on: a list, or the selection. */
const target = {
  pages: z.array(PageRef).min(1).max(10000).optional(),
  selected: z.literal(true).optional(),
};

function batch<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject({ ...target, ...shape }).superRefine((params, ctx) => {
    const p = params as { pages?: unknown; selected?: unknown };
    if ((p.pages === undefined) === (p.selected === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['pages'], message: 'name the pages (pages: [index or id, ...]) or pass selected: true, one of the two' });
    }
  });
}

/** What every edit answers per page, in the order the pages were named. */
const edited = { info: PageInfo, changed: z.boolean() };
const editResult = <T extends z.ZodRawShape>(extra: T) => z.tuple([z.array(z.object({ ...edited, ...extra }))]);
const plainEdit = editResult({});
/** True when no pixel changed value (PNG pages, and JPEG pages transformed by jpegtran). */
const lossless = { lossless: z.boolean() };

export const BlankMeasures = z.object({
  /** Grey level (0..255) of the paper: the 95th percentile of the page. */
  paper: z.number(),
  /** Mean and standard deviation of the grey levels inside the margins. */
  mean: z.number(),
  stdDev: z.number(),
  /** Ink that counts as content, in square millimetres and as a fraction of the area inside the margins. */
  inkArea: z.number(),
  inkRatio: z.number(),
  /** Marks that count as content. */
  components: z.number().int(),
  /** Marks set aside: too small (noise, dust), touching the margins (edges, shadows), punch holes. */
  ignored: z.object({ noise: z.number().int(), edges: z.number().int(), holes: z.number().int() }),
});
export type BlankMeasures = z.infer<typeof BlankMeasures>;

export const SkewMeasure = z.object({
  /** Degrees the content is turned clockwise; deskewing turns it back by this much. */
  angle: z.number(),
  /** 0 (no lines found: blank or a photo) to 1 (sharp text lines). */
  confidence: z.number(),
});
export type SkewMeasure = z.infer<typeof SkewMeasure>;

const analysed = { page: z.string(), index: z.number().int() };

/** Papers a photographed page can be mapped onto (portrait, millimetres). `ID-1` is the bank and identity card. */
export const DOCUMENT_PAPERS = {
  A4: { width: 210, height: 297 },
  A3: { width: 297, height: 420 },
  A5: { width: 148, height: 210 },
  A6: { width: 105, height: 148 },
  Letter: { width: 215.9, height: 279.4 },
  Legal: { width: 215.9, height: 355.6 },
  'ID-1': { width: 53.98, height: 85.6 },
} as const;
export const DocumentPaper = z.enum(['A4', 'A3', 'A5', 'A6', 'Letter', 'Legal', 'ID-1']);
export type DocumentPaper = z.infer<typeof DocumentPaper>;

const point = z.object({ x: z.number().min(-MAX_SIDE).max(MAX_SIDE), y: z.number().min(-MAX_SIDE).max(MAX_SIDE) });
/** The four corners of a page in a photo, in pixels of the image (fractions allowed), clockwise from the top left as the page reads. */
export const DocumentCorners = z.object({ topLeft: point, topRight: point, bottomRight: point, bottomLeft: point });
export type DocumentCorners = z.infer<typeof DocumentCorners>;

export const DocumentDetection = z.object({
  /** False when nothing in the image looks like a page; `corners` are then the image's own. */
  documentFound: z.boolean(),
  corners: DocumentCorners,
  /** 0 (nothing like a page) to 1 (a clean quadrilateral with sharp edges all round); a page is found from 0.5. */
  confidence: z.number(),
  /** Width / height of the page the corners show, measured through the perspective. */
  aspect: z.number(),
  /** The paper whose shape the page has (within 3 %; of papers of one shape the first listed: A4 for the A series), or null. */
  paper: DocumentPaper.nullable(),
});
export type DocumentDetection = z.infer<typeof DocumentDetection>;

/** How a photographed page is flattened (DetectDocument's corners or the caller's, the paper, the clean-up). */
export const documentOptions = {
  /** A named paper, any size in millimetres, or 'auto': the measured shape, snapped to a named paper when within 3 % (A4 for the A series). */
  paper: z.union([z.literal('auto'), DocumentPaper, z.strictObject({ width: z.number().min(10).max(2000), height: z.number().min(10).max(2000) })]).default('auto'),
  /** Resolution of the flattened page. */
  dpi: z.number().int().min(50).max(600).default(200),
  /** Divide out shadows, uneven light and colour cast, so the paper comes out white. */
  cleanup: z.boolean().default(true),
  /** Colour of the flattened page; left out: the page's own. */
  mode: ColorMode.optional(),
};

export const IMAGING_METHODS = {
  RotateImages: {
    session: true,
    safe: false,
    params: batch({
      angle: z.number().min(-360).max(360),
      background: Colour.default('white'),
      keepSize: z.boolean().default(false),
    }),
    result: editResult(lossless),
    summary:
      'Rotate pages clockwise by angle degrees: multiples of 90 without quality loss; other angles fill the corners with background and grow the page to fit unless keepSize.',
  },
  FlipImages: { session: true, safe: false, params: batch({}), result: editResult(lossless), summary: 'Turn pages upside down (top to bottom) without quality loss.' },
  MirrorImages: { session: true, safe: false, params: batch({}), result: editResult(lossless), summary: 'Mirror pages left to right without quality loss.' },
  CropImages: { session: true, safe: false, params: batch(rect), result: plainEdit, summary: 'Keep only a rectangle (pixels) of the pages.' },
  EraseImages: {
    session: true,
    safe: false,
    params: batch({ ...rect, fill: Colour.default('white') }),
    result: plainEdit,
    summary: 'Fill a rectangle (pixels) of the pages with a colour.',
  },
  ResizeImages: {
    session: true,
    safe: false,
    params: batch({
      width: z.number().int().min(1).max(65535).optional(),
      height: z.number().int().min(1).max(65535).optional(),
      interpolation: Interpolation.default('bicubic'),
    }).refine((p) => p.width !== undefined || p.height !== undefined, { path: ['width'], message: 'give width, height or both (one keeps the aspect ratio)' }),
    result: plainEdit,
    summary: 'Scale pages to width x height pixels (one of them keeps the aspect ratio); the resolution stays.',
  },
  SetImagesDpi: {
    session: true,
    safe: false,
    params: batch({
      xdpi: z.number().positive().max(100000),
      ydpi: z.number().positive().max(100000).optional(),
      resample: z.boolean().default(false),
    }),
    result: plainEdit,
    summary: 'Set the resolution of pages (ydpi defaults to xdpi); resample scales the pixels so the physical size stays.',
  },
  ConvertImagesToGray: { session: true, safe: false, params: batch({}), result: plainEdit, summary: 'Convert pages to greyscale (8-bit, 16-bit pages stay 16-bit).' },
  ConvertImagesToBW: {
    session: true,
    safe: false,
    params: batch({ threshold: z.union([z.number().int().min(0).max(255), z.literal('otsu')]).default('otsu') }),
    result: editResult({ threshold: z.number().int() }),
    summary: 'Convert pages to black and white (1-bit PNG): grey levels below threshold become black; "otsu" picks the threshold per page.',
  },
  ChangeImagesBitDepth: {
    session: true,
    safe: false,
    params: batch({ bitDepth: z.union([z.literal(1), z.literal(8), z.literal(16)]) }),
    result: plainEdit,
    summary: 'Change bits per sample: 1 (black and white, Otsu threshold), 8, or 16 (stored as PNG).',
  },
  InvertImages: { session: true, safe: false, params: batch({}), result: plainEdit, summary: 'Invert the colours of pages (a negative).' },
  AdjustImagesBrightnessContrast: {
    session: true,
    safe: false,
    params: batch({ brightness: z.number().min(-100).max(100).default(0), contrast: z.number().min(-100).max(100).default(0) }),
    result: plainEdit,
    summary: 'Change brightness and contrast (-100..100 each, the scale of scan settings).',
  },
  DeskewImages: {
    session: true,
    safe: false,
    params: batch({
      maxAngle: z.number().min(1).max(45).default(15),
      minAngle: z.number().min(0).max(5).default(0.05),
      background: Colour.default('white'),
    }),
    result: editResult({ skew: SkewMeasure }),
    summary: 'Detect the skew of pages (up to maxAngle degrees) and turn them straight, keeping their size; pages skewed less than minAngle stay as they are.',
  },
  RemoveImageBorders: {
    session: true,
    safe: false,
    params: batch({
      threshold: z.number().int().min(1).max(255).default(96),
      coverage: z.number().gt(0).max(1).default(0.5),
    }),
    result: editResult({ area: PixelRect }),
    summary:
      'Crop away dark borders around the paper: rows and columns at the edges where at least coverage of the pixels are darker than threshold, and the shadow just inside them.',
  },
  DetectBlankImages: {
    session: true,
    safe: true,
    params: batch({
      inkThreshold: z.number().int().min(1).max(255).default(64),
      minInkArea: z.number().min(0).max(100000).default(1.5),
      minMarkArea: z.number().min(0).max(1000).default(0.15),
      margin: z.number().min(0).max(100).default(5),
    }),
    result: z.tuple([z.array(z.object({ ...analysed, blank: z.boolean(), measures: BlankMeasures }))]),
    summary:
      'Tell blank pages: a page is blank when its marks darker than paper - inkThreshold, inside margin mm, larger than minMarkArea mm² and not punch holes, cover less than minInkArea mm².',
  },
  DetectSkewAngles: {
    session: true,
    safe: true,
    params: batch({ maxAngle: z.number().min(1).max(45).default(15) }),
    result: z.tuple([z.array(z.object({ ...analysed, ...SkewMeasure.shape }))]),
    summary: 'Skew angle of pages (degrees, clockwise positive) from their text lines.',
  },
  DetectDocument: {
    session: true,
    safe: true,
    params: batch({}),
    result: z.tuple([z.array(z.object({ ...analysed, ...DocumentDetection.shape }))]),
    summary: 'Find the four corners of a photographed page (a light sheet on a darker background, tilted, turned, unevenly lit); a page with none answers documentFound: false.',
  },
  CorrectPerspective: {
    session: true,
    safe: false,
    params: batch({
      /** The page's corners; left out: detected on each page. */
      corners: DocumentCorners.optional(),
      ...documentOptions,
    }),
    result: editResult(DocumentDetection.shape),
    summary:
      'Flatten photographed pages: map the page (corners given, or detected) onto a rectangle of paper at dpi, and clean the background; a page where no page is found stays as it is (documentFound: false, changed: false).',
  },
} as const satisfies Record<string, MethodSpec>;
