/**
 * Paints coverage masks (barcodes, glyphs) into a band of template rows: ink
 * multiplies the paper as toner does, and in line-art the result goes
 * through the same tone curve and threshold as the rest of the page.
 */
import type { Mask } from './barcodes.js';
import { PAPER_GRAY } from './paper.js';
import { type Tone, toneTable } from './tone.js';

export type Rgb = readonly [number, number, number];

/** Rows y0..y1 of PNG scanlines (filter byte first) of a page `width` pixels wide. */
export interface RowBand {
  rows: Buffer;
  y0: number;
  y1: number;
  width: number;
  rowBytes: number;
  /** 8-bit samples per pixel, or 'bits' for 1-bit line-art. */
  layout: 1 | 3 | 'bits';
}

const luma = (rgb: Rgb): number => Math.round(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]);

export function paint(band: RowBand, mask: Mask, ink: Rgb, tone: Tone): void {
  const x0 = Math.max(0, mask.x);
  const x1 = Math.min(band.width, mask.x + mask.width);
  const y0 = Math.max(band.y0, mask.y);
  const y1 = Math.min(band.y1, mask.y + mask.height);
  if (x0 >= x1 || y0 >= y1) return;
  if (band.layout === 'bits') return paintBits(band, mask, luma(ink), tone, x0, y0, x1, y1);
  const channels = band.layout;
  const inks = channels === 3 ? ink : [luma(ink)];
  const { rows } = band;
  for (let y = y0; y < y1; y++) {
    const src = (y - mask.y) * mask.width - mask.x;
    const row = (y - band.y0) * band.rowBytes + 1;
    for (let x = x0; x < x1; x++) {
      const coverage = 255 - (mask.data[src + x] ?? 255);
      if (coverage === 0) continue;
      for (let c = 0; c < channels; c++) {
        const o = row + x * channels + c;
        const filter = 255 - (coverage * (255 - (inks[c] ?? 0))) / 255;
        rows[o] = ((rows[o] ?? 0) * filter) / 255;
      }
    }
  }
}

function paintBits(band: RowBand, mask: Mask, ink: number, tone: Tone, x0: number, y0: number, x1: number, y1: number): void {
  const table = toneTable(tone);
  // White or black for each coverage value, over paper.
  const white = new Uint8Array(256);
  for (let m = 0; m < 256; m++) {
    const value = (PAPER_GRAY * (255 - ((255 - m) * (255 - ink)) / 255)) / 255;
    white[m] = (table[Math.round(value)] ?? 0) >= 128 ? 1 : 0;
  }
  const { rows } = band;
  for (let y = y0; y < y1; y++) {
    const src = (y - mask.y) * mask.width - mask.x;
    const row = (y - band.y0) * band.rowBytes + 1;
    for (let x = x0; x < x1; x++) {
      const m = mask.data[src + x] ?? 255;
      if (m === 255) continue;
      const o = row + (x >> 3);
      const bit = 0x80 >> (x & 7);
      rows[o] = white[m] ? (rows[o] ?? 0) | bit : (rows[o] ?? 0) & ~bit;
    }
  }
}
