/**
 * Edits that move pixels: rotate, flip, mirror, crop, resize, resolution.
 *
 * Quarter turns, flips and mirrors are exact: PNG pages are re-encoded
 * pixel for pixel; JPEG pages go through jpegtran, which moves DCT blocks
 * without decoding. A JPEG whose size is not a multiple of its block size
 * cannot be turned that way; it is re-encoded at high quality instead and
 * the page's result says `lossless: false`.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { PageInfo, ParsedParamsOf } from '@scanbridge/protocol';
import type { StoredImage } from '../../buffer/types.js';
import { withDensity } from '../density.js';
import { jpegtran, type JpegTransform } from '../jpegtran.js';
import type { PageEdit } from '../page-batch.js';
import { type PageKind, type Raster, decode, encode, filled, kindOf, samplesOf, transform } from '../raster.js';

/** sharp's default pixel limit (16383 x 16383): beyond it, decoding an edited page would be refused. */
const MAX_PIXELS = 16383 * 16383;

type Lossless = { lossless: boolean };

async function exact(image: StoredImage, jpegOp: JpegTransform, op: (r: Raster) => Promise<Raster>, turnsSides: boolean): Promise<{ image: StoredImage; extra: Lossless }> {
  const kind = kindOf(image);
  if (turnsSides) [kind.xdpi, kind.ydpi] = [kind.ydpi, kind.xdpi];
  if (image.format === 'jpeg') {
    const bytes = await jpegtran(image.bytes, jpegOp);
    if (bytes) {
      const [width, height] = turnsSides ? [image.height, image.width] : [image.width, image.height];
      return { image: { ...image, ...kind, width, height, bytes: withDensity(bytes, 'jpeg', kind.xdpi, kind.ydpi) }, extra: { lossless: true } };
    }
  }
  return { image: await encode(await op(await decode(image)), kind), extra: { lossless: image.format === 'png' } };
}

/**
 * Turns a raster by any angle (clockwise) over a background. sharp pads with
 * one colour and cannot give a 16-bit or grey background, so the page is
 * turned over black together with a white mask, and the background is put
 * where the mask is not: exact at the anti-aliased edges too.
 */
export async function turnOver(r: Raster, angle: number, background: string, size?: { width: number; height: number }): Promise<Raster> {
  const black = { background: '#000000' };
  const turned = await transform(r, (s) => s.rotate(angle, black));
  const mask = await transform(filled(r.width, r.height, 1, 8, [255]), (s) => s.rotate(angle, black));
  const bg = samplesOf(background, r);
  const width = size?.width ?? turned.width;
  const height = size?.height ?? turned.height;
  const out = filled(width, height, r.channels, r.depth, bg);
  const c = r.channels;
  const max = r.depth === 16 ? 65535 : 255;
  // Centre the turned page on the output: keepSize crops it (or pads it) around the middle.
  const dx = Math.floor((turned.width - width) / 2);
  const dy = Math.floor((turned.height - height) / 2);
  for (let y = 0; y < height; y++) {
    const sy = y + dy;
    if (sy < 0 || sy >= turned.height) continue;
    for (let x = 0; x < width; x++) {
      const sx = x + dx;
      if (sx < 0 || sx >= turned.width) continue;
      const s = sy * turned.width + sx;
      const uncovered = 1 - mask.data[s]! / 255;
      for (let k = 0; k < c; k++) out.data[(y * width + x) * c + k] = Math.min(max, Math.round(turned.data[s * c + k]! + uncovered * bg[k]!));
    }
  }
  return out;
}

export function rotateEdit(p: ParsedParamsOf<'RotateImages'>): PageEdit<Lossless> {
  const angle = ((p.angle % 360) + 360) % 360;
  return {
    async apply(image) {
      if (angle === 0) return { image: null, extra: { lossless: true } };
      if (angle === 90 || angle === 180 || angle === 270) {
        return exact(image, `rotate${angle}`, (r) => transform(r, (s) => s.rotate(angle)), angle !== 180);
      }
      const r = await decode(image);
      const size = p.keepSize ? { width: r.width, height: r.height } : undefined;
      return { image: await encode(await turnOver(r, angle, p.background, size), kindOf(image)), extra: { lossless: false } };
    },
  };
}

