/**
 * Data shapes that travel between the service and the SDK: devices, their
 * normalized capabilities, scan settings, pages of the buffer.
 */
import { z } from 'zod';
import { COLOR_MODES } from './color-modes.js';
import { BarcodeRegion, BarcodeResult, barcodeOptions } from './barcode-models.js';
import { SplitRule } from './separation-models.js';

export const ColorMode = z.enum(COLOR_MODES);
export type ColorMode = z.infer<typeof ColorMode>;

export const Source = z.enum(['flatbed', 'feeder']);
export type Source = z.infer<typeof Source>;

export { PAPER_SIZES } from './paper-sizes.js';
export const PaperSize = z.enum(['A4', 'A5', 'Letter', 'Legal']);
export type PaperSize = z.infer<typeof PaperSize>;

/** A page (or scan area) measured in millimetres from the top-left corner. */
export const Area = z.strictObject({
  x: z.number().min(0).default(0),
  y: z.number().min(0).default(0),
  width: z.number().positive(),
  height: z.number().positive(),
});
export type Area = z.infer<typeof Area>;

export const DeviceInfo = z.object({
  /** Stable id: `<driver>:<driver-specific name>`. */
  id: z.string(),
  driver: z.string(),
  name: z.string(),
  vendor: z.string(),
  model: z.string(),
  type: z.string(),
});
export type DeviceInfo = z.infer<typeof DeviceInfo>;

export const Range = z.object({ min: z.number(), max: z.number(), step: z.number() });

export const Capabilities = z.object({
  device: z.string(),
  sources: z.array(Source),
  duplex: z.boolean(),
  colorModes: z.array(ColorMode),
  bitDepths: z.array(z.number().int()),
  /** Either a list of supported resolutions or a range. */
  resolutions: z.union([z.array(z.number()), Range]),
  /** Largest scan area in millimetres; 0 x 0 for a camera, whose view has no size on paper (its frame sizes are the `resolution` option). */
  maxArea: z.object({ width: z.number(), height: z.number() }),
  paperSizes: z.array(PaperSize),
  brightness: Range.nullable(),
  contrast: Range.nullable(),
  /** Driver-specific options, reachable through ScanSettings.options. */
  options: z.array(
    z.object({
      name: z.string(),
      title: z.string(),
      type: z.enum(['bool', 'int', 'float', 'string', 'button']),
      unit: z.string(),
      constraint: z.union([z.null(), Range, z.array(z.union([z.number(), z.string()]))]),
      value: z.union([z.boolean(), z.number(), z.string(), z.null()]),
      active: z.boolean(),
      settable: z.boolean(),
      /**
       * The ScanSettings field the driver sets this option from, or null when
       * only `options` reaches it. A form offers the normalized field, not both.
       */
      setBy: z.enum(['source', 'duplex', 'mode', 'dpi', 'paper', 'brightness', 'contrast']).nullable(),
    }),
  ),
});
export type Capabilities = z.infer<typeof Capabilities>;

