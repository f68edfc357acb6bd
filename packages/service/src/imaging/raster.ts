/**
 * Pixels of a page between decoding and encoding. Every edit decodes the
 * stored page once into a Raster, runs one sharp operation (or a loop here)
 * per step, and encodes the result in the page's own kind: line-art stays a
 * 1-bit PNG, grey stays grey, 16-bit stays 16-bit, JPEG stays JPEG.
 *
 * Steps go through raw pixels rather than one chained sharp pipeline because
 * sharp runs its operations in a fixed order whatever the call order, and
 * allows one rotation per pipeline.
 */
import type { Sharp } from 'sharp';
import { sharp } from './sharp.js';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { ColorMode } from '@scanbridge/protocol';
import type { StoredImage } from '../buffer/types.js';
import { withDensity } from './density.js';

export interface Raster {
  width: number;
  height: number;
  /** 1 (grey, line-art as 0/255) or 3 (RGB). */
  channels: 1 | 3;
  depth: 8 | 16;
  /** Interleaved samples; Uint16Array for 16-bit (sharp takes the sample size from the array type). */
  data: Uint8Array | Uint16Array;
}

/** What an edit keeps of the page it started from unless it changes it. */
export interface PageKind {
  format: 'png' | 'jpeg';
  mode: ColorMode;
  xdpi: number;
  ydpi: number;
}

export const kindOf = (image: StoredImage): PageKind => ({ format: image.format, mode: image.mode, xdpi: image.xdpi, ydpi: image.ydpi });

export const maxSample = (r: Pick<Raster, 'depth'>): number => (r.depth === 16 ? 65535 : 255);

const space = (channels: 1 | 3, depth: 8 | 16) => (channels === 1 ? (depth === 16 ? 'grey16' : 'b-w') : depth === 16 ? 'rgb16' : 'srgb');

function fromSharpOutput(data: Buffer, width: number, height: number, channels: number, depth: 8 | 16): Raster {
  if (channels !== 1 && channels !== 3) throw new Error(`expected 1 or 3 channels from sharp, got ${channels}`);
  if (depth === 8) return { width, height, channels, depth, data };
  // A fresh sharp buffer is aligned; copy when it is not, as Uint16Array needs.
  const aligned = data.byteOffset % 2 === 0 ? data : Buffer.from(data);
  return { width, height, channels, depth, data: new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.length / 2) };
}

/**
 * The page's pixels as stored (grey for bw and gray pages, RGB for colour,
 * 8 or 16 bits), or as `grey` and `depth` ask; scaled to `size` for analyses.
 * Bytes that do not decode are the page-damaged error.
 */
