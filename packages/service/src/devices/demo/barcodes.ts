/**
 * Code 128 and QR symbols painted module by module from bwip-js's symbol
 * matrices: whole-pixel modules keep the bars crisp at every resolution, so
 * a barcode reader decodes every demo page.
 */
import bwipjs from 'bwip-js';

export interface Mask {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Coverage, 255 = no ink, 0 = full ink. */
  data: Uint8Array;
}

/** Target narrow bar width; real labels use 0.25..0.5 mm. */
const CODE128_MODULE_MM = 0.34;
const CODE128_QUIET = 10;
const QR_QUIET = 4;

/** A Code 128 symbol centred in the box (pixels), as large as fits up to the target module. */
export function code128(text: string, box: { x: number; y: number; width: number; height: number }, dpi: number): Mask {
  const [symbol] = bwipjs.raw('code128', text) as { sbs?: number[] }[];
  const runs = symbol?.sbs;
  if (!runs) throw new Error('bwip-js returned no Code 128 symbol');
  const modules = runs.reduce((a, b) => a + b, 0);
  const module = Math.max(1, Math.min(Math.floor((dpi * CODE128_MODULE_MM) / 25.4), Math.floor(box.width / (modules + 2 * CODE128_QUIET))));
  const width = modules * module;
  const height = Math.max(1, Math.floor(box.height));
  const row = new Uint8Array(width).fill(255);
  let x = 0;
  runs.forEach((run, i) => {
    if (i % 2 === 0) row.fill(0, x * module, (x + run) * module);
    x += run;
  });
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) data.set(row, y * width);
  return { x: Math.round(box.x + (box.width - width) / 2), y: Math.round(box.y), width, height, data };
}

/** A QR code (error correction M) centred in the square box, quiet zone included in the box. */
export function qrCode(text: string, box: { x: number; y: number; width: number; height: number }): Mask {
  const [symbol] = bwipjs.raw('qrcode', text, 'eclevel=M') as { pixs?: number[]; pixx?: number; pixy?: number }[];
  const n = symbol?.pixx;
  const pixs = symbol?.pixs;
  if (!n || !pixs || symbol.pixy !== n) throw new Error('bwip-js returned no QR symbol');
  const module = Math.max(1, Math.floor(Math.min(box.width, box.height) / (n + 2 * QR_QUIET)));
  const size = n * module;
  const data = new Uint8Array(size * size).fill(255);
  for (let my = 0; my < n; my++) {
    for (let mx = 0; mx < n; mx++) {
      if (!pixs[my * n + mx]) continue;
      for (let y = my * module; y < (my + 1) * module; y++) data.fill(0, y * size + mx * module, y * size + (mx + 1) * module);
    }
  }
  return { x: Math.round(box.x + (box.width - size) / 2), y: Math.round(box.y + (box.height - size) / 2), width: size, height: size, data };
}
