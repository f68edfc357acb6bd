/**
 * Turns a photographed page into a flat scan: the quadrilateral the page
 * makes in the photo is mapped onto a rectangle of the paper's size at a
 * stated resolution, then shadows and colour cast are divided out.
 *
 * The warp is a per-pixel inverse mapping in JavaScript (libvips, through
 * sharp, has no perspective transform): each output pixel asks the
 * homography where it comes from and takes a bilinear mix of the four
 * pixels there, the homography's numerators and denominator stepped along
 * each row. A source much larger than the output is first averaged down,
 * so a 12-megapixel frame does not alias into a 150 dpi page.
 *
 * Pure functions on raw 8-bit pixels: they run in the imaging threads
 * (document-pool.ts), never on the service's event loop.
 */
import { DOCUMENT_PAPERS, type DocumentPaper } from '@scanbridge/protocol';
import { type Pixels, detectDocument } from '../analysis/document-corners.js';
import { type Quad, homography, insetQuad, quadPoints, rectangleAspect } from '../analysis/homography.js';
import { histogram, otsu } from '../analysis/otsu.js';

export type PaperChoice = 'auto' | DocumentPaper | { width: number; height: number };

export interface CorrectOptions {
  /** The page's corners in pixels of the image; detected when left out. */
  corners?: Quad | undefined;
  /** The paper to map the page onto; 'auto' takes the measured aspect ratio, snapped to a common paper size when within 3 %. */
  paper: PaperChoice;
  /** Pixels per inch of the corrected page. */
  dpi: number;
  /** Divide out shadows, uneven light and colour cast. */
  cleanup: boolean;
  mode: 'color' | 'gray' | 'bw';
}

export interface Corrected {
  /** The flat page; null when no page was found (the image stays as it is). */
  pixels: Pixels | null;
  corners: Quad;
  confidence: number;
  documentFound: boolean;
  /** The paper the page was mapped onto, when it is a named one. */
  paper: DocumentPaper | null;
  /** Width / height of the page as measured in the photo (before snapping). */
  aspect: number;
}

/** Source pixels left out inside a detected page edge. */
const EDGE_INSET = 1.5;

/** Snapping tolerance for the measured aspect ratio. */
const SNAP = 0.03;

/** Width and height in millimetres of the paper, turned to the measured orientation; null for 'auto' without a match. */
export function paperSize(choice: PaperChoice, aspect: number): { width: number; height: number; name: DocumentPaper | null } | null {
  const landscape = aspect > 1;
  const orient = (s: { width: number; height: number }) => {
    const [short, long] = s.width < s.height ? [s.width, s.height] : [s.height, s.width];
    return landscape ? { width: long, height: short } : { width: short, height: long };
  };
  if (typeof choice === 'object') return { ...orient(choice), name: null };
  if (choice !== 'auto') return { ...orient(DOCUMENT_PAPERS[choice]), name: choice };
  const r = landscape ? aspect : 1 / aspect;
  const papers = Object.entries(DOCUMENT_PAPERS) as [DocumentPaper, { width: number; height: number }][];
  const errors = papers.map(([, s]) => Math.abs(r / (Math.max(s.width, s.height) / Math.min(s.width, s.height)) - 1));
  const least = Math.min(...errors);
  if (least >= SNAP) return null;
  // A photo tells the shape, not the size: of papers of (nearly) one shape the first listed wins (A4, not A5, whose sides are rounded differently).
  const i = errors.findIndex((e) => e <= least + 0.005);
  return { ...orient(papers[i]![1]), name: papers[i]![0] };
}

const sideLength = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.hypot(a.x - b.x, a.y - b.y);