export async function decode(image: StoredImage, opts: { depth?: 8 | 16; grey?: boolean; size?: { width: number; height: number } } = {}): Promise<Raster> {
  const channels = image.mode === 'color' ? 3 : 1;
  const depth = image.bitDepth === 16 ? 16 : 8;
  let r: Raster;
  try {
    let s = sharp(image.bytes, { failOn: 'truncated', limitInputPixels: false }).removeAlpha();
    if (opts.size) s = s.resize(opts.size.width, opts.size.height, { fit: 'fill', kernel: 'linear' });
    const { data, info } = await s
      .toColourspace(space(channels, depth))
      .raw({ depth: depth === 16 ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
    r = fromSharpOutput(data, info.width, info.height, info.channels, depth);
  } catch (err) {
    throw new ScanbridgeError('page-damaged', `its stored ${image.format.toUpperCase()} image cannot be decoded: ${(err as Error).message}`);
  }
  if (opts.grey) r = luma(r);
  if (opts.depth === 8) r = narrow(r);
  if (opts.depth === 16) r = widen(r);
  return r;
}

/** A sharp pipeline on the raster's pixels. */
function toSharp(r: Raster): Sharp {
  return sharp(r.data, { raw: { width: r.width, height: r.height, channels: r.channels }, limitInputPixels: false });
}

/** Runs one sharp operation and answers raw pixels of the same channels and depth. */
export async function transform(r: Raster, op: (s: Sharp) => Sharp): Promise<Raster> {
  const { data, info } = await op(toSharp(r))
    .toColourspace(space(r.channels, r.depth))
    .raw({ depth: r.depth === 16 ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return fromSharpOutput(data, info.width, info.height, info.channels, r.depth);
}

/**
 * Grey from RGB with the Rec. 601 weights on the stored values, as JPEG's
 * own luminance (and so jpegtran's grey conversion) and most scanners do;
 * libvips would weigh linear light and turn pure red into a middle grey.
 */
export function luma(r: Raster): Raster {
  if (r.channels === 1) return r;
  const n = r.width * r.height;
  const data = r.depth === 16 ? new Uint16Array(n) : Buffer.alloc(n);
  const d = r.data;
  for (let i = 0, j = 0; i < n; i++, j += 3) data[i] = Math.round(0.299 * d[j]! + 0.587 * d[j + 1]! + 0.114 * d[j + 2]!);
  return { ...r, channels: 1, data };
}

/** 16-bit samples to 8 bits (the nearest of v / 257). */
export function narrow(r: Raster): Raster {
  if (r.depth === 8) return r;
  const data = Buffer.alloc(r.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(r.data[i]! / 257);
  return { ...r, depth: 8, data };
}

/** 8-bit samples to 16 bits (v * 257 maps 255 to 65535 exactly). */
function widen(r: Raster): Raster {
  if (r.depth === 16) return r;
  const data = new Uint16Array(r.data.length);
  for (let i = 0; i < data.length; i++) data[i] = r.data[i]! * 257;
  return { ...r, depth: 16, data };
}

/** Grey to RGB, each grey level in all three channels. */
function spread(r: Raster): Raster {
  if (r.channels === 3) return r;
  const data = r.depth === 16 ? new Uint16Array(r.data.length * 3) : Buffer.alloc(r.data.length * 3);
  for (let i = 0; i < r.data.length; i++) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = r.data[i]!;
  return { ...r, channels: 3, data };
}

/** Line-art: every grey level below `level` black, the rest white (in place on an 8-bit grey raster). */
export function threshold(r: Raster, level: number): Raster {
  if (r.channels !== 1 || r.depth !== 8) throw new Error('threshold needs an 8-bit grey raster');
  const d = r.data;
  for (let i = 0; i < d.length; i++) d[i] = d[i]! < level ? 0 : 255;
  return r;
}

const JPEG_QUALITY = 95;

/**
 * Encodes pixels as the page kind asks. Line-art (mode bw) is thresholded at
 * the middle grey so that interpolating edits (resize, free rotation) stay
 * two-level, and written as a 1-bit greyscale PNG. JPEG pages are
 * re-encoded at high quality with full chroma: an edit must not visibly
 * degrade a page.
 */
export async function encode(r: Raster, kind: PageKind): Promise<StoredImage> {
  const bw = kind.mode === 'bw';
  let pixels: Raster;
  if (bw) pixels = threshold(narrow(luma(r)), 128);
  else if (kind.mode === 'gray') pixels = luma(r);
  else pixels = spread(r);
  const format = bw || pixels.depth === 16 ? 'png' : kind.format;
  const s = toSharp(pixels).toColourspace(space(pixels.channels, pixels.depth));
  const bytes =
    format === 'jpeg'
      ? await s.jpeg({ quality: JPEG_QUALITY, chromaSubsampling: '4:4:4' }).toBuffer()
      : bw
        ? // Two colours without a palette: sharp asks libvips for a 1-bit greyscale PNG, the bilevel form readers expect.
          await s.png({ palette: false, colours: 2, compressionLevel: 6 }).toBuffer()
        : await s.png({ compressionLevel: 3 }).toBuffer();
  return {
    format,
    bytes: withDensity(bytes, format, kind.xdpi, kind.ydpi),
    width: pixels.width,
    height: pixels.height,
    xdpi: kind.xdpi,
    ydpi: kind.ydpi,
    mode: kind.mode,
    bitDepth: bw ? 1 : pixels.depth,
  };
}

/** [r, g, b] of a colour parameter. */
function parseColour(colour: string): [number, number, number] {
  if (colour === 'white') return [255, 255, 255];
  if (colour === 'black') return [0, 0, 0];
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (!hex) throw new ScanbridgeError('invalid-params', `colour "${colour.slice(0, 20)}": expected "white", "black" or "#rrggbb"`);
  return [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16), parseInt(hex[3]!, 16)];
}

/**
 * The samples of a colour on this raster: grey rasters get its luminance
 * (Rec. 601 weights, as JPEG and most scanners use), 16-bit rasters the
 * 16-bit value.
 */
export function samplesOf(colour: string, r: Pick<Raster, 'channels' | 'depth'>): number[] {
  const rgb = parseColour(colour);
  const scale = r.depth === 16 ? 257 : 1;
  if (r.channels === 3) return rgb.map((v) => v * scale);
  return [Math.round(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]) * scale];
}

/** A raster of one colour. */
export function filled(width: number, height: number, channels: 1 | 3, depth: 8 | 16, samples: number[]): Raster {
  const data = depth === 16 ? new Uint16Array(width * height * channels) : Buffer.alloc(width * height * channels);
  if (channels === 1) data.fill(samples[0] ?? 0);
  else for (let i = 0; i < data.length; i++) data[i] = samples[i % 3] ?? 0;
  return { width, height, channels, depth, data };
}