export const ScanSettings = z.strictObject({
  source: Source.default('flatbed'),
  duplex: z.boolean().default(false),
  mode: ColorMode.default('color'),
  dpi: z.number().int().min(25).max(4800).default(200),
  /**
   * A named paper size, or any size in millimetres (`{ width, height }`, placed at the top-left
   * corner, or at `x`, `y`). Left out (and without `area`): the device's whole scan area; the demo
   * scanner's default is A4. A paper larger than the device is refused naming the device's maximum.
   */
  paper: z.union([PaperSize, Area]).optional(),
  /**
   * The region to scan in millimetres from the top-left corner of the device's scan area, as
   * `scanimage -l -t -x -y` takes it; instead of `paper`. Outside the device: refused naming the bounds.
   */
  area: Area.optional(),
  /** -100..100, 0 leaves the image as the device delivers it. */
  brightness: z.number().min(-100).max(100).default(0),
  contrast: z.number().min(-100).max(100).default(0),
  /** Driver-specific options by name (see Capabilities.options). */
  options: z.record(z.string(), z.union([z.boolean(), z.number(), z.string()])).default({}),
  /**
   * Read barcodes on each page as it arrives (all formats unless `formats`; `region` in pixels,
   * cut to each page, or percent): the job's `page` event and GetImagesInfo carry them, and the
   * page is tagged `barcode:<format>` for each format found.
   */
  barcodes: z.strictObject({ formats: barcodeOptions.formats, region: BarcodeRegion.optional() }).optional(),
  /**
   * Split the scan into documents as its pages arrive (see SplitRule): the job's pages become
   * documents (GetDocuments), reported by buffer `documents` events; dropped separators never
   * stay in the buffer.
   */
  split: SplitRule.optional(),
  /** Turn each page upright as it arrives (orientation from its text, osd); a page too unsure to tell stays as it is. */
  autoRotate: z.boolean().optional(),
  /**
   * Flatten each page as a photographed document (camera captures): find the page's corners, correct
   * the perspective and clean the background, with CorrectPerspective's options (`paper`, `dpi`,
   * `cleanup`, `mode`), or their defaults for `true`. A frame without a page is kept as captured and
   * its page event says `documentFound: false`.
   */
  document: z.union([z.boolean(), z.record(z.string(), z.unknown())]).optional(),
  /**
   * Keep each 8-bit page in the buffer as a JPEG of this quality (1-100) instead of lossless PNG:
   * encoded once, from the device's pixels, where the page is read (a 300 dpi colour page costs a
   * third of the CPU a PNG does), and a PDF made of the pages carries the JPEGs as they are. Lossy:
   * for pages that leave as JPEG anyway. Line-art and 16-bit pages stay PNG; pages a device sends
   * already encoded (eSCL, a camera's MJPEG) stay as sent.
   */
  storeJpeg: z.number().int().min(1).max(100).optional(),
});
export type ScanSettings = z.infer<typeof ScanSettings>;
export type ScanSettingsInput = z.input<typeof ScanSettings>;

export const PageInfo = z.object({
  id: z.string(),
  index: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  xdpi: z.number(),
  ydpi: z.number(),
  mode: ColorMode,
  bitDepth: z.number().int(),
  /** Stored size in bytes (encoded). */
  byteSize: z.number().int(),
  /** Stored encoding of the page. */
  format: z.enum(['png', 'jpeg']),
  /** Increases with every edit; part of image URLs so caches never show a stale page. */
  version: z.number().int(),
  tags: z.array(z.string()),
  selected: z.boolean(),
  /** Codes read while scanning (scan setting `barcodes`), for this version of the page. */
  barcodes: z.array(BarcodeResult).optional(),
});
export type PageInfo = z.infer<typeof PageInfo>;

/** A page named by its current index (number) or its stable id (string). */
export const PageRef = z.union([z.number().int().min(0), z.string().min(1).max(64)]);
export type PageRef = z.infer<typeof PageRef>;

/** `interrupted`: the service stopped or crashed while the job ran; the pages acquired before are in the buffer. */
export const JobState = z.enum(['running', 'done', 'failed', 'cancelled', 'interrupted']);
export type JobState = z.infer<typeof JobState>;

/** What a job does: a scan from a device, or a file loaded into the buffer (StartLoad). */
export const JobKind = z.enum(['scan', 'load']);
export type JobKind = z.infer<typeof JobKind>;

export const JobInfo = z.object({
  id: z.string(),
  /** Absent in records of versions before load jobs: those were all scans. */
  kind: JobKind.default('scan'),
  /** The scanner; empty for a load job. */
  device: z.string(),
  state: JobState,
  pages: z.number().int(),
  /** Page ids acquired by this job, in order, including pages removed since (by a client, or separator sheets a `split` rule dropped). */
  pageIds: z.array(z.string()),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
});
export type JobInfo = z.infer<typeof JobInfo>;

export const SessionInfo = z.object({
  id: z.string(),
  origin: z.string(),
  pages: z.number().int(),
  createdAt: z.string(),
  /** Seconds of inactivity after which the session and its pages are deleted. */
  idleTimeout: z.number(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;
