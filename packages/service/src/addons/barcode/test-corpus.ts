/**
 * Generated barcode pages for tests and the bench: bwip-js renders each
 * symbology, sharp lays the codes out on an A4 page at a given resolution and
 * spoils it as a scanner or a copier would (turned, skewed, noisy, JPEG,
 * 1-bit).
 */
import bwipjs from 'bwip-js';
import type { BarcodeFormat } from '@scanbridge/protocol';
import { sharp } from '../../imaging/sharp.js';

export interface Symbology {
  format: BarcodeFormat;
  bcid: string;
  /** The text a reader must answer (bwip-js is given `input`, or this when absent). */
  text: string;
  input?: string;
  /** Module size in millimetres, as printed. */
  moduleMm: number;
  /** bwip-js options beyond the defaults. */
  options?: Record<string, unknown>;
  /** zbarimg's name of the symbology, when it reads it. */
  zbar?: string;
  /** zbarimg's text when it differs from `text` (it expands UPC-E, prefixes UPC-A with 0). */
  zbarText?: string;
  linear: boolean;
}

export const SYMBOLOGIES: readonly Symbology[] = [
  { format: 'Code128', bcid: 'code128', text: 'SB-128-4711', moduleMm: 0.3, zbar: 'CODE-128', linear: true },
  { format: 'Code39', bcid: 'code39', text: 'SCAN39-42', moduleMm: 0.3, zbar: 'CODE-39', linear: true },
  // BWIPP leaves Code 93's two check characters out unless asked; the standard requires them.
  { format: 'Code93', bcid: 'code93', text: 'SCAN93', moduleMm: 0.3, options: { includecheck: true }, zbar: 'CODE-93', linear: true },
  { format: 'Codabar', bcid: 'rationalizedCodabar', text: 'A40156B', moduleMm: 0.3, zbar: 'Codabar', linear: true },
  { format: 'EAN8', bcid: 'ean8', text: '96385074', moduleMm: 0.33, zbar: 'EAN-8', linear: true },
  { format: 'EAN13', bcid: 'ean13', text: '5901234123457', moduleMm: 0.33, zbar: 'EAN-13', linear: true },
  { format: 'UPCA', bcid: 'upca', text: '036000291452', moduleMm: 0.33, zbar: 'UPC-A', zbarText: '0036000291452', linear: true },
  { format: 'UPCE', bcid: 'upce', text: '01234565', moduleMm: 0.33, zbar: 'UPC-E', zbarText: '0012345000065', linear: true },
  { format: 'ITF', bcid: 'interleaved2of5', text: '12345670', moduleMm: 0.33, zbar: 'I2/5', linear: true },
  { format: 'DataBar', bcid: 'databaromni', input: '(01)09521234543213', text: '(01)09521234543213', moduleMm: 0.33, zbar: 'DataBar', zbarText: '0109521234543213', linear: true },
  { format: 'DataBarExpanded', bcid: 'databarexpanded', input: '(01)98898765432106(3202)012345', text: '(01)98898765432106(3202)012345', moduleMm: 0.33, zbar: 'DataBar-Exp', zbarText: '01988987654321063202012345', linear: true },
  { format: 'QRCode', bcid: 'qrcode', text: 'https://example.com/doc/4711?ä=1', moduleMm: 0.5, zbar: 'QR-Code', linear: false },
  { format: 'MicroQRCode', bcid: 'microqrcode', text: 'MQR-12', moduleMm: 0.5, linear: false },
  { format: 'DataMatrix', bcid: 'datamatrix', text: 'DM:INV-2026-0042', moduleMm: 0.5, linear: false },
  { format: 'PDF417', bcid: 'pdf417', text: 'PDF417 patient 0042', moduleMm: 0.33, options: { columns: 4 }, zbar: 'PDF417', linear: false },
  { format: 'Aztec', bcid: 'azteccode', text: 'AZTEC ticket 77', moduleMm: 0.5, linear: false },
  { format: 'MaxiCode', bcid: 'maxicode', text: 'MAXICODE PARCEL 1', moduleMm: 0.25, linear: false },
];

export function symbology(format: BarcodeFormat): Symbology {
  const s = SYMBOLOGIES.find((x) => x.format === format);
  if (!s) throw new Error(`no symbology ${format} in the corpus`);
  return s;
}

