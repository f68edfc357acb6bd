/**
 * A stored page as PDF image XObjects, as the compression asks:
 *  - JPEG pages go in byte for byte (DCTDecode), with their ICC profile,
 *    whatever the compression (encoding them again could only lose);
 *  - line-art becomes CCITT G4 (what fax and scanners use: ~30 KB an A4 page);
 *  - lossless: PNG pages pass their compressed data through (FlateDecode with
 *    the PNG predictor) when the PNG is one PDF can describe; others are deflated;
 *  - jpeg: grey and colour pages as JPEG at the quality;
 *  - auto: pages measured (page-kind.ts) black and white as G4, photos as
 *    JPEG, documents as mixed raster: a G4 stencil of the ink over a
 *    half-resolution JPEG background (mixed-raster.ts).
 */
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import { PAGE_JPEG, sharp } from '../../imaging/sharp.js';
import { imageMemory, pixelBytes } from '../../util/memory-budget.js';
import type { StoredImage } from '../../buffer/types.js';
import { encodeG4 } from '../ccitt-g4.js';
import { isPdfCompatibleJpeg, readJpegHeader } from '../jpeg-markers.js';
import type { Bilevel } from '../bilevel.js';
import { mixedRaster } from '../mixed-raster.js';
import { luma, pageKind, type Pixels } from '../page-kind.js';
import { g4OfPage, type G4Page } from '../bilevel-pool.js';
import { jpegOfPage, pixelsOf } from '../page-pixels.js';
import { readPngChunks } from '../png-chunks.js';
import { compressedPng } from '../../imaging/raw-png.js';
import { num } from './pdf-syntax.js';

const deflateAsync = promisify(deflate);

export interface PdfImage {
  width: number;
  height: number;
  /**
   * Dictionary entries other than Type, Subtype, Width, Height and Length;
   * `%ICC%` stands for the ICC profile's reference and `%PALETTE%` for the
   * palette string (strings are encrypted with the document).
   */
  entries: string;
  palette?: Buffer;
  data: Buffer;
  /** An ICC profile the colour space refers to, with its component count. */
  icc?: { profile: Buffer; components: number };
}

/** An image drawn over the whole page; a stencil mask (`fill`) paints its 0 samples in that colour. */
export interface PdfLayer extends PdfImage {
  /** Colour components 0..1 (1: grey, 3: RGB) of a stencil mask. */
  fill?: number[];
}

export type PdfCompression = 'auto' | 'lossless' | 'jpeg' | 'g4';

export interface ImageOptions {
  /** PDF/A with an sRGB output intent: CMYK JPEGs are converted to sRGB. */
  rgbOnly: boolean;
  compression?: PdfCompression | undefined;
  /** JPEG quality of re-encoded pages (default 80) and of auto's mixed-raster background (default 70). */
  quality?: number | undefined;
}

export const DEFAULT_PDF_JPEG_QUALITY = 80;
export const DEFAULT_BACKGROUND_QUALITY = 70;

const DEVICE = { 1: '/DeviceGray', 3: '/DeviceRGB', 4: '/DeviceCMYK' } as const;
const ICC_SPACES: Record<string, number> = { GRAY: 1, 'RGB ': 3, CMYK: 4 };

async function jpegImage(page: StoredImage, opts: ImageOptions): Promise<PdfImage> {
  let bytes = page.bytes;
  let header = readJpegHeader(bytes);
  if (!isPdfCompatibleJpeg(header) || (opts.rgbOnly && header.components === 4)) {
    const source = bytes;
    bytes = await imageMemory.run(2 * pixelBytes(page), () => sharp(source, { limitInputPixels: false }).toColourspace(header.components === 1 ? 'b-w' : 'srgb').jpeg({ quality: 95, ...PAGE_JPEG }).toBuffer());
    header = readJpegHeader(bytes);
  }
  const components = header.components as 1 | 3 | 4;
  // Adobe's CMYK JPEGs (those with an APP14 marker) store inverted samples.
  const decode = components === 4 && header.adobeTransform !== undefined ? ' /Decode [1 0 1 0 1 0 1 0]' : '';
  const iccComponents = header.icc && header.icc.length > 20 ? ICC_SPACES[header.icc.toString('latin1', 16, 20)] : undefined;
  const useIcc = iccComponents === components && !(opts.rgbOnly && components !== 3 && components !== 1);
  return {
    width: header.width,
    height: header.height,
    entries: `/ColorSpace ${useIcc ? '[/ICCBased %ICC%]' : DEVICE[components]} /BitsPerComponent 8 /Filter /DCTDecode${decode}`,
    data: bytes,
    ...(useIcc ? { icc: { profile: header.icc!, components } } : {}),
  };
}