/** Averages f x f blocks (the last partial blocks dropped). */
function shrink(p: Pixels, f: number): Pixels {
  const width = Math.floor(p.width / f);
  const height = Math.floor(p.height / f);
  const c = p.channels;
  const out = new Uint8Array(width * height * c);
  const sums = new Float64Array(width * c);
  for (let y = 0; y < height; y++) {
    sums.fill(0);
    for (let yy = y * f; yy < (y + 1) * f; yy++) {
      let i = yy * p.width * c;
      for (let x = 0; x < width; x++) for (let k = 0; k < f; k++) for (let ch = 0; ch < c; ch++) sums[x * c + ch]! += p.data[i++]!;
    }
    const n = f * f;
    for (let j = 0; j < width * c; j++) out[y * width * c + j] = Math.round(sums[j]! / n);
  }
  return { width, height, channels: c, data: out };
}

/**
 * The quadrilateral `quad` of `src` mapped onto a width x height rectangle
 * (bilinear; outside the image: white). Corners are in continuous pixel
 * coordinates: (0, 0) is the top-left corner of the first pixel.
 */
export function warp(src: Pixels, quad: Quad, width: number, height: number): Pixels {
  // Source pixels per output pixel, roughly: beyond 2 the bilinear mix would skip pixels.
  const scale = Math.sqrt(Math.abs((sideLength(quad.topLeft, quad.topRight) + sideLength(quad.bottomLeft, quad.bottomRight)) * (sideLength(quad.topLeft, quad.bottomLeft) + sideLength(quad.topRight, quad.bottomRight))) / (4 * width * height));
  const f = Math.floor(scale / 1.5);
  if (f >= 2) {
    const q = quadPoints(quad).map((p) => ({ x: p.x / f, y: p.y / f }));
    return warp(shrink(src, f), { topLeft: q[0]!, topRight: q[1]!, bottomRight: q[2]!, bottomLeft: q[3]! }, width, height);
  }
  const h = homography(
    [
      { x: 0, y: 0 },
      { x: width, y: 0 },
      { x: width, y: height },
      { x: 0, y: height },
    ],
    quadPoints(quad),
  );
  if (!h) throw new Error('the corners do not make a quadrilateral (three on one line)');
  const c = src.channels;
  const sw = src.width;
  const sh = src.height;
  const s = src.data;
  const out = new Uint8Array(width * height * c).fill(255);
  const [h0, h1, h2, h3, h4, h5, h6, h7, h8] = h as unknown as number[];
  for (let y = 0; y < height; y++) {
    const yc = y + 0.5;
    // Output pixel centres; the source's pixel centres are at +0.5 too.
    let u = h0! * 0.5 + h1! * yc + h2!;
    let v = h3! * 0.5 + h4! * yc + h5!;
    let w = h6! * 0.5 + h7! * yc + h8!;
    let o = y * width * c;
    for (let x = 0; x < width; x++, u += h0!, v += h3!, w += h6!, o += c) {
      const sx = u / w - 0.5;
      const sy = v / w - 0.5;
      if (!(sx >= 0 && sy >= 0 && sx <= sw - 1 && sy <= sh - 1)) continue;
      const x0 = Math.min(sw - 2, sx | 0);
      const y0 = Math.min(sh - 2, sy | 0);
      const fx = sx - x0;
      const fy = sy - y0;
      const i00 = (y0 * sw + x0) * c;
      const i10 = i00 + c;
      const i01 = i00 + sw * c;
      const i11 = i01 + c;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      for (let k = 0; k < c; k++) out[o + k] = s[i00 + k]! * w00 + s[i10 + k]! * w10 + s[i01 + k]! * w01 + s[i11 + k]! * w11 + 0.5;
    }
  }
  return { width, height, channels: c, data: out };
}

/**
 * Divides each channel by an estimate of the paper's own colour around each
 * pixel, so shadows, a lamp's fall-off and a colour cast become white paper
 * and the ink keeps its contrast. The estimate: per block of about 3 mm, the
 * mean colour of its brightest tenth (paper between the letters); blocks
 * much darker than the paper around them (a photo, a filled table cell) are
 * filled in from their neighbours; then smoothed and interpolated.
 */
