/**
 * Skew detection by projection profiles, the method of Leptonica and most
 * document scanners: text lines are the strongest straight structure on a
 * page, and when the page is projected along the right angle, the ink of
 * each line falls into a few rows, so the profile is as peaked as it gets.
 *
 * - The page is binarized (Otsu) at 150 dpi: enough for lines 1000 pixels
 *   long, where 0.1 degree moves a line's end by almost 2 pixels.
 * - Only the bottom edge of each ink run counts: baselines line up exactly,
 *   while the full strokes of letters (and photos) only blur the profile.
 * - The peakedness is the sum of squared bin counts; points are split
 *   between the two nearest bins so that the score changes smoothly with the
 *   angle rather than in steps.
 * - Coarse to fine: every 0.25 degree over the range (the nearest sample is
 *   then at most 0.125 off, where the profile is already far sharper than
 *   elsewhere), then every 0.02 degree around the best, then a parabola
 *   through the best three. About 160 projections instead of thousands.
 *
 * The angle is the one content is turned clockwise (as RotateImages turns
 * it); confidence compares the best score with the median score: near 0
 * when nothing in the page lines up (blank, a photo).
 */
import type { ResultOf } from '@scanbridge/protocol';
import type { StoredImage } from '../../buffer/types.js';
import { histogram, otsu, percentile } from './otsu.js';
import { workingGrey } from './working-grey.js';

export type SkewMeasure = ResultOf<'DeskewImages'>[0][number]['skew'];

export const WORKING_DPI = 150;
/** Fewer baseline points than this is no text to measure. */
const MIN_POINTS = 300;
/** More are sampled down: the profile does not get sharper. */
const MAX_POINTS = 150_000;
/** Ink must be this much darker than the paper (grey levels), or the page has no lines, only noise. */
const MIN_CONTRAST = 48;

const DEG = Math.PI / 180;

interface Points {
  xs: Float64Array;
  ys: Float64Array;
  /** Extent of the projections (pixels), for the bins. */
  reach: number;
}

function baselinePoints(data: Uint8Array, width: number, height: number, level: number): Points | null {
  let count = 0;
  for (let i = 0; i < width * (height - 1); i++) if (data[i]! < level && data[i + width]! >= level) count++;
  if (count < MIN_POINTS) return null;
  const step = Math.max(1, Math.ceil(count / MAX_POINTS));
  const n = Math.floor(count / step);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  let seen = 0;
  let k = 0;
  for (let y = 0; y < height - 1 && k < n; y++) {
    for (let x = 0; x < width && k < n; x++) {
      const i = y * width + x;
      if (data[i]! < level && data[i + width]! >= level && seen++ % step === 0) {
        xs[k] = x - width / 2;
        ys[k] = y - height / 2;
        k++;
      }
    }
  }
  return { xs, ys, reach: Math.ceil(Math.hypot(width, height) / 2) + 2 };
}

function score(p: Points, angle: number, bins: Float64Array): number {
  bins.fill(0);
  const sin = Math.sin(angle * DEG);
  const cos = Math.cos(angle * DEG);
  // Rows of content turned clockwise by `angle` satisfy y·cos - x·sin = constant.
  for (let i = 0; i < p.xs.length; i++) {
    const v = p.ys[i]! * cos - p.xs[i]! * sin + p.reach;
    const b = Math.floor(v);
    const f = v - b;
    bins[b]! += 1 - f;
    bins[b + 1]! += f;
  }
  let s = 0;
  for (let i = 0; i < bins.length; i++) s += bins[i]! * bins[i]!;
  return s;
}

export async function measureSkew(image: StoredImage, maxAngle: number): Promise<SkewMeasure> {
  return skewOfGrey(await workingGrey(image, WORKING_DPI), maxAngle);
}

/** The skew of 8-bit grey pixels already at about 150 dpi (WORKING_DPI), for a caller that holds them decoded (OCR's working copy). */
export function skewOfGrey(g: { data: Uint8Array; width: number; height: number }, maxAngle: number): SkewMeasure {
  const h = histogram(g.data);
  const level = otsu(h);
  if (percentile(h, 0.95) - level < MIN_CONTRAST) return { angle: 0, confidence: 0 };
  const points = baselinePoints(g.data, g.width, g.height, level);
  if (!points) return { angle: 0, confidence: 0 };
  const bins = new Float64Array(2 * points.reach + 2);
  const at = (a: number) => score(points, a, bins);

  const coarse: number[] = [];
  let best = 0;
  let bestScore = -1;
  for (let a = -maxAngle; a <= maxAngle + 1e-9; a += 0.25) {
    const s = at(a);
    coarse.push(s);
    if (s > bestScore) [best, bestScore] = [a, s];
  }
  const fine = best;
  for (let a = fine - 0.24; a <= fine + 0.24 + 1e-9; a += 0.02) {
    const s = at(a);
    if (s > bestScore) [best, bestScore] = [a, s];
  }
  // A parabola through the best and its neighbours places the peak between samples.
  const left = at(best - 0.02);
  const right = at(best + 0.02);
  const curve = left - 2 * bestScore + right;
  const shift = curve < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (left - right)) / curve)) * 0.02 : 0;

  coarse.sort((a, b) => a - b);
  const median = coarse[Math.floor(coarse.length / 2)]!;
  return { angle: Number((best + shift).toFixed(3)), confidence: Number(Math.max(0, 1 - median / bestScore).toFixed(3)) };
}
