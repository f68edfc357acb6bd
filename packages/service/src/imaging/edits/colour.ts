/**
 * Edits of pixel values: grey, black and white, bit depth, invert,
 * brightness and contrast. The page's size and position never change; its
 * mode, bit depth and format follow the conversion (black and white is
 * always a 1-bit PNG, 16 bits always PNG).
 */
import type { ParsedParamsOf } from '@scanbridge/protocol';
import type { StoredImage } from '../../buffer/types.js';
import { isIdentity, tone } from '../../devices/demo/tone.js';
import { histogram, otsu } from '../analysis/otsu.js';
import { withDensity } from '../density.js';
import { jpegtran } from '../jpegtran.js';
import type { PageEdit } from '../page-batch.js';
import { decode, encode, kindOf, maxSample, threshold } from '../raster.js';

export const grayEdit: PageEdit<object> = {
  async apply(image) {
    if (image.mode === 'gray') return { image: null, extra: {} };
    const kind = { ...kindOf(image), mode: 'gray' as const };
    // jpegtran keeps the luminance blocks as they are: no generation loss.
    const bytes = image.format === 'jpeg' ? await jpegtran(image.bytes, 'grayscale') : null;
    if (bytes) return { image: { ...image, ...kind, bytes: withDensity(bytes, 'jpeg', kind.xdpi, kind.ydpi) }, extra: {} };
    return { image: await encode(await decode(image, { grey: true }), kind), extra: {} };
  },
};

async function toBlackAndWhite(image: StoredImage, level: number | 'otsu'): Promise<{ image: StoredImage; extra: { threshold: number } }> {
  const grey = await decode(image, { grey: true, depth: 8 });
  const t = level === 'otsu' ? otsu(histogram(grey.data as Uint8Array)) : level;
  return { image: await encode(threshold(grey, t), { ...kindOf(image), format: 'png', mode: 'bw' }), extra: { threshold: t } };
}

export function bwEdit(p: ParsedParamsOf<'ConvertImagesToBW'>): PageEdit<{ threshold: number }> {
  return {
    async apply(image) {
      // Line-art has only black and white: any threshold from 1 to 255 gives it back unchanged.
      if (image.mode === 'bw' && p.threshold !== 0) return { image: null, extra: { threshold: p.threshold === 'otsu' ? 128 : p.threshold } };
      return toBlackAndWhite(image, p.threshold);
    },
  };
}

export function bitDepthEdit(p: ParsedParamsOf<'ChangeImagesBitDepth'>): PageEdit<object> {
  return {
    async apply(image) {
      if (image.bitDepth === p.bitDepth) return { image: null, extra: {} };
      if (p.bitDepth === 1) return { image: (await toBlackAndWhite(image, 'otsu')).image, extra: {} };
      const kind = { ...kindOf(image), mode: image.mode === 'bw' ? ('gray' as const) : image.mode };
      return { image: await encode(await decode(image, { depth: p.bitDepth }), kind), extra: {} };
    },
  };
}

export const invertEdit: PageEdit<object> = {
  async apply(image) {
    const r = await decode(image);
    const max = maxSample(r);
    for (let i = 0; i < r.data.length; i++) r.data[i] = max - r.data[i]!;
    return { image: await encode(r, kindOf(image)), extra: {} };
  },
};

/** Brightness and contrast on the curve scan settings use (the demo scanner's), scaled to 16 bits where needed. */
export function toneEdit(p: ParsedParamsOf<'AdjustImagesBrightnessContrast'>): PageEdit<object> {
  const curve = tone(p.brightness, p.contrast);
  return {
    async apply(image) {
      if (isIdentity(curve)) return { image: null, extra: {} };
      const r = await decode(image);
      const max = maxSample(r);
      const scale = max / 255;
      const table = new Float64Array(max + 1);
      for (let v = 0; v <= max; v++) table[v] = Math.max(0, Math.min(max, Math.round(curve.a * v + curve.b * scale)));
      for (let i = 0; i < r.data.length; i++) r.data[i] = table[r.data[i]!]!;
      return { image: await encode(r, kindOf(image)), extra: {} };
    },
  };
}
