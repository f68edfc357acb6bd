/**
 * The static part of a page (everything but the slots), rendered once per
 * paper size, resolution, side, colour mode and tone, and kept in a small
 * cache: rendering the SVG takes about a second at 300 dpi.
 *
 * A template is kept as PNG scanlines cut into bands. Bands no slot touches
 * are stored deflated, ready to be joined into every page; the few bands
 * holding slots keep their raw rows (before brightness and contrast) for
 * the page to paint on and deflate.
 */
import type { ColorMode } from '@scanbridge/protocol';
import { sharp } from '../../imaging/sharp.js';
import { atlasGeometry } from './glyph-atlas.js';
import { LruCache } from './lru-cache.js';
import { type Rect, type Side, type Slot, layoutPage } from './page-layout.js';
import { PAPER_GRAY, applyPaper } from './paper.js';
import { photoSvg } from './photo.js';
import { type DeflatedPiece, deflatePiece } from '../../formats/png-pieces.js';
import { type Tone, isIdentity, toneTable } from './tone.js';

export interface TemplateKey {
  widthMm: number;
  heightMm: number;
  dpi: number;
  side: Side;
  mode: ColorMode;
  tone: Tone;
}

/** Rows y0..y1 (exclusive), either deflated already or raw for painting. */
export type Band = { kind: 'static'; y0: number; y1: number; piece: DeflatedPiece } | { kind: 'slots'; y0: number; y1: number; rows: Buffer };

export interface PageTemplate {
  width: number;
  height: number;
  mode: ColorMode;
  channels: 1 | 3;
  bitDepth: 1 | 8;
  /**
   * Bytes per PNG scanline: a filter byte (0), then 8-bit samples, or for
   * line-art 1-bit pixels MSB first with 1 = white.
   */
  rowBytes: number;
  slots: Slot[];
  bands: Band[];
}

/** Pixels for a length in millimetres at dpi. */
export const pixels = (mm: number, dpi: number): number => Math.max(1, Math.round((mm / 25.4) * dpi));

/** Millimetres to (fractional) pixels. */
export const toPx = (mm: number, dpi: number): number => (mm / 25.4) * dpi;

/** Rows a slot paints, from the same geometry page-render uses. */
export function slotRows(slot: Slot, dpi: number): [number, number] {
  if (slot.kind !== 'text') return [Math.floor(toPx(slot.rect.y, dpi)), Math.ceil(toPx(slot.rect.y + slot.rect.height, dpi))];
  const cell = atlasGeometry(toPx(slot.size, dpi));
  const top = Math.round(toPx(slot.baseline, dpi)) - cell.baseline;
  return [top, top + cell.cellHeight];
}

// Deflating 256 rows at a time lets template building use every thread of the pool.
const STATIC_BAND_ROWS = 256;
// Page bands stay small enough for two or three to deflate in parallel.
const SLOT_BAND_ROWS = 192;
const STATIC_LEVEL = 6;

// Templates keep only deflated bands and slot rows: about 3 MB for an A4 300 dpi colour page.
const cache = new LruCache<PageTemplate>(12, 160 * 1024 * 1024);

export function pageTemplate(key: TemplateKey): Promise<PageTemplate> {
  const width = pixels(key.widthMm, key.dpi);
  const height = pixels(key.heightMm, key.dpi);
  // A guess for the budget: deflated bands plus the raw slot bands.
  const bytes = Math.ceil(((key.mode === 'bw' ? width / 8 : width * (key.mode === 'color' ? 3 : 1)) * height) / 4);
  const id = [key.widthMm, key.heightMm, key.dpi, key.side, key.mode, key.tone.a, key.tone.b].join('|');
  return cache.get(id, bytes, () => renderTemplate(key, width, height));
}

/** Drops cached templates. */
export function clearTemplates(): void {
  cache.clear();
}

async function renderTemplate(key: TemplateKey, width: number, height: number): Promise<PageTemplate> {
  const layout = layoutPage(key.side, key.widthMm, key.heightMm, width, height);
  const rendered = sharp(Buffer.from(layout.svg), { limitInputPixels: false }).flatten({ background: '#ffffff' });
  const { data, info } = await (key.mode === 'color' ? rendered.removeAlpha() : rendered.greyscale().toColourspace('b-w')).raw().toBuffer({ resolveWithObject: true });
  const channels = key.mode === 'color' ? 3 : 1;
  if (info.width !== width || info.height !== height || info.channels !== channels) {
    throw new Error(`demo page rendered as ${info.width}x${info.height}x${info.channels}, expected ${width}x${height}x${channels}`);
  }
  const photo = layout.photo && { x: toPx(layout.photo.x, key.dpi), y: toPx(layout.photo.y, key.dpi), width: toPx(layout.photo.width, key.dpi), height: toPx(layout.photo.height, key.dpi) };
  if (photo) await placePhoto(data, width, channels, photo);
  let rowsOf: (y0: number, y1: number) => Buffer;
  let rowBytes: number;
  if (key.mode === 'bw') {
    rowBytes = Math.ceil(width / 8) + 1;
    const scanlines = lineArt(data, width, height, key.tone, photo);
    rowsOf = (y0, y1) => Buffer.from(scanlines.subarray(y0 * rowBytes, y1 * rowBytes));
  } else {
    applyPaper(data, width, height, channels);
    rowBytes = width * channels + 1;
    // Scanlines are made band by band so that the page is never held twice.
    rowsOf = (y0, y1) => {
      const rows = Buffer.alloc((y1 - y0) * rowBytes);
      for (let y = y0; y < y1; y++) data.copy(rows, (y - y0) * rowBytes + 1, y * (rowBytes - 1), (y + 1) * (rowBytes - 1));
      return rows;
    };
  }
  const slotRanges = mergeRanges(layout.slots.map((slot) => slotRows(slot, key.dpi)), height);
  const bands = await cutBands(rowsOf, rowBytes, height, slotRanges, key.mode === 'bw' ? null : key.tone);
  return { width, height, mode: key.mode, channels, bitDepth: key.mode === 'bw' ? 1 : 8, rowBytes, slots: layout.slots, bands };
}

