/** Erase: fill a rectangle of the page with one colour (a stamp, a hole punch, a note to hide). */
import type { ParsedParamsOf } from '@scanbridge/protocol';
import type { PageEdit } from '../page-batch.js';
import { decode, encode, kindOf, samplesOf } from '../raster.js';
import { checkRect } from './geometry.js';

export function eraseEdit(p: ParsedParamsOf<'EraseImages'>): PageEdit<object> {
  return {
    check: (info) => checkRect(p, info),
    async apply(image) {
      const r = await decode(image);
      const fill = samplesOf(p.fill, r);
      const c = r.channels;
      for (let y = p.y; y < p.y + p.height; y++) {
        const row = (y * r.width + p.x) * c;
        for (let i = 0; i < p.width * c; i++) r.data[row + i] = fill[i % c]!;
      }
      return { image: await encode(r, kindOf(image)), extra: {} };
    },
  };
}
