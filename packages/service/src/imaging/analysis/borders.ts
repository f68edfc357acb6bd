/**
 * Border detection: the dark frame a scanner leaves around a page that is
 * smaller than its scan area (the black lid or feeder background), and the
 * shadow of the paper edge just inside it.
 *
 * From each edge inwards, rows (or columns) where at least `coverage` of the
 * pixels are darker than `threshold` are border; then up to 3 mm of rows that
 * are still darker than the paper in places (the shadow, the ragged edge of
 * a slightly skewed sheet) go with it. Text lines rarely darken half a row,
 * so content stops the border walk; the shadow walk never goes further than
 * 3 mm. Rows are measured across the columns that are not border and the
 * other way round, twice, so that the top border does not count as dark
 * columns and hide the left one.
 *
 * Works on the full resolution: the result is a crop in page pixels.
 */
import { histogram, percentile } from './otsu.js';

export interface PixelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface BorderOptions {
  threshold: number;
  coverage: number;
}

/** Shadow: lines where more than 10 % of the pixels are 40 grey levels darker than the paper, up to 3 mm in. */
const SHADOW_FRACTION = 0.1;
const SHADOW_DEPTH = 40;
const SHADOW_MM = 3;

interface Grey {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Fraction of pixels darker than `level` of each row of the rectangle (or of each column, with `columns`). */
function darkness(g: Grey, r: PixelRect, level: number, columns: boolean): Float64Array {
  const out = new Float64Array(columns ? g.width : g.height);
  for (let y = r.y; y < r.y + r.height; y++) {
    for (let x = r.x, i = y * g.width + r.x; x < r.x + r.width; x++, i++) {
      if (g.data[i]! < level) out[columns ? x : y]!++;
    }
  }
  const across = columns ? r.height : r.width;
  for (let i = 0; i < out.length; i++) out[i]! /= across;
  return out;
}

/** [start, end) of the lines between the borders, within [0, n): border lines first, then shadow lines up to `shadow` of them. */
function inner(border: Float64Array, shade: Float64Array, coverage: number, shadow: number): [number, number] {
  const n = border.length;
  let a = 0;
  while (a < n && border[a]! >= coverage) a++;
  if (a > 0) for (const stop = Math.min(n, a + shadow); a < stop && shade[a]! > SHADOW_FRACTION; ) a++;
  let b = n;
  while (b > a && border[b - 1]! >= coverage) b--;
  if (b < n) for (const stop = Math.max(a, b - shadow); b > stop && shade[b - 1]! > SHADOW_FRACTION; ) b--;
  return [a, b];
}

/** The area inside the borders; the whole page when it has none, or when it is border all over (no paper found). */
export function contentArea(g: Grey, dpi: { xdpi: number; ydpi: number }, opts: BorderOptions): PixelRect {
  const whole = { x: 0, y: 0, width: g.width, height: g.height };
  const shadowX = Math.round((SHADOW_MM / 25.4) * dpi.xdpi);
  const shadowY = Math.round((SHADOW_MM / 25.4) * dpi.ydpi);
  const shadowLevel = percentile(histogram(g.data), 0.95) - SHADOW_DEPTH;
  const profiles = (r: PixelRect, columns: boolean) => [darkness(g, r, opts.threshold, columns), darkness(g, r, shadowLevel, columns)] as const;
  let area = whole;
  for (let pass = 0; pass < 2; pass++) {
    const [top, bottom] = inner(...profiles({ ...area, y: 0, height: g.height }, false), opts.coverage, shadowY);
    if (bottom <= top) return whole;
    const [left, right] = inner(...profiles({ ...area, x: 0, width: g.width, y: top, height: bottom - top }, true), opts.coverage, shadowX);
    if (right <= left) return whole;
    area = { x: left, y: top, width: right - left, height: bottom - top };
  }
  return area;
}
