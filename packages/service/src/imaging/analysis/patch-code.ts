/**
 * Patch code detection (Kodak patch codes: the separator sheets of document
 * scanners). A patch code is four bars printed parallel to the sheet's leading
 * edge, each 0.20 in (wide) or 0.08 in (narrow), with three 0.08 in spaces
 * between them: 0.8 in across in all, and 2 in or more along the bars. Which
 * two bars are wide names the code. No npm library reads them.
 *
 * The page is read along lines across the bars, each line averaged over a thin
 * band so noise and JPEG blocks do not split a bar. A line that crosses exactly
 * four bars with the standard's proportions, between quiet zones, is a hit;
 * hits on neighbouring lines with the same code and nearly the same offset
 * form a chain, and only a chain over an inch long counts: text, table rules
 * and barcodes (many bars, no quiet zone after four) do not make one.
 *
 * The bars are read from the page edge nearest the code inward (patch codes
 * are printed along the leading edge), so a sheet fed or scanned upside down
 * or sideways gives the same code; sizes are measured in inches from the
 * image's dpi, so any scan resolution from 150 dpi up reads the same.
 */
import type { WorkingGrey } from './working-grey.js';
import { histogram, otsu } from './otsu.js';

export type PatchCodeType = 'patch1' | 'patch2' | 'patch3' | 'patch4' | 'patch6' | 'patchT';

export interface PatchCode {
  type: PatchCodeType;
  /** 0..1: share of the lines across the code that read it, scaled down for bars shorter than 2 in. */
  confidence: number;
  /** Direction of the bars in the image. */
  bars: 'horizontal' | 'vertical';
  /** The page edge the code was read from (its leading edge). */
  readFrom: 'top' | 'bottom' | 'left' | 'right';
  /** Bounding box of the bars, in image pixels. */
  region: { x: number; y: number; width: number; height: number };
}

/** Wide (1) / narrow (0) bars, read from the leading edge. */
const CODES: Record<string, PatchCodeType> = {
  '1100': 'patch1',
  '1001': 'patch2',
  '1010': 'patch3',
  '0110': 'patch4',
  '0011': 'patch6',
  '0101': 'patchT',
};

const STEP = 0.1; // between lines across the bars, inches
const BAND = 0.04; // width each line is averaged over, inches
const QUIET = 0.15; // light margin required on both sides, inches
const MIN_LENGTH = 1.2; // shortest chain of hits accepted, inches
const MAX_DRIFT = 0.06; // offset change between neighbouring hits (skew), inches

interface Hit {
  pos: number; // along the bars, pixels
  start: number; // across the bars, pixels
  end: number;
  bits: string; // in scan order
}

export function detectPatchCode(grey: WorkingGrey): PatchCode | null {
  const thr = Math.min(180, Math.max(60, otsu(histogram(grey.data, 7))));
  const across = [scan(grey, 'y', thr), scan(grey, 'x', thr)];
  let best: { chain: Hit[]; axis: 'x' | 'y'; length: number; confidence: number } | null = null;
  for (const [i, hits] of across.entries()) {
    const axis = i === 0 ? 'y' : 'x';
    const alongDpi = axis === 'y' ? grey.xdpi : grey.ydpi;
    for (const chain of chains(hits, (MAX_DRIFT * (axis === 'y' ? grey.ydpi : grey.xdpi)), STEP * alongDpi)) {
      const length = (chain[chain.length - 1]!.pos - chain[0]!.pos) / alongDpi + STEP;
      if (length < MIN_LENGTH) continue;
      const lines = Math.round((chain[chain.length - 1]!.pos - chain[0]!.pos) / (STEP * alongDpi)) + 1;
      const confidence = Math.min(1, chain.length / lines) * Math.min(1, length / 2);
      if (!best || length > best.length) best = { chain, axis, length, confidence };
    }
  }
  if (!best) return null;
  const { chain, axis } = best;
  const start = Math.min(...chain.map((h) => h.start));
  const end = Math.max(...chain.map((h) => h.end));
  const extent = axis === 'y' ? grey.height : grey.width;
  const reversed = (start + end) / 2 > extent / 2;
  const bits = reversed ? [...chain[0]!.bits].reverse().join('') : chain[0]!.bits;
  const type = CODES[bits];
  if (!type) return null;
  const p0 = chain[0]!.pos;
  const p1 = chain[chain.length - 1]!.pos;
  const region =
    axis === 'y'
      ? { x: p0, y: start, width: p1 - p0 + 1, height: end - start }
      : { x: start, y: p0, width: end - start, height: p1 - p0 + 1 };
  const readFrom = axis === 'y' ? (reversed ? 'bottom' : 'top') : reversed ? 'right' : 'left';
  return { type, confidence: Math.round(best.confidence * 100) / 100, bars: axis === 'y' ? 'horizontal' : 'vertical', readFrom, region };
}