/** A code as a PNG at `dpi` (its modules rounded to whole pixels, at least 2). */
export async function renderCode(s: Symbology, dpi: number): Promise<Buffer> {
  const scale = Math.max(2, Math.round((s.moduleMm * dpi) / 25.4));
  return bwipjs.toBuffer({
    bcid: s.bcid,
    text: s.input ?? s.text,
    scale,
    // bwip-js heights are in points times the scale: this prints linear codes 12 mm tall.
    ...(s.linear ? { height: (12 * dpi) / (72 * scale) } : {}),
    includetext: false,
    paddingwidth: 10,
    paddingheight: 10,
    backgroundcolor: 'FFFFFF',
    ...s.options,
  } as Parameters<typeof bwipjs.toBuffer>[0]);
}

export interface PageSpec {
  dpi: number;
  /** Codes with their top-left corner in millimetres from the page's top left. */
  codes: { symbology: Symbology; x: number; y: number }[];
  /** Codes laid out in rows from the top left, 20 mm margins, `gapMm` apart (default 8). */
  flow?: readonly Symbology[];
  gapMm?: number;
  /** Turns the whole page clockwise by a multiple of 90. */
  rotate?: 0 | 90 | 180 | 270;
  /** Degrees the printed content is skewed (a sheet fed askew). */
  skew?: number;
  /** Standard deviation of grey noise added to every pixel. */
  noise?: number;
  blur?: number;
  output?: 'png' | 'jpeg40' | 'bilevel';
  /** Text-like stripes without a code: a reader must find nothing in them. */
  stripes?: boolean;
}

const A4 = { width: 210, height: 297 };

interface Grey {
  data: Buffer;
  width: number;
  height: number;
}

/** One sharp operation on grey pixels, answering grey pixels. */
async function step(page: Grey, op: (s: ReturnType<typeof sharp>) => ReturnType<typeof sharp>): Promise<Grey> {
  const { data, info } = await op(sharp(page.data, { raw: { width: page.width, height: page.height, channels: 1 } }))
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error(`expected grey pixels, got ${info.channels} channels`);
  return { data, width: info.width, height: info.height };
}

/** Deterministic noise so a failing page can be generated again. */
function noiseLayer(width: number, height: number, sigma: number, seed: number): Buffer {
  const data = Buffer.alloc(width * height);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    // Sum of uniforms: close enough to a normal for scanner grain.
    const u = ((s >>> 0) / 4294967296 + ((s * 2654435761) >>> 0) / 4294967296 - 1) * 1.7;
    data[i] = Math.max(0, Math.min(255, Math.round(128 + u * sigma)));
  }
  return data;
}