export const flipEdit: PageEdit<Lossless> = { apply: (image) => exact(image, 'flip', (r) => transform(r, (s) => s.flip()), false) };
export const mirrorEdit: PageEdit<Lossless> = { apply: (image) => exact(image, 'mirror', (r) => transform(r, (s) => s.flop()), false) };

/** A rectangle must lie inside every page it applies to; the error names the parameter and the allowed range. */
export function checkRect(p: { x: number; y: number; width: number; height: number }, info: PageInfo): void {
  const page = `page ${info.index} (id ${info.id}) is ${info.width} x ${info.height} pixels`;
  const out = (param: string, value: number, min: number, max: number) =>
    new ScanbridgeError('invalid-params', `params.${param}: ${value} is outside the page: ${page}, so ${param} must be ${min} to ${max}`, {
      param,
      value,
      allowed: { min, max },
      page: info.id,
    });
  if (p.x >= info.width) throw out('x', p.x, 0, info.width - 1);
  if (p.y >= info.height) throw out('y', p.y, 0, info.height - 1);
  if (p.x + p.width > info.width) throw out('width', p.width, 1, info.width - p.x);
  if (p.y + p.height > info.height) throw out('height', p.height, 1, info.height - p.y);
}

export function cropEdit(p: ParsedParamsOf<'CropImages'>): PageEdit<object> {
  return {
    check: (info) => checkRect(p, info),
    async apply(image) {
      if (p.x === 0 && p.y === 0 && p.width === image.width && p.height === image.height) return { image: null, extra: {} };
      const r = await transform(await decode(image), (s) => s.extract({ left: p.x, top: p.y, width: p.width, height: p.height }));
      return { image: await encode(r, kindOf(image)), extra: {} };
    },
  };
}

const KERNELS = { nearest: 'nearest', bilinear: 'linear', bicubic: 'cubic', lanczos: 'lanczos3' } as const;

function checkSize(width: number, height: number, info: PageInfo, what: string): void {
  if (width * height > MAX_PIXELS) {
    throw new ScanbridgeError('invalid-params', `${what}: page ${info.index} (id ${info.id}) would be ${width} x ${height} pixels; allowed: at most ${MAX_PIXELS} pixels`, {
      page: info.id,
      allowed: { maxPixels: MAX_PIXELS },
    });
  }
}

async function scaled(image: StoredImage, width: number, height: number, kernel: keyof typeof KERNELS, kind: PageKind): Promise<StoredImage> {
  const r = await transform(await decode(image), (s) => s.resize(width, height, { fit: 'fill', kernel: KERNELS[kernel] }));
  return encode(r, kind);
}

export function resizeEdit(p: ParsedParamsOf<'ResizeImages'>): PageEdit<object> {
  const size = (info: { width: number; height: number }) => ({
    width: p.width ?? Math.max(1, Math.round((info.width * p.height!) / info.height)),
    height: p.height ?? Math.max(1, Math.round((info.height * p.width!) / info.width)),
  });
  return {
    check(info) {
      const { width, height } = size(info);
      checkSize(width, height, info, 'params.width x params.height');
    },
    async apply(image) {
      const { width, height } = size(image);
      if (width === image.width && height === image.height) return { image: null, extra: {} };
      return { image: await scaled(image, width, height, p.interpolation, kindOf(image)), extra: {} };
    },
  };
}

export function dpiEdit(p: ParsedParamsOf<'SetImagesDpi'>): PageEdit<object> {
  const xdpi = p.xdpi;
  const ydpi = p.ydpi ?? p.xdpi;
  const size = (info: { width: number; height: number; xdpi: number; ydpi: number }) => ({
    width: Math.max(1, Math.round((info.width * xdpi) / info.xdpi)),
    height: Math.max(1, Math.round((info.height * ydpi) / info.ydpi)),
  });
  return {
    check(info) {
      if (!p.resample) return;
      const { width, height } = size(info);
      checkSize(width, height, info, 'params.resample');
    },
    async apply(image) {
      if (xdpi === image.xdpi && ydpi === image.ydpi) return { image: null, extra: {} };
      const kind = { ...kindOf(image), xdpi, ydpi };
      if (!p.resample) return { image: { ...image, xdpi, ydpi, bytes: withDensity(image.bytes, image.format, xdpi, ydpi) }, extra: {} };
      const { width, height } = size(image);
      return { image: await scaled(image, width, height, 'lanczos', kind), extra: {} };
    },
  };
}