/** Hits on lines running along `axis` (y: down the columns, across horizontal bars). */
function scan(g: WorkingGrey, axis: 'x' | 'y', thr: number): Hit[] {
  const alongDpi = axis === 'y' ? g.xdpi : g.ydpi;
  const acrossDpi = axis === 'y' ? g.ydpi : g.xdpi;
  const lines = axis === 'y' ? g.width : g.height;
  const len = axis === 'y' ? g.height : g.width;
  const step = Math.max(1, Math.round(STEP * alongDpi));
  const band = Math.max(1, Math.round(BAND * alongDpi));
  const smooth = Math.max(1, Math.round(0.012 * acrossDpi));
  const profile = new Float64Array(len);
  const dark = new Uint8Array(len);
  const hits: Hit[] = [];
  for (let p = 0; p + band <= lines; p += step) {
    profile.fill(0);
    dark.fill(0);
    // Memory order in both cases: down the columns, each row's few band pixels are summed together
    // (one cache line a row) rather than one column at a time (a pass over every row per column).
    if (axis === 'y') {
      for (let i = 0, o = p; i < len; i++, o += g.width) {
        let sum = 0;
        for (let b = 0; b < band; b++) sum += g.data[o + b]!;
        profile[i] = sum;
      }
    } else {
      for (let b = p; b < p + band; b++) for (let i = 0, o = b * g.width; i < len; i++) profile[i]! += g.data[o + i]!;
    }
    // A short box filter across the bars as well: a speckle must not split a bar or a space.
    let acc = 0;
    for (let i = 0; i < len; i++) {
      acc += profile[i]!;
      if (i >= smooth) acc -= profile[i - smooth]!;
      const n = Math.min(i + 1, smooth);
      dark[Math.max(0, i - (smooth >> 1))] = acc / (n * band) < thr ? 1 : 0;
    }
    const runs = runsOf(dark);
    for (let r = 1; r + 7 < runs.length; r++) {
      if (!runs[r]!.dark) continue;
      const bits = pattern(runs, r, acrossDpi);
      if (bits) hits.push({ pos: p + (band >> 1), start: runs[r]!.at, end: runs[r + 6]!.at + runs[r + 6]!.len, bits });
    }
  }
  return hits;
}

interface Run { dark: boolean; at: number; len: number }

function runsOf(dark: Uint8Array): Run[] {
  const runs: Run[] = [];
  let at = 0;
  for (let i = 1; i <= dark.length; i++) {
    if (i === dark.length || dark[i] !== dark[at]) {
      runs.push({ dark: dark[at] === 1, at, len: i - at });
      at = i;
    }
  }
  return runs;
}

/** The wide/narrow bits if runs r..r+6 are four bars and three spaces in the standard's proportions, between quiet zones. */
function pattern(runs: Run[], r: number, dpi: number): string | null {
  const before = runs[r - 1]!;
  const after = runs[r + 7]!;
  if (before.len < QUIET * dpi || after.len < QUIET * dpi) return null;
  let total = 0;
  for (let k = 0; k < 7; k++) total += runs[r + k]!.len;
  const inches = total / dpi;
  if (inches < 0.6 || inches > 1.0) return null;
  const unit = total / 10; // 2 wide (2.5 units) + 2 narrow + 3 spaces
  let bits = '';
  for (let k = 0; k < 7; k++) {
    const w = runs[r + k]!.len / unit;
    if (k % 2 === 1) {
      if (w < 0.45 || w > 1.7) return null;
    } else if (w >= 0.45 && w < 1.6) bits += '0';
    else if (w >= 1.75 && w <= 3.4) bits += '1';
    else return null;
  }
  return bits.split('1').length === 3 ? bits : null;
}

/** Groups hits into runs of neighbouring lines that read the same code at nearly the same offset. */
function chains(hits: Hit[], drift: number, step: number): Hit[][] {
  const open: Hit[][] = [];
  for (const h of hits) {
    let joined = false;
    for (const c of open) {
      const last = c[c.length - 1]!;
      if (last.bits === h.bits && h.pos > last.pos && h.pos - last.pos <= 3 * step + 1 && Math.abs(h.start - last.start) <= drift * ((h.pos - last.pos) / step)) {
        c.push(h);
        joined = true;
        break;
      }
    }
    if (!joined) open.push([h]);
  }
  return open;
}