/** Text-like lines and bars: dark, regular, but no code. */
async function stripesPng(widthPx: number, dpi: number): Promise<Buffer> {
  const px = (mm: number) => Math.round((mm * dpi) / 25.4);
  const rects: string[] = [];
  for (let row = 0; row < 12; row++) {
    let x = 0;
    for (let w = 0; w < 18; w++) {
      const len = px(4 + ((row * 7 + w * 13) % 11));
      rects.push(`<rect x="${x}" y="${row * px(6)}" width="${len}" height="${px(2.5)}" fill="#222"/>`);
      x += len + px(2);
    }
  }
  // A row of equal bars, as a ruler or a table border draws them.
  for (let i = 0; i < 60; i++) rects.push(`<rect x="${i * px(1.2)}" y="${12 * px(6)}" width="${px(0.5)}" height="${px(10)}" fill="#000"/>`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${12 * px(6) + px(12)}"><rect width="100%" height="100%" fill="#fff"/>${rects.join('')}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** Renders codes and places them in rows, left to right, inside 20 mm margins. */
async function flowLayout(codes: readonly Symbology[], dpi: number, width: number, height: number, gap: number): Promise<{ input: Buffer; left: number; top: number }[]> {
  const margin = Math.round((20 * dpi) / 25.4);
  const placed: { input: Buffer; left: number; top: number }[] = [];
  let x = margin;
  let y = margin;
  let rowHeight = 0;
  for (const s of codes) {
    const input = await renderCode(s, dpi);
    const meta = await sharp(input).metadata();
    if (x + meta.width! > width - margin) {
      x = margin;
      y += rowHeight + gap;
      rowHeight = 0;
    }
    if (y + meta.height! > height - margin) throw new Error(`the codes do not fit on one page at ${dpi} dpi`);
    placed.push({ input, left: x, top: y });
    x += meta.width! + gap;
    rowHeight = Math.max(rowHeight, meta.height!);
  }
  return placed;
}

/** An A4 page as an encoded image (PNG, or JPEG for `jpeg40`), with its pixel size. */
export async function composePage(spec: PageSpec, seed = 1): Promise<{ bytes: Buffer; width: number; height: number; format: 'png' | 'jpeg' }> {
  const px = (mm: number) => Math.round((mm * spec.dpi) / 25.4);
  const width = px(A4.width);
  const height = px(A4.height);
  const layers = await Promise.all(spec.codes.map(async (c) => ({ input: await renderCode(c.symbology, spec.dpi), left: px(c.x), top: px(c.y) })));
  if (spec.flow) layers.push(...(await flowLayout(spec.flow, spec.dpi, width, height, px(spec.gapMm ?? 8))));
  if (spec.stripes) layers.push({ input: await stripesPng(px(150), spec.dpi), left: px(25), top: px(60) });
  let page: Grey = { data: await sharp({ create: { width, height, channels: 3, background: '#fff' } }).composite(layers).greyscale().raw().toBuffer(), width, height };
  if (spec.skew) {
    const skew = spec.skew;
    // The turned sheet is cut back to A4 around its centre, as the scanner's window would.
    page = await step(page, (s) => s.rotate(skew, { background: { r: 255, g: 255, b: 255 } }));
    page = await step(page, (s) => s.extract({ left: Math.floor((page.width - width) / 2), top: Math.floor((page.height - height) / 2), width, height }));
  }
  if (spec.blur) {
    const sigma = spec.blur;
    page = await step(page, (s) => s.blur(sigma));
  }
  if (spec.noise) {
    const n = noiseLayer(page.width, page.height, spec.noise, seed);
    for (let i = 0; i < page.data.length; i++) page.data[i] = Math.max(0, Math.min(255, page.data[i]! + n[i]! - 128));
  }
  if (spec.rotate) {
    const angle = spec.rotate;
    page = await step(page, (s) => s.rotate(angle));
  }
  const w = page.width;
  const h = page.height;
  let img = sharp(page.data, { raw: { width: w, height: h, channels: 1 } });
  img = img.withMetadata({ density: spec.dpi });
  if (spec.output === 'jpeg40') return { bytes: await img.jpeg({ quality: 40 }).toBuffer(), width: w, height: h, format: 'jpeg' };
  if (spec.output === 'bilevel') return { bytes: await img.threshold(128).png({ colours: 2, palette: true }).toBuffer(), width: w, height: h, format: 'png' };
  return { bytes: await img.png({ compressionLevel: 1 }).toBuffer(), width: w, height: h, format: 'png' };
}

/** Wide (1) and narrow (0) bars of each patch code, from its leading edge. */
export const PATCH_BARS = { 'Patch 1': '1100', 'Patch 2': '1001', 'Patch 3': '1010', 'Patch 4': '0110', 'Patch 6': '0011', 'Patch T': '0101' } as const;
export type PatchText = keyof typeof PATCH_BARS;

/**
 * An A4 patch code separator sheet as PNG: the standard's bars (wide 0.20 in,
 * narrow bars and spaces 0.08 in) 3 in long, 0.5 in below the top edge, and a
 * caption, at `dpi`; `rotate` turns the sheet (fed the other way round).
 */
export async function patchSheetPage(text: PatchText, dpi: number, rotate: 0 | 90 | 180 | 270 = 0): Promise<{ bytes: Buffer; width: number; height: number; barsBox: { x: number; y: number; width: number; height: number } }> {
  const width = Math.round((A4.width / 25.4) * dpi);
  const height = Math.round((A4.height / 25.4) * dpi);
  let y = 0.5;
  let body = '';
  const x = 2.5;
  for (const b of PATCH_BARS[text]) {
    const h = b === '1' ? 0.2 : 0.08;
    body += `<rect x="${x * dpi}" y="${y * dpi}" width="${3 * dpi}" height="${h * dpi}" fill="#000"/>`;
    y += h + 0.08;
  }
  const barsBox = { x: Math.round(x * dpi), y: Math.round(0.5 * dpi), width: 3 * dpi, height: Math.round((y - 0.08 - 0.5) * dpi) };
  body += `<text x="${x * dpi}" y="${3 * dpi}" font-family="sans-serif" font-size="${0.4 * dpi}">${text}</text>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/>${body}</svg>`;
  const bytes = await sharp(Buffer.from(svg)).rotate(rotate).greyscale().withMetadata({ density: dpi }).png({ compressionLevel: 1 }).toBuffer();
  const turned = rotate === 90 || rotate === 270;
  return { bytes, width: turned ? height : width, height: turned ? width : height, barsBox };
}