export function flattenBackground(p: Pixels, dpi: number): void {
  const block = Math.max(8, Math.round((dpi * 3) / 25.4));
  const bw = Math.ceil(p.width / block);
  const bh = Math.ceil(p.height / block);
  const c = p.channels;
  const bg = new Float64Array(bw * bh * c);
  const level = new Float64Array(bw * bh);
  const hist = new Uint32Array(256);
  const d = p.data;
  const lum = c === 1 ? d : new Uint8Array(p.width * p.height);
  if (c === 3) for (let i = 0, j = 0; i < lum.length; i++, j += 3) lum[i] = (d[j]! * 77 + d[j + 1]! * 150 + d[j + 2]! * 29) >> 8;
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      hist.fill(0);
      const x0 = bx * block;
      const y0 = by * block;
      const x1 = Math.min(p.width, x0 + block);
      const y1 = Math.min(p.height, y0 + block);
      for (let y = y0; y < y1; y++) for (let i = y * p.width + x0, end = y * p.width + x1; i < end; i++) hist[lum[i]!]!++;
      const n = (x1 - x0) * (y1 - y0);
      let seen = 0;
      let t = 255;
      while (t > 0 && seen + hist[t]! < n * 0.1) seen += hist[t--]!;
      const sums = [0, 0, 0];
      let count = 0;
      for (let y = y0; y < y1; y++)
        for (let i = y * p.width + x0, end = y * p.width + x1; i < end; i++) {
          if (lum[i]! < t) continue;
          for (let k = 0; k < c; k++) sums[k]! += d[i * c + k]!;
          count++;
        }
      const b = by * bw + bx;
      for (let k = 0; k < c; k++) bg[b * c + k] = sums[k]! / Math.max(1, count);
      level[b] = t;
    }
  }
  // Paper blocks: bright compared with the brightest block within about 2 cm.
  const r = 6;
  const paper = new Uint8Array(bw * bh);
  for (let by = 0; by < bh; by++)
    for (let bx = 0; bx < bw; bx++) {
      let max = 0;
      for (let y = Math.max(0, by - r); y <= Math.min(bh - 1, by + r); y++) for (let x = Math.max(0, bx - r); x <= Math.min(bw - 1, bx + r); x++) max = Math.max(max, level[y * bw + x]!);
      paper[by * bw + bx] = level[by * bw + bx]! >= 0.65 * max && max > 24 ? 1 : 0;
    }
  if (!paper.includes(1)) return;
  // Grow the paper estimate into the other blocks, ring by ring.
  for (let filled = true; filled; ) {
    filled = false;
    const grown: [number, number[]][] = [];
    for (let b = 0; b < bw * bh; b++) {
      if (paper[b]) continue;
      const bx = b % bw;
      const by = (b - bx) / bw;
      const sums = [0, 0, 0];
      let n = 0;
      for (const [dx, dy] of [[-1, 0], [1, 0], [0, -1], [0, 1], [-1, -1], [1, 1], [-1, 1], [1, -1]] as const) {
        const x = bx + dx;
        const y = by + dy;
        if (x < 0 || y < 0 || x >= bw || y >= bh || !paper[y * bw + x]) continue;
        for (let k = 0; k < c; k++) sums[k]! += bg[(y * bw + x) * c + k]!;
        n++;
      }
      if (n) grown.push([b, sums.map((s) => s / n)]);
    }
    for (const [b, v] of grown) {
      for (let k = 0; k < c; k++) bg[b * c + k] = v[k]!;
      paper[b] = 1;
      filled = true;
    }
  }
  // Two passes of a 3 x 3 mean, narrowed to stay symmetric at the edges (so a light falling off towards an edge is not flattened there): the estimate varies smoothly, as light does.
  for (let pass = 0; pass < 2; pass++) {
    const copy = bg.slice();
    for (let by = 0; by < bh; by++)
      for (let bx = 0; bx < bw; bx++) {
        const rx = Math.min(1, bx, bw - 1 - bx);
        const ry = Math.min(1, by, bh - 1 - by);
        for (let k = 0; k < c; k++) {
          let s = 0;
          for (let y = by - ry; y <= by + ry; y++) for (let x = bx - rx; x <= bx + rx; x++) s += copy[(y * bw + x) * c + k]!;
          bg[(by * bw + bx) * c + k] = s / ((2 * rx + 1) * (2 * ry + 1));
        }
      }
  }
  // Divide, the estimate interpolated between block centres (and carried on past the outer ones, half a block): per row between block rows, then along the row.
  const cell = (g: number, n: number) => {
    const i0 = Math.max(0, Math.min(n - 2, Math.floor(g)));
    return { i0, i1: Math.min(n - 1, i0 + 1), f: n === 1 ? 0 : Math.max(-0.5, Math.min(1.5, g - i0)) };
  };
  const c0 = new Int32Array(p.width);
  const c1 = new Int32Array(p.width);
  const cf = new Float64Array(p.width);
  for (let x = 0; x < p.width; x++) {
    const { i0, i1, f } = cell((x + 0.5) / block - 0.5, bw);
    c0[x] = i0 * c;
    c1[x] = i1 * c;
    cf[x] = f;
  }
  const rowBg = new Float64Array(bw * c);
  for (let y = 0; y < p.height; y++) {
    const { i0: r0, i1: r1, f: fy } = cell((y + 0.5) / block - 0.5, bh);
    for (let j = 0; j < bw * c; j++) rowBg[j] = 255 / Math.max(16, bg[r0 * bw * c + j]! * (1 - fy) + bg[r1 * bw * c + j]! * fy);
    for (let x = 0, i = y * p.width * c; x < p.width; x++) {
      const a = c0[x]!;
      const b = c1[x]!;
      const f = cf[x]!;
      for (let k = 0; k < c; k++, i++) d[i] = Math.min(255, d[i]! * (rowBg[a + k]! * (1 - f) + rowBg[b + k]! * f) + 0.5);
    }
  }
}

