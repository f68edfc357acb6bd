/**
 * A stored page as a PDF image XObject, choosing the encoding that costs
 * nothing or keeps the most:
 *  - JPEG pages go in byte for byte (DCTDecode), with their ICC profile;
 *  - line-art becomes CCITT G4 (what fax and scanners use: ~30 KB an A4 page);
 *  - PNG pages pass their compressed data through (FlateDecode with the PNG
 *    predictor) when the PNG is one PDF can describe; others are deflated.
 */
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import { sharp } from '../../imaging/sharp.js';
import type { StoredImage } from '../../buffer/types.js';
import { encodeG4 } from '../ccitt-g4.js';
import { isPdfCompatibleJpeg, readJpegHeader } from '../jpeg-markers.js';
import { bilevelOf, pixelsOf } from '../page-pixels.js';
import { readPngChunks } from '../png-chunks.js';
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

export interface ImageOptions {
  /** PDF/A with an sRGB output intent: CMYK JPEGs are converted to sRGB. */
  rgbOnly: boolean;
}

const DEVICE = { 1: '/DeviceGray', 3: '/DeviceRGB', 4: '/DeviceCMYK' } as const;
const ICC_SPACES: Record<string, number> = { GRAY: 1, 'RGB ': 3, CMYK: 4 };

async function jpegImage(page: StoredImage, opts: ImageOptions): Promise<PdfImage> {
  let bytes = page.bytes;
  let header = readJpegHeader(bytes);
  if (!isPdfCompatibleJpeg(header) || (opts.rgbOnly && header.components === 4)) {
    bytes = await sharp(bytes, { limitInputPixels: false }).toColourspace(header.components === 1 ? 'b-w' : 'srgb').jpeg({ quality: 95 }).toBuffer();
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

async function bilevelImage(page: StoredImage): Promise<PdfImage> {
  const b = await bilevelOf(page);
  return {
    width: b.width,
    height: b.height,
    entries: `/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns ${b.width} /Rows ${b.height} /BlackIs1 false >>`,
    data: encodeG4(b),
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

export async function pdfImage(page: StoredImage, opts: ImageOptions): Promise<PdfImage> {
  if (page.format === 'jpeg') return jpegImage(page, opts);
  if (page.bitDepth === 1) return bilevelImage(page);
  return pngPassThrough(page) ?? deflatedImage(page);
}

/** Page size in points (1/72 inch) from pixels and resolution. */
export function pageSize(page: Pick<StoredImage, 'width' | 'height' | 'xdpi' | 'ydpi'>): [string, string] {
  return [num((page.width / page.xdpi) * 72), num((page.height / page.ydpi) * 72)];
}
