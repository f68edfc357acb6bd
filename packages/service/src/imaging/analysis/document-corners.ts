/**
 * Finds the four corners of a sheet of paper in a photograph: a light page
 * on a darker desk, tilted, turned, unevenly lit.
 *
 * Written here rather than taken from OpenCV's JavaScript build
 * (@techstark/opencv-js): that package is one ~10 MB script with the
 * WebAssembly inlined, compiled again in every thread that loads it (about a
 * second each), for the handful of operations this needs; the service's
 * other analyses (otsu.ts, skew.ts, borders.ts) already work on raw grey
 * pixels the same way.
 *
 * 1. A working image, the darkest channel of each pixel averaged down to
 *    about 512 pixels on the long side: paper is light in every channel, a
 *    wooden or coloured desk is dark in at least one, and text vanishes.
 * 2. Otsu's threshold splits it into light and dark; the largest light
 *    region is the page candidate, and its convex hull swallows whatever is
 *    printed on the page.
 *    When that finds no clean page, the luminance is tried (under a warm
 *    lamp the paper's blue falls to a grey desk's level), then the luminance
 *    against its local mean (a lamp lighting the desk on one side brighter
 *    than the paper on the other); the most confident answer is taken.
 * 3. The quadrilateral of largest area on the hull's corners gives the four
 *    sides roughly; each side is then placed where the image changes most
 *    along its normal, at full resolution, in about 48 places, and a line
 *    through them (outliers dropped) gives the side. Neighbouring sides
 *    meet at the corners: a corner blunted by a shadow or a fold still comes
 *    out where the paper's edges point to.
 * 4. Confidence: how well the region fills its quadrilateral, times the
 *    share of places along the sides where a sharp edge was found.
 */
import { type Point, type Quad, isConvexClockwise, quadPoints, signedArea2, toQuad } from './homography.js';
import { histogram, otsu } from './otsu.js';

/** 8-bit pixels, 1 (grey) or 3 (RGB) channels, interleaved. */
export interface Pixels {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

export interface DocumentCorners {
  /** The page's corners in pixels of the image; the whole image when no page was found. */
  corners: Quad;
  /** 0 (nothing like a page) to 1 (a clean quadrilateral with sharp edges all round). */
  confidence: number;
  documentFound: boolean;
}

/** Below this confidence the quadrilateral is not trusted as a page. */
export const MIN_CONFIDENCE = 0.5;
/** A page must cover at least this share of the frame. */
const MIN_AREA = 0.04;
const WORKING_SIDE = 512;
const SAMPLES_PER_SIDE = 48;

export const wholeImage = (width: number, height: number): Quad => ({
  topLeft: { x: 0, y: 0 },
  topRight: { x: width, y: 0 },
  bottomRight: { x: width, y: height },
  bottomLeft: { x: 0, y: height },
});

/**
 * What the page is told apart by: its darkest channel (paper is light in all
 * three, a wooden or coloured desk is dark in one), or its luminance (under a
 * warm lamp the paper's blue channel falls to a grey desk's level).
 */
type Channel = 'darkest' | 'luma';

const value = (d: Uint8Array, i: number, c: number, channel: Channel): number =>
  c === 1 ? d[i]! : channel === 'darkest' ? Math.min(d[i]!, d[i + 1]!, d[i + 2]!) : (d[i]! * 77 + d[i + 1]! * 150 + d[i + 2]! * 29) >> 8;

/** The channel, averaged over f x f blocks. */
function working(p: Pixels, f: number, channel: Channel): { width: number; height: number; data: Uint8Array } {
  const width = Math.floor(p.width / f);
  const height = Math.floor(p.height / f);
  const sums = new Float64Array(width);
  const data = new Uint8Array(width * height);
  const c = p.channels;
  const src = p.data;
  for (let y = 0; y < height; y++) {
    sums.fill(0);
    for (let yy = y * f; yy < (y + 1) * f; yy++) {
      let i = yy * p.width * c;
      for (let x = 0; x < width; x++) {
        let s = 0;
        for (let k = 0; k < f; k++, i += c) s += value(src, i, c, channel);
        sums[x]! += s;
      }
    }
    for (let x = 0; x < width; x++) data[y * width + x] = Math.round(sums[x]! / (f * f));
  }
  return { width, height, data };
}

/** Light pixels of the largest 4-connected light region, as a row span (first and last x) per row. */
function largestRegion(light: Uint8Array, width: number, height: number): { area: number; spans: Int32Array } | null {
  const label = new Int32Array(width * height);
  const stack = new Int32Array(width * height);
  let best = 0;
  let bestArea = 0;
  let next = 1;
  for (let s = 0; s < light.length; s++) {
    if (!light[s] || label[s]) continue;
    const id = next++;
    let area = 0;
    let top = 0;
    stack[top++] = s;
    label[s] = id;
    while (top > 0) {
      const q = stack[--top]!;
      area++;
      const x = q % width;
      if (x > 0 && light[q - 1] && !label[q - 1]) (label[q - 1] = id), (stack[top++] = q - 1);
      if (x < width - 1 && light[q + 1] && !label[q + 1]) (label[q + 1] = id), (stack[top++] = q + 1);
      if (q >= width && light[q - width] && !label[q - width]) (label[q - width] = id), (stack[top++] = q - width);
      if (q + width < light.length && light[q + width] && !label[q + width]) (label[q + width] = id), (stack[top++] = q + width);
    }
    if (area > bestArea) (bestArea = area), (best = id);
  }
  if (!best) return null;
  const spans = new Int32Array(2 * height).fill(-1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (label[y * width + x] !== best) continue;
      if (spans[2 * y]! < 0) spans[2 * y] = x;
      spans[2 * y + 1] = x;
    }
  }
  return { area: bestArea, spans };
}

