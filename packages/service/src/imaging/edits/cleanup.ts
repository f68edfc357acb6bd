/** Edits driven by an analysis: deskew and border removal. */
import type { ParsedParamsOf } from '@scanbridge/protocol';
import { type PixelRect, contentArea } from '../analysis/borders.js';
import { type SkewMeasure, measureSkew } from '../analysis/skew.js';
import type { PageEdit } from '../page-batch.js';
import { decode, encode, kindOf, luma, narrow, transform } from '../raster.js';
import { turnOver } from './geometry.js';

/** Below this confidence the detected angle is a guess (no text lines): the page is left as it is. */
const MIN_CONFIDENCE = 0.2;

/** Turns each page back by its detected skew, keeping its size: the corners uncovered get the background. */
export function deskewEdit(p: ParsedParamsOf<'DeskewImages'>): PageEdit<{ skew: SkewMeasure }> {
  return {
    async apply(image) {
      const skew = await measureSkew(image, p.maxAngle);
      if (Math.abs(skew.angle) < p.minAngle || skew.confidence < MIN_CONFIDENCE) return { image: null, extra: { skew } };
      const r = await decode(image);
      return { image: await encode(await turnOver(r, -skew.angle, p.background, { width: r.width, height: r.height }), kindOf(image)), extra: { skew } };
    },
  };
}

export function bordersEdit(p: ParsedParamsOf<'RemoveImageBorders'>): PageEdit<{ area: PixelRect }> {
  return {
    async apply(image) {
      const r = await decode(image);
      const grey = narrow(luma(r));
      const area = contentArea({ width: grey.width, height: grey.height, data: grey.data as Uint8Array }, image, p);
      if (area.width === image.width && area.height === image.height) return { image: null, extra: { area } };
      const kept = await transform(r, (s) => s.extract({ left: area.x, top: area.y, width: area.width, height: area.height }));
      return { image: await encode(kept, kindOf(image)), extra: { area } };
    },
  };
}