/** Renders the photo on its own canvas and copies it into the page raster. */
async function placePhoto(page: Buffer, width: number, channels: 1 | 3, area: Rect): Promise<void> {
  const x0 = Math.round(area.x);
  const y0 = Math.round(area.y);
  const w = Math.min(width - x0, Math.round(area.x + area.width) - x0);
  const h = Math.round(area.y + area.height) - y0;
  if (w < 1 || h < 1) return;
  const rendered = sharp(Buffer.from(photoSvg(w, h))).flatten({ background: '#ffffff' });
  const { data, info } = await (channels === 3 ? rendered.removeAlpha() : rendered.greyscale().toColourspace('b-w')).raw().toBuffer({ resolveWithObject: true });
  const rowLength = info.width * channels;
  const rows = Math.min(info.height, page.length / (width * channels) - y0);
  for (let y = 0; y < rows; y++) data.copy(page, ((y0 + y) * width + x0) * channels, y * rowLength, (y + 1) * rowLength);
}

/** Row ranges padded, clamped and merged when close (two bands cost more than a few extra rows). */
function mergeRanges(ranges: [number, number][], height: number): [number, number][] {
  const sorted = ranges.map(([a, b]): [number, number] => [Math.max(0, a - 2), Math.min(height, b + 2)]).filter(([a, b]) => a < b);
  sorted.sort((p, q) => p[0] - q[0]);
  const merged: [number, number][] = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1] + 32) last[1] = Math.max(last[1], range[1]);
    else merged.push(range);
  }
  return merged;
}

async function cutBands(rowsOf: (y0: number, y1: number) => Buffer, rowBytes: number, height: number, slotRanges: [number, number][], tone: Tone | null): Promise<Band[]> {
  const plan: { kind: 'static' | 'slots'; y0: number; y1: number }[] = [];
  const split = (kind: 'static' | 'slots', y0: number, y1: number, size: number): void => {
    const count = Math.ceil((y1 - y0) / size);
    for (let i = 0; i < count; i++) plan.push({ kind, y0: y0 + Math.round(((y1 - y0) * i) / count), y1: y0 + Math.round(((y1 - y0) * (i + 1)) / count) });
  };
  let y = 0;
  for (const [a, b] of slotRanges) {
    if (a > y) split('static', y, a, STATIC_BAND_ROWS);
    split('slots', a, b, SLOT_BAND_ROWS);
    y = b;
  }
  if (y < height) split('static', y, height, STATIC_BAND_ROWS);

  const table = tone && !isIdentity(tone) ? toneTable(tone) : null;
  return Promise.all(
    plan.map(async ({ kind, y0, y1 }): Promise<Band> => {
      // Copies, so that the full-page raster can go once the template is built.
      const rows = rowsOf(y0, y1);
      if (kind === 'slots') return { kind, y0, y1, rows };
      if (table) applyTone(rows, rowBytes, table);
      return { kind, y0, y1, piece: await deflatePiece(rows, STATIC_LEVEL) };
    }),
  );
}

/** Applies a tone table to 8-bit scanlines in place, leaving the filter bytes alone. */
export function applyTone(rows: Buffer, rowBytes: number, table: Uint8Array): void {
  for (let i = 0; i < rows.length; i++) {
    if (i % rowBytes !== 0) rows[i] = table[rows[i] ?? 0] ?? 0;
  }
}

// 8x8 ordered dither thresholds (Bayer), scaled to 0..255.
const BAYER = (() => {
  const m = new Uint8Array(64);
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      let v = 0;
      for (let bit = 0; bit < 3; bit++) {
        const xb = (x >> bit) & 1;
        const yb = (y >> bit) & 1;
        v |= ((xb ^ yb) << (5 - 2 * bit)) | (yb << (4 - 2 * bit));
      }
      m[y * 8 + x] = Math.round(((v + 0.5) * 256) / 64);
    }
  }
  return m;
})();

/**
 * Line-art as a scanner makes it: a fixed threshold (after brightness and
 * contrast) for text and lines, and a halftone dither for the photo, which a
 * plain threshold would turn into blotches. Returns PNG scanlines.
 */
function lineArt(gray: Buffer, width: number, height: number, t: Tone, photo: Rect | null): Buffer {
  const table = toneTable(t);
  const paper = new Uint8Array(256);
  for (let v = 0; v < 256; v++) paper[v] = table[Math.round((v * PAPER_GRAY) / 255)] ?? 0;
  const stride = Math.ceil(width / 8) + 1;
  const out = Buffer.alloc(stride * height);
  const px0 = photo ? Math.floor(photo.x) : 0;
  const px1 = photo ? Math.ceil(photo.x + photo.width) : 0;
  const py0 = photo ? Math.floor(photo.y) : 0;
  const py1 = photo ? Math.ceil(photo.y + photo.height) : 0;
  for (let y = 0; y < height; y++) {
    const inPhotoRows = y >= py0 && y < py1;
    const row = y * stride + 1;
    const src = y * width;
    for (let x = 0; x < width; x++) {
      const v = paper[gray[src + x] ?? 255] ?? 255;
      const white = inPhotoRows && x >= px0 && x < px1 ? v > (BAYER[(y & 7) * 8 + (x & 7)] ?? 128) : v >= 128;
      if (white) out[row + (x >> 3)] = (out[row + (x >> 3)] ?? 0) | (0x80 >> (x & 7));
    }
  }
  return out;
}
