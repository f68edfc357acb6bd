/**
 * The static part of a page (everything but the slots), rendered once per
 * paper size, resolution, side and colour mode and kept in a small cache:
 * rendering the SVG takes around a second at 300 dpi, copying a template a
 * few milliseconds.
 */
import type { ColorMode } from '@scanbridge/protocol';
import sharp from 'sharp';
import { LruCache } from './lru-cache.js';
import { type Rect, type Side, type Slot, layoutPage } from './page-layout.js';
import { PAPER_GRAY, applyPaper } from './paper.js';
import { type Tone, toneTable } from './tone.js';

export interface TemplateKey {
  widthMm: number;
  heightMm: number;
  dpi: number;
  side: Side;
  mode: ColorMode;
  /** Only line-art bakes the tone in (it decides the threshold); grey and colour apply it at encoding. */
  tone: Tone;
}

export interface PageTemplate {
  width: number;
  height: number;
  mode: ColorMode;
  channels: 1 | 3;
  /**
   * Grey and colour: 8-bit samples, rows of width * channels bytes. Line-art:
   * PNG scanlines (a 0 filter byte, then 1-bit pixels MSB first, 1 = white),
   * so a page only needs deflating.
   */
  data: Buffer;
  stride: number;
  slots: Slot[];
}

/** Pixels for a length in millimetres at dpi, as the spec of every page says. */
export const pixels = (mm: number, dpi: number): number => Math.max(1, Math.round((mm / 25.4) * dpi));

// Four A4 300 dpi colour templates are ~100 MB; one Legal 600 dpi colour template alone is 128 MB.
const cache = new LruCache<PageTemplate>(4, 256 * 1024 * 1024);

export function pageTemplate(key: TemplateKey): Promise<PageTemplate> {
  const width = pixels(key.widthMm, key.dpi);
  const height = pixels(key.heightMm, key.dpi);
  const bytes = key.mode === 'bw' ? (Math.ceil(width / 8) + 1) * height : width * height * (key.mode === 'color' ? 3 : 1);
  const toneKey = key.mode === 'bw' ? `${key.tone.a},${key.tone.b}` : '';
  const id = [key.widthMm, key.heightMm, key.dpi, key.side, key.mode, toneKey].join('|');
  return cache.get(id, bytes, () => renderTemplate(key, width, height));
}

/** Drops cached templates (tests, memory pressure). */
export function clearTemplates(): void {
  cache.clear();
}

async function renderTemplate(key: TemplateKey, width: number, height: number): Promise<PageTemplate> {
  const layout = layoutPage(key.side, key.widthMm, key.heightMm, width, height);
  const toPx = (r: Rect): Rect => ({ x: (r.x / 25.4) * key.dpi, y: (r.y / 25.4) * key.dpi, width: (r.width / 25.4) * key.dpi, height: (r.height / 25.4) * key.dpi });
  const rendered = sharp(Buffer.from(layout.svg), { limitInputPixels: false }).flatten({ background: '#ffffff' });
  const { data, info } = await (key.mode === 'color' ? rendered.removeAlpha() : rendered.greyscale().toColourspace('b-w')).raw().toBuffer({ resolveWithObject: true });
  const channels = key.mode === 'color' ? 3 : 1;
  if (info.width !== width || info.height !== height || info.channels !== channels) {
    throw new Error(`demo page rendered as ${info.width}x${info.height}x${info.channels}, expected ${width}x${height}x${channels}`);
  }
  if (key.mode !== 'bw') {
    applyPaper(data, width, height, channels);
    return { width, height, mode: key.mode, channels, data, stride: width * channels, slots: layout.slots };
  }
  const scanlines = lineArt(data, width, height, key.tone, layout.photo && toPx(layout.photo));
  return { width, height, mode: 'bw', channels: 1, data: scanlines, stride: Math.ceil(width / 8) + 1, slots: layout.slots };
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
 * Line-art as a scanner makes it: a fixed threshold for text and lines, and a
 * halftone dither for the photo (a plain threshold turns it into blotches).
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