/** Convex hull (Andrew's monotone chain), clockwise on screen (y down). */
function convexHull(points: Point[]): Point[] {
  const p = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  if (p.length < 3) return p;
  const turn = (o: Point, a: Point, b: Point) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
  const lower: Point[] = [];
  for (const q of p) {
    while (lower.length >= 2 && turn(lower[lower.length - 2]!, lower[lower.length - 1]!, q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: Point[] = [];
  for (let i = p.length - 1; i >= 0; i--) {
    const q = p[i]!;
    while (upper.length >= 2 && turn(upper[upper.length - 2]!, upper[upper.length - 1]!, q) <= 0) upper.pop();
    upper.push(q);
  }
  // Counter-clockwise in y-up terms is clockwise on screen.
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/** Drops hull points that add less than `tolerance` (pixels) of deviation, so the quadrilateral search stays small. */
function simplify(hull: Point[], tolerance: number): Point[] {
  const pts = [...hull];
  let changed = true;
  while (changed && pts.length > 4) {
    changed = false;
    let worst = -1;
    let least = Infinity;
    for (let i = 0; i < pts.length; i++) {
      const a = pts[(i + pts.length - 1) % pts.length]!;
      const b = pts[i]!;
      const c = pts[(i + 1) % pts.length]!;
      const base = Math.hypot(c.x - a.x, c.y - a.y) || 1;
      const h = Math.abs((c.x - a.x) * (b.y - a.y) - (c.y - a.y) * (b.x - a.x)) / base;
      if (h < least) (least = h), (worst = i);
    }
    if (least < tolerance || pts.length > 24) {
      pts.splice(worst, 1);
      changed = true;
    }
  }
  return pts;
}

/** The four hull points spanning the largest quadrilateral, in hull (clockwise) order. */
function largestQuad(hull: Point[]): Point[] | null {
  const n = hull.length;
  if (n < 4) return null;
  let best: Point[] | null = null;
  let bestArea = 0;
  for (let a = 0; a < n; a++)
    for (let b = a + 1; b < n; b++)
      for (let c = b + 1; c < n; c++)
        for (let d = c + 1; d < n; d++) {
          const q = [hull[a]!, hull[b]!, hull[c]!, hull[d]!];
          const area = Math.abs(signedArea2(q));
          if (area > bestArea) (bestArea = area), (best = q);
        }
  return best;
}

/** Names the corners clockwise from the one with the smallest x + y: a page turned by less than 45° keeps its top edge on top. */
function orderCorners(points: Point[]): Quad {
  const cw = signedArea2(points) > 0 ? points : [...points].reverse();
  let first = 0;
  for (let i = 1; i < 4; i++) if (cw[i]!.x + cw[i]!.y < cw[first]!.x + cw[first]!.y) first = i;
  return toQuad([0, 1, 2, 3].map((k) => cw[(first + k) % 4]!));
}

interface Line {
  /** A point on the line and its unit direction. */
  p: Point;
  d: Point;
}

/** Total least squares line through points. */
function fitLine(points: Point[]): Line | null {
  if (points.length < 2) return null;
  let mx = 0;
  let my = 0;
  for (const p of points) (mx += p.x), (my += p.y);
  mx /= points.length;
  my /= points.length;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of points) {
    const dx = p.x - mx;
    const dy = p.y - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const angle = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  return { p: { x: mx, y: my }, d: { x: Math.cos(angle), y: Math.sin(angle) } };
}

const lineDistance = (l: Line, q: Point) => Math.abs((q.x - l.p.x) * l.d.y - (q.y - l.p.y) * l.d.x);

function intersect(a: Line, b: Line): Point | null {
  const den = a.d.x * b.d.y - a.d.y * b.d.x;
  if (Math.abs(den) < 1e-9) return null;
  const t = ((b.p.x - a.p.x) * b.d.y - (b.p.y - a.p.y) * b.d.x) / den;
  return { x: a.p.x + t * a.d.x, y: a.p.y + t * a.d.y };
}

/** The channel at a point between pixels (bilinear), at full resolution. */
function sampler(p: Pixels, channel: Channel): (x: number, y: number) => number {
  const c = p.channels;
  const at = (x: number, y: number) => value(p.data, (y * p.width + x) * c, c, channel);
  return (x, y) => {
    const cx = Math.min(p.width - 1.001, Math.max(0, x));
    const cy = Math.min(p.height - 1.001, Math.max(0, y));
    const x0 = Math.floor(cx);
    const y0 = Math.floor(cy);
    const fx = cx - x0;
    const fy = cy - y0;
    return (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
  };
}

interface SideFit {
  line: Line;
  /** Share of the places along the side with a clear edge on the line. */
  support: number;
}

/**
 * Places one side of the page precisely: at evenly spaced places along the
 * rough side, the strongest light-to-dark step along the outward normal
 * within `reach` pixels, to a fraction of a pixel; then a line through them,
 * refitted without the places farther than 1.5 px (or twice the typical
 * distance) from the first fit.
 */
function refineSide(sample: (x: number, y: number) => number, a: Point, b: Point, reach: number, minStep: number): SideFit | null {
  const len = Math.hypot(b.x - a.x, b.y - a.y);
  if (len < 4) return null;
  const d = { x: (b.x - a.x) / len, y: (b.y - a.y) / len };
  // Clockwise corners: the outward normal points to the left of the direction of travel (y down).
  const n = { x: d.y, y: -d.x };
  const found: Point[] = [];
  const steps = Math.ceil(2 * reach) + 1;
  const profile = new Float64Array(steps + 2);
  for (let i = 0; i < SAMPLES_PER_SIDE; i++) {
    // Stay away from the corners, where the neighbouring side's edge would pull.
    const t = 0.06 + (0.88 * (i + 0.5)) / SAMPLES_PER_SIDE;
    const cx = a.x + d.x * len * t;
    const cy = a.y + d.y * len * t;
    for (let k = 0; k < steps + 2; k++) {
      const o = k - 1 - reach;
      // A short average along the side steadies the profile against text and paper grain.
      let s = 0;
      for (const w of [-1, 0, 1]) s += sample(cx + n.x * o + d.x * w, cy + n.y * o + d.y * w);
      profile[k] = s / 3;
    }
    let bestK = -1;
    let best = minStep;
    // Inside (light) minus outside (dark): the page edge is where it drops most.
    for (let k = 1; k <= steps; k++) {
      const g = profile[k - 1]! - profile[k + 1]!;
      if (g > best) (best = g), (bestK = k);
    }
    if (bestK < 0) continue;
    let offset = bestK - 1 - reach;
    if (bestK > 1 && bestK < steps) {
      const g0 = profile[bestK - 2]! - profile[bestK]!;
      const g2 = profile[bestK]! - profile[bestK + 2]!;
      const den = g0 - 2 * best + g2;
      if (den < 0) offset += Math.max(-0.5, Math.min(0.5, (0.5 * (g0 - g2)) / den));
    }
    found.push({ x: cx + n.x * offset, y: cy + n.y * offset });
  }
  let line = fitLine(found);
  if (!line) return null;
  for (let round = 0; round < 2; round++) {
    const dists = found.map((q) => lineDistance(line!, q)).sort((x, y) => x - y);
    const limit = Math.max(1.5, 2 * dists[Math.floor(dists.length / 2)]!);
    const kept = found.filter((q) => lineDistance(line!, q) <= limit);
    const refit = fitLine(kept);
    if (!refit) break;
    line = refit;
  }
  const onLine = found.filter((q) => lineDistance(line!, q) <= 1.5).length;
  return { line, support: onLine / SAMPLES_PER_SIDE };
}

/** Corners of the page in `p`, or the whole image with `documentFound: false`: by the darkest channel, or by luminance when that finds no clean page. */
export function detectDocument(p: Pixels): DocumentCorners {
  let best: DocumentCorners | null = null;
  const tries: [Channel, Split][] = p.channels === 1 ? [['luma', 'global'], ['luma', 'local']] : [['darkest', 'global'], ['luma', 'global'], ['luma', 'local']];
  for (const [channel, split] of tries) {
    const found = detectBy(p, channel, split);
    if (!best || found.confidence > best.confidence) best = found;
    if (best.confidence >= 0.9) break;
  }
  return best!;
}

/**
 * How light is told from dark: one threshold for the whole image (Otsu's),
 * or each pixel against the mean around it (a sixth of the image each way),
 * for a lamp that lights the desk on one side brighter than the paper on
 * the other.
 */
type Split = 'global' | 'local';

function splitLight(w: { width: number; height: number; data: Uint8Array }, split: Split): Uint8Array {
  const light = new Uint8Array(w.data.length);
  if (split === 'global') {
    const t = otsu(histogram(w.data));
    for (let i = 0; i < light.length; i++) light[i] = w.data[i]! >= t ? 1 : 0;
    return light;
  }
  const { width, height, data } = w;
  const sum = new Float64Array((width + 1) * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++) {
      row += data[y * width + x]!;
      sum[(y + 1) * (width + 1) + x + 1] = sum[y * (width + 1) + x + 1]! + row;
    }
  }
  const r = Math.max(4, Math.round(Math.max(width, height) / 6));
  for (let y = 0; y < height; y++) {
    const y0 = Math.max(0, y - r);
    const y1 = Math.min(height, y + r + 1);
    for (let x = 0; x < width; x++) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(width, x + r + 1);
      const mean = (sum[y1 * (width + 1) + x1]! - sum[y0 * (width + 1) + x1]! - sum[y1 * (width + 1) + x0]! + sum[y0 * (width + 1) + x0]!) / ((x1 - x0) * (y1 - y0));
      // A margin keeps the desk's own grain and noise dark.
      light[y * width + x] = data[y * width + x]! > mean + 8 ? 1 : 0;
    }
  }
  return light;
}

function detectBy(p: Pixels, channel: Channel, split: Split): DocumentCorners {
  const none = (confidence = 0): DocumentCorners => ({ corners: wholeImage(p.width, p.height), confidence, documentFound: false });
  const f = Math.max(1, Math.ceil(Math.max(p.width, p.height) / WORKING_SIDE));
  const w = working(p, f, channel);
  if (w.width < 16 || w.height < 16) return none();
  const light = splitLight(w, split);
  const region = largestRegion(light, w.width, w.height);
  if (!region || region.area < MIN_AREA * w.width * w.height) return none();
  const edge: Point[] = [];
  for (let y = 0; y < w.height; y++) {
    const x0 = region.spans[2 * y]!;
    if (x0 < 0) continue;
    // Pixel edges, not centres, so the hull wraps the region's full extent.
    edge.push({ x: x0, y }, { x: x0, y: y + 1 }, { x: region.spans[2 * y + 1]! + 1, y }, { x: region.spans[2 * y + 1]! + 1, y: y + 1 });
  }
  const hull = convexHull(edge);
  const rough = largestQuad(simplify(hull, 1));
  if (!rough) return none();
  const hullArea = Math.abs(signedArea2(hull)) / 2;
  const roughArea = Math.abs(signedArea2(rough)) / 2;
  // A page fills its hull; a blob (a hand, a lamp's reflection) does not make a quadrilateral.
  const fill = Math.min(1, roughArea / hullArea);
  // Light and dark levels of the working image, for what counts as an edge step at full resolution.
  let lightSum = 0;
  let darkSum = 0;
  let lightN = 0;
  for (let i = 0; i < w.data.length; i++) if (light[i]) (lightSum += w.data[i]!), lightN++;
  else darkSum += w.data[i]!;
  const contrast = lightSum / Math.max(1, lightN) - darkSum / Math.max(1, w.data.length - lightN);
  const minStep = Math.max(6, contrast * 0.15);
  // Rough corners to full resolution, then each side refined twice, the second time within a few pixels.
  let corners = quadPoints(orderCorners(rough)).map((q) => ({ x: q.x * f, y: q.y * f }));
  const sample = sampler(p, channel);
  let support = 0;
  for (const reach of [2 * f + 4, 4]) {
    const fits: SideFit[] = [];
    for (let i = 0; i < 4; i++) {
      const fit = refineSide(sample, corners[i]!, corners[(i + 1) % 4]!, reach, minStep);
      if (!fit) return none(fill * 0.1);
      fits.push(fit);
    }
    const next: Point[] = [];
    for (let i = 0; i < 4; i++) {
      const q = intersect(fits[(i + 3) % 4]!.line, fits[i]!.line);
      if (!q) return none(fill * 0.1);
      next.push(q);
    }
    corners = next;
    support = fits.reduce((s, x) => s + x.support, 0) / 4;
  }
  const quad = toQuad(corners);
  const diag = Math.hypot(p.width, p.height);
  const inside = corners.every((q) => q.x > -0.05 * diag && q.y > -0.05 * diag && q.x < p.width + 0.05 * diag && q.y < p.height + 0.05 * diag);
  if (!isConvexClockwise(quad) || !inside) return none(fill * support * 0.5);
  const confidence = Math.round(fill * support * 1000) / 1000;
  return { corners: quad, confidence, documentFound: confidence >= MIN_CONFIDENCE };
}