function g4Image({ width, height, strip }: G4Page): PdfImage {
  return {
    width,
    height,
    entries: `/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns ${width} /Rows ${height} /BlackIs1 false >>`,
    data: strip,
  };
}

/** The PNG's own zlib stream, when PDF can take it: not interlaced, no alpha, grey/RGB/palette. */
function pngPassThrough(page: StoredImage): PdfImage | undefined {
  const { header, palette, idat } = readPngChunks(page.bytes);
  const { colorType, bitDepth, width, height } = header;
  if (header.interlaced || ![0, 2, 3].includes(colorType)) return undefined;
  const colours = colorType === 2 ? 3 : 1;
  let space: string;
  if (colorType === 3) {
    if (!palette || palette.length % 3 !== 0 || palette.length === 0) return undefined;
    space = `[/Indexed /DeviceRGB ${palette.length / 3 - 1} %PALETTE%]`;
  } else space = colours === 3 ? '/DeviceRGB' : '/DeviceGray';
  return {
    width,
    height,
    entries: `/ColorSpace ${space} /BitsPerComponent ${bitDepth} /Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors ${colours} /BitsPerComponent ${bitDepth} /Columns ${width} >>`,
    data: Buffer.concat(idat),
    ...(colorType === 3 ? { palette } : {}),
  };
}

async function deflatedImage(page: StoredImage): Promise<PdfImage> {
  const { data, width, height, channels } = await pixelsOf(page);
  return { width, height, entries: `/ColorSpace ${DEVICE[channels]} /BitsPerComponent 8 /Filter /FlateDecode`, data: await deflateAsync(data, { level: 6 }) };
}

async function jpegOf({ data, width, height, channels }: Pixels, quality: number): Promise<PdfImage> {
  const jpeg = await sharp(data, { raw: { width, height, channels } }).jpeg({ quality, ...PAGE_JPEG }).toBuffer();
  return { width, height, entries: `/ColorSpace ${DEVICE[channels]} /BitsPerComponent 8 /Filter /DCTDecode`, data: jpeg };
}

/** Black where the luma is under mid-grey, as a 1-bit scan would have it. */
function threshold({ data, width, height, channels }: Pixels): Bilevel {
  const stride = (width + 7) >> 3;
  const out = Buffer.alloc(stride * height);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += channels) {
      const l = channels === 1 ? data[i]! : luma(data[i]!, data[i + 1]!, data[i + 2]!);
      if (l < 128) out[y * stride + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return { width, height, stride, data: out };
}

const maskEntries = (b: Bilevel) => `/ImageMask true /BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns ${b.width} /Rows ${b.height} /BlackIs1 false >>`;

/** The images that draw the page, bottom first. */
export async function pdfLayers(page: StoredImage, opts: ImageOptions): Promise<PdfLayer[]> {
  if (page.format === 'jpeg') return [await jpegImage(page, opts)];
  // On a line-art thread, or coded ahead when the page was loaded (bilevel-pool.ts).
  if (page.bitDepth === 1) return [g4Image(await g4OfPage(page))];
  const compression = opts.compression ?? 'auto';
  if (compression === 'lossless') return [pngPassThrough({ ...page, bytes: await compressedPng(page.bytes) }) ?? (await deflatedImage(page))];
  if (compression === 'g4') return [g4Image(await g4OfPage(page))];
  if (compression === 'jpeg') {
    const { data, width, height, channels } = await jpegOfPage(page, opts.quality ?? DEFAULT_PDF_JPEG_QUALITY);
    return [{ width, height, entries: `/ColorSpace ${DEVICE[channels]} /BitsPerComponent 8 /Filter /DCTDecode`, data }];
  }
  const pixels = await pixelsOf(page);
  const kind = pageKind(pixels);
  if (kind === 'bilevel') {
    const b = threshold(pixels);
    return [g4Image({ width: b.width, height: b.height, strip: encodeG4(b) })];
  }
  if (kind === 'photo') return [await jpegOf(pixels, opts.quality ?? DEFAULT_PDF_JPEG_QUALITY)];
  const mixed = await mixedRaster(pixels, opts.quality ?? DEFAULT_BACKGROUND_QUALITY);
  const { background: bg, mask } = mixed;
  return [
    { width: bg.width, height: bg.height, entries: `/ColorSpace ${DEVICE[bg.channels]} /BitsPerComponent 8 /Filter /DCTDecode`, data: bg.jpeg },
    { width: mask.width, height: mask.height, entries: maskEntries(mask), data: encodeG4(mask), fill: mixed.ink },
  ];
}

/** Page size in points (1/72 inch) from pixels and resolution. */
export function pageSize(page: Pick<StoredImage, 'width' | 'height' | 'xdpi' | 'ydpi'>): [string, string] {
  return [num((page.width / page.xdpi) * 72), num((page.height / page.ydpi) * 72)];
}
