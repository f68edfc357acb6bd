/**
 * Blank page detection. A scanned blank page is never empty: sensor noise,
 * lamp fall-off, dust, the shadow of the paper edge, punch holes. Counting
 * dark pixels, or the standard deviation, mistakes those for content or
 * mistakes a single line of text for noise (a line of text covers far less
 * of the page than two punch holes). So the page is read as marks:
 *
 * 1. grey at 150 dpi, smoothed a little so that sensor noise does not break
 *    a faint shadow into specks; the paper level is the 95th percentile
 *    (robust to noise and to the content itself, which covers far less
 *    than 5 %);
 * 2. ink is darker than paper - inkThreshold, inside `margin` mm of the edges;
 * 3. ink is split into connected marks, and these are set aside: marks
 *    smaller than minMarkArea (noise, dust), marks touching the margin (the
 *    paper edge, its shadow, a border), and punch holes (round marks of 4 to
 *    10 mm near an edge, solid in the middle where a bold letter is not);
 * 4. the page is blank when the remaining marks cover less than minInkArea.
 *
 * Sizes are in millimetres so that the verdict does not depend on the
 * resolution of the scan.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { ParsedParamsOf, ResultOf } from '@scanbridge/protocol';
import type { StoredImage } from '../../buffer/types.js';
import { type Mark, findMarks } from './components.js';
import { histogram, percentile } from './otsu.js';
import { type WorkingGrey, workingGrey } from './working-grey.js';
import { transform } from '../raster.js';

type BlankMeasures = ResultOf<'DetectBlankImages'>[0][number]['measures'];

export type BlankOptions = Pick<ParsedParamsOf<'DetectBlankImages'>, 'inkThreshold' | 'minInkArea' | 'minMarkArea' | 'margin'>;

const WORKING_DPI = 150;
/** Gaussian sigma in working pixels: sensor noise averages out, strokes of text (2 pixels and more) stay dark. */
const SMOOTHING = 1;
/** Punch holes: ISO 838 holes are 6 mm wide, 12 mm from the edge; US three-hole punches about 6.5 mm, 10 mm in. */
const HOLE = { minMm: 4, maxMm: 10, fromEdgeMm: 25, minFill: 0.6 };

const round = (v: number, digits = 3): number => Number(v.toFixed(digits));

export async function measureBlank(image: StoredImage, opts: BlankOptions): Promise<{ blank: boolean; measures: BlankMeasures }> {
  const working = await workingGrey(image, WORKING_DPI);
  const g = { ...working, ...(await transform({ ...working, channels: 1, depth: 8 }, (s) => s.blur(SMOOTHING))) } as WorkingGrey;
  const mmX = 25.4 / g.xdpi;
  const mmY = 25.4 / g.ydpi;
  const mx = Math.round(opts.margin / mmX);
  const my = Math.round(opts.margin / mmY);
  if (2 * mx >= g.width || 2 * my >= g.height) {
    const size = `${round(g.width * mmX, 1)} x ${round(g.height * mmY, 1)} mm`;
    throw new ScanbridgeError('invalid-params', `params.margin: ${opts.margin} mm leaves nothing of a page of ${size}; allowed: less than half its shorter side`, { param: 'margin' });
  }
  const x0 = mx;
  const y0 = my;
  const x1 = g.width - mx;
  const y1 = g.height - my;

  const paper = percentile(histogram(g.data), 0.95);
  const level = paper - opts.inkThreshold;
  const ink = new Uint8Array(g.data.length);
  let sum = 0;
  let sum2 = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0, i = y * g.width + x0; x < x1; x++, i++) {
      const v = g.data[i]!;
      sum += v;
      sum2 += v * v;
      if (v < level) ink[i] = 1;
    }
  }
  const n = (x1 - x0) * (y1 - y0);
  const mean = sum / n;

  const pxArea = mmX * mmY;
  const ignored = { noise: 0, edges: 0, holes: 0 };
  let inkPx = 0;
  let components = 0;
  const isHole = (m: Mark): boolean => {
    const w = (m.maxX - m.minX + 1) * mmX;
    const h = (m.maxY - m.minY + 1) * mmY;
    const fill = m.area / ((m.maxX - m.minX + 1) * (m.maxY - m.minY + 1));
    const cx = ((m.minX + m.maxX + 1) / 2) * mmX;
    const cy = ((m.minY + m.maxY + 1) / 2) * mmY;
    const edge = Math.min(cx, cy, g.width * mmX - cx, g.height * mmY - cy);
    const roundish = w >= HOLE.minMm && w <= HOLE.maxMm && h >= HOLE.minMm && h <= HOLE.maxMm && w / h > 0.75 && w / h < 1.33 && fill >= HOLE.minFill;
    return roundish && edge <= HOLE.fromEdgeMm && solidCore(m);
  };
  // A hole is solid in the middle; a bold letter of the same size has gaps there.
  const solidCore = (m: Mark): boolean => {
    const cx = (m.minX + m.maxX) / 2;
    const cy = (m.minY + m.maxY) / 2;
    const r = 0.35 * Math.min(m.maxX - m.minX + 1, m.maxY - m.minY + 1);
    let inside = 0;
    let inked = 0;
    for (let y = Math.ceil(cy - r); y <= cy + r; y++) {
      for (let x = Math.ceil(cx - r); x <= cx + r; x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) continue;
        inside++;
        inked += ink[y * g.width + x]!;
      }
    }
    return inside > 0 && inked >= 0.95 * inside;
  };
  for (const m of findMarks(ink, g.width, x0, y0, x1, y1)) {
    if (m.area * pxArea < opts.minMarkArea) ignored.noise++;
    else if (m.minX === x0 || m.minY === y0 || m.maxX === x1 - 1 || m.maxY === y1 - 1) ignored.edges++;
    else if (isHole(m)) ignored.holes++;
    else {
      components++;
      inkPx += m.area;
    }
  }
  const inkArea = inkPx * pxArea;
  return {
    blank: inkArea < opts.minInkArea,
    measures: {
      paper,
      mean: round(mean, 2),
      stdDev: round(Math.sqrt(Math.max(0, sum2 / n - mean * mean)), 2),
      inkArea: round(inkArea),
      inkRatio: round(inkPx / n, 6),
      components,
      ignored,
    },
  };
}