/** Rec. 601 grey of RGB pixels. */
function grey(p: Pixels): Pixels {
  if (p.channels === 1) return p;
  const n = p.width * p.height;
  const out = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) out[i] = Math.round(0.299 * p.data[j]! + 0.587 * p.data[j + 1]! + 0.114 * p.data[j + 2]!);
  return { width: p.width, height: p.height, channels: 1, data: out };
}

/** Detects the page (unless corners are given), flattens it onto its paper, and cleans it as asked. */
export function correctPixels(src: Pixels, options: CorrectOptions): Corrected {
  const found = options.corners ? { corners: options.corners, confidence: 1, documentFound: true } : detectDocument(src);
  const aspect = rectangleAspect(found.corners, { x: src.width / 2, y: src.height / 2 });
  if (!found.documentFound) return { pixels: null, ...found, paper: null, aspect };
  const q = found.corners;
  const paper = paperSize(options.paper, aspect);
  let width: number;
  let height: number;
  if (paper) {
    width = Math.max(1, Math.round((paper.width / 25.4) * options.dpi));
    height = Math.max(1, Math.round((paper.height / 25.4) * options.dpi));
  } else {
    // No paper to go by: keep the page's longest side as many pixels as it has in the photo.
    const long = Math.max(sideLength(q.topLeft, q.topRight), sideLength(q.bottomLeft, q.bottomRight), sideLength(q.topLeft, q.bottomLeft), sideLength(q.topRight, q.bottomRight));
    width = Math.max(1, Math.round(aspect >= 1 ? long : long * aspect));
    height = Math.max(1, Math.round(aspect >= 1 ? long / aspect : long));
  }
  // Detected sides lie where the paper's edge is steepest; the lens blurs the desk a pixel or so inside it, which would
  // leave a grey line along the page. Corners the user placed are taken as they are.
  let pixels = warp(src, options.corners ? q : insetQuad(q, EDGE_INSET), width, height);
  if (options.mode !== 'color') pixels = grey(pixels);
  if (options.cleanup) flattenBackground(pixels, options.dpi);
  if (options.mode === 'bw') {
    const t = otsu(histogram(pixels.data));
    for (let i = 0; i < pixels.data.length; i++) pixels.data[i] = pixels.data[i]! < t ? 0 : 255;
  }
  return { pixels, ...found, paper: paper?.name ?? null, aspect };
}
