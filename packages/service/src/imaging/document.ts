/**
 * Document capture on stored pages and camera frames: DetectDocument,
 * CorrectPerspective, and `correctDocument` for a capture with settings
 * `document: true`. Decoding and encoding go through sharp here; the
 * arithmetic runs in the document pool's threads.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { DocumentCorners, DocumentDetection, PageInfo, ParsedParamsOf } from '@scanbridge/protocol';
import type { StoredImage } from '../buffer/types.js';
import type { Pixels } from './analysis/document-corners.js';
import { isConvexClockwise, rectangleAspect } from './analysis/homography.js';
import { sharedDocumentPool } from './document-pool.js';
import { type CorrectOptions, paperSize } from './edits/perspective.js';
import type { PageEdit } from './page-batch.js';
import { type Raster, decode, encode } from './raster.js';

/** 8-bit pixels of a raster, in an ArrayBuffer of their own (a thread gets a copy of the whole buffer). */
function pixelsOf(r: Raster): Pixels {
  const d = r.depth === 16 ? Uint8Array.from(r.data, (v) => Math.round(v / 257)) : (r.data as Uint8Array);
  const data = d.byteOffset === 0 && d.byteLength === d.buffer.byteLength ? d : d.slice();
  return { width: r.width, height: r.height, channels: r.channels, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

const isStored = (input: StoredImage | Raster): input is StoredImage => 'bytes' in input;

async function pixelsFrom(input: StoredImage | Raster): Promise<Pixels> {
  return pixelsOf(isStored(input) ? await decode(input, { depth: 8 }) : input);
}

/** Corners, confidence and the paper shape of the page in an image. */
export async function detectDocumentIn(input: StoredImage | Raster): Promise<DocumentDetection> {
  const pixels = await pixelsFrom(input);
  const found = await sharedDocumentPool().detect(pixels);
  const aspect = rectangleAspect(found.corners, { x: pixels.width / 2, y: pixels.height / 2 });
  return { ...found, aspect: round(aspect), paper: found.documentFound ? (paperSize('auto', aspect)?.name ?? null) : null };
}

const round = (v: number) => Math.round(v * 10000) / 10000;

/** CorrectPerspective's options; left out: detected corners, paper 'auto', 200 dpi, clean-up on, the input's own colour mode. */
export interface DocumentOptions {
  corners?: DocumentCorners | undefined;
  paper?: CorrectOptions['paper'] | undefined;
  dpi?: number | undefined;
  cleanup?: boolean | undefined;
  mode?: 'color' | 'gray' | 'bw' | undefined;
}

export type CorrectedDocument = DocumentDetection & {
  /** The flattened page, or the input as it was (encoded, for a raster) when no page was found. */
  page: StoredImage;
};

/**
 * Finds the page in a frame (or takes the corners given), flattens it and
 * cleans it: what a camera capture with settings `document: true` stores.
 * A frame without a page comes back as it was with `documentFound: false`.
 */
export async function correctDocument(input: StoredImage | Raster, options: DocumentOptions = {}): Promise<CorrectedDocument> {
  const pixels = await pixelsFrom(input);
  const ownMode = isStored(input) ? input.mode : input.channels === 3 ? 'color' : 'gray';
  const mode = options.mode ?? ownMode;
  const dpi = options.dpi ?? 200;
  const r = await sharedDocumentPool().correct(pixels, { corners: options.corners, paper: options.paper ?? 'auto', dpi, cleanup: options.cleanup ?? true, mode });
  const detection = { documentFound: r.documentFound, corners: r.corners, confidence: r.confidence, aspect: round(r.aspect), paper: r.paper };
  if (!r.pixels) {
    const page = isStored(input) ? input : await encode(input, { format: 'png', mode: ownMode, xdpi: dpi, ydpi: dpi });
    return { ...detection, page };
  }
  const format = isStored(input) && input.format === 'jpeg' && mode !== 'bw' ? 'jpeg' : 'png';
  const out: Raster = { width: r.pixels.width, height: r.pixels.height, channels: r.pixels.channels, depth: 8, data: Buffer.from(r.pixels.data.buffer, r.pixels.data.byteOffset, r.pixels.data.byteLength) };
  return { ...detection, page: await encode(out, { format, mode, xdpi: dpi, ydpi: dpi }) };
}

/** Corners given by the caller must make a page: convex, clockwise, and within a tenth of the page's size around it. */
function checkCorners(c: DocumentCorners, info: PageInfo): void {
  const page = `page ${info.index} (id ${info.id}) is ${info.width} x ${info.height} pixels`;
  if (!isConvexClockwise(c)) {
    throw new ScanbridgeError('invalid-params', `params.corners: the corners do not make a convex quadrilateral in the order topLeft, topRight, bottomRight, bottomLeft (clockwise); ${page}`, { param: 'corners', page: info.id });
  }
  const mx = info.width * 0.1;
  const my = info.height * 0.1;
  for (const [name, p] of Object.entries(c)) {
    if (p.x < -mx || p.y < -my || p.x > info.width + mx || p.y > info.height + my) {
      throw new ScanbridgeError('invalid-params', `params.corners.${name}: (${p.x}, ${p.y}) is outside the page: ${page}`, { param: `corners.${name}`, page: info.id });
    }
  }
}

export function perspectiveEdit(p: ParsedParamsOf<'CorrectPerspective'>): PageEdit<DocumentDetection> {
  return {
    check: (info) => {
      if (p.corners) checkCorners(p.corners, info);
    },
    async apply(image) {
      const r = await correctDocument(image, p);
      const { page, ...detection } = r;
      return { image: r.documentFound ? page : null, extra: detection };
    },
  };
}
