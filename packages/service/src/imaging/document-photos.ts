/**
 * Generated photographs of a page on a desk, for the document tests and
 * bench/document: the demo scanner's page (a Code 128 and a QR on it) is
 * set in 3-D (turned in its plane, tilted away from the camera), seen by a
 * pinhole camera, laid over a dark wood-like desk, lit unevenly with a warm
 * cast, softened as a lens would and saved as a camera JPEG. The page's
 * true corners in the photo come with it.
 */
import { sharp } from './sharp.js';
import type { Pixels } from './analysis/document-corners.js';
import { type Point, type Quad, homography, quadPoints, toQuad } from './analysis/homography.js';
import { demoPages } from './test-pages.js';

export interface PhotoSetup {
  /** Frame size in pixels. */
  width: number;
  height: number;
  /** Degrees the page is tilted away from the camera (about its horizontal axis), and about its vertical axis. */
  tilt: number;
  sideTilt?: number;
  /** Degrees the page is turned in its own plane, clockwise. */
  rotation: number;
  /** Share of the frame the page's projection spans, in the direction it fills most. */
  fill?: number;
  /** Where the page's centre lands, as a share of the frame from its centre. */
  offset?: Point;
  /** Darkest share of the light (0..1) across the frame; 1 is even light. */
  lightMin?: number;
  /** The desk's colour (default dark wood, 105, 72, 48). */
  desk?: [number, number, number];
  seed?: number;
}

export interface Photo {
  jpeg: Buffer;
  width: number;
  height: number;
  corners: Quad;
}

export interface PageImage {
  pixels: Pixels;
  widthMm: number;
  heightMm: number;
}

/** The demo scanner's A4 page (colour, 300 dpi), decoded. */
export async function demoPageImage(dpi = 300): Promise<PageImage> {
  const [page] = await demoPages({ mode: 'color', dpi, paper: 'A4' });
  const { data, info } = await sharp(page!.bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { pixels: { width: info.width, height: info.height, channels: 3, data }, widthMm: 210, heightMm: 297 };
}

/** A small deterministic random generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Where the page's corners land in the frame. */
export function projectCorners(page: PageImage, s: PhotoSetup): Quad {
  const rad = Math.PI / 180;
  const rot = s.rotation * rad;
  const tilt = s.tilt * rad;
  const side = (s.sideTilt ?? 0) * rad;
  const f = 0.9 * Math.max(s.width, s.height);
  const cx = s.width / 2;
  const cy = s.height / 2;
  const mm = [
    [-page.widthMm / 2, -page.heightMm / 2],
    [page.widthMm / 2, -page.heightMm / 2],
    [page.widthMm / 2, page.heightMm / 2],
    [-page.widthMm / 2, page.heightMm / 2],
  ] as const;
  const project = (distance: number) =>
    mm.map(([x0, y0]) => {
      // Turn in the page's plane, tilt the top away (about x), then about y.
      const x1 = x0 * Math.cos(rot) - y0 * Math.sin(rot);
      const y1 = x0 * Math.sin(rot) + y0 * Math.cos(rot);
      const y2 = y1 * Math.cos(tilt);
      const z2 = -y1 * Math.sin(tilt);
      const x3 = x1 * Math.cos(side) + z2 * Math.sin(side);
      const z3 = -x1 * Math.sin(side) + z2 * Math.cos(side);
      // The page moved in space (not the picture shifted), so the principal point stays at the frame's centre.
      const z = distance + z3;
      const tx = ((s.offset?.x ?? 0) * s.width * distance) / f;
      const ty = ((s.offset?.y ?? 0) * s.height * distance) / f;
      return { x: cx + (f * (x3 + tx)) / z, y: cy + (f * (y2 + ty)) / z };
    });
  // Move the page nearer or farther until it spans the share of the frame asked.
  let distance = 1000;
  for (let i = 0; i < 20; i++) {
    const p = project(distance);
    const spanX = (Math.max(...p.map((q) => q.x)) - Math.min(...p.map((q) => q.x))) / s.width;
    const spanY = (Math.max(...p.map((q) => q.y)) - Math.min(...p.map((q) => q.y))) / s.height;
    distance *= Math.max(spanX, spanY) / (s.fill ?? 0.8);
  }
  return toQuad(project(distance));
}

/** The photo: page, desk, light and lens. */
export async function photograph(page: PageImage, s: PhotoSetup): Promise<Photo> {
  const corners = projectCorners(page, s);
  const pw = page.pixels.width;
  const ph = page.pixels.height;
  const pageCorners = [
    { x: 0, y: 0 },
    { x: pw, y: 0 },
    { x: pw, y: ph },
    { x: 0, y: ph },
  ];
  const toPage = homography([corners.topLeft, corners.topRight, corners.bottomRight, corners.bottomLeft], pageCorners)!;
  const rnd = random(s.seed ?? 1);
  const { width, height } = s;
  const out = Buffer.alloc(width * height * 3);
  const src = page.pixels.data;
  // Light: a lamp off to one side, falling to lightMin at the far corner; a warm cast.
  const lamp = { x: rnd() * width, y: rnd() * height * 0.3 };
  const far = Math.hypot(width, height);
  const lightMin = s.lightMin ?? 0.6;
  const cast = [1, 0.94, 0.82];
  const deskColour = s.desk ?? [105, 72, 48];
  // Desk: dark wood, grain along x, drawn at an eighth of the size and enlarged (smooth, and quick).
  const grain = Array.from({ length: 6 }, () => ({ f: 0.016 + rnd() * 0.16, p: rnd() * 6.28, a: 6 + rnd() * 10 }));
  const gw = Math.ceil(width / 8);
  const gh = Math.ceil(height / 8);
  const small = Buffer.alloc(gw * gh);
  for (let y = 0; y < gh; y++)
    for (let x = 0; x < gw; x++) {
      let g = 0;
      for (const w of grain) g += w.a * Math.sin(w.f * (y + 4 * Math.sin(x * 0.024)) + w.p);
      small[y * gw + x] = Math.max(0, Math.min(255, 128 + g));
    }
  const desk = await sharp(small, { raw: { width: gw, height: gh, channels: 1 } }).resize(width, height, { kernel: 'cubic', fit: 'fill' }).raw().toBuffer();
  // Noise from a table: a call of the generator per pixel would double the time of a 12-megapixel photo.
  const noise = Float64Array.from({ length: 65521 }, () => rnd() - 0.5);
  let ni = 0;
  const [h0, h1, h2, h3, h4, h5, h6, h7, h8] = toPage as unknown as number[];
  for (let y = 0; y < height; y++) {
    const yc = y + 0.5;
    let pu = h0! * 0.5 + h1! * yc + h2!;
    let pv = h3! * 0.5 + h4! * yc + h5!;
    let pw3 = h6! * 0.5 + h7! * yc + h8!;
    for (let x = 0; x < width; x++, pu += h0!, pv += h3!, pw3 += h6!) {
      const o = (y * width + x) * 3;
      const u = pu / pw3 - 0.5;
      const v = pv / pw3 - 0.5;
      let r: number;
      let g: number;
      let b: number;
      if (u >= 0 && v >= 0 && u <= pw - 1 && v <= ph - 1) {
        const x0 = Math.min(pw - 2, Math.floor(u));
        const y0 = Math.min(ph - 2, Math.floor(v));
        const fx = u - x0;
        const fy = v - y0;
        const i = (y0 * pw + x0) * 3;
        const j = i + pw * 3;
        r = (src[i]! * (1 - fx) + src[i + 3]! * fx) * (1 - fy) + (src[j]! * (1 - fx) + src[j + 3]! * fx) * fy;
        g = (src[i + 1]! * (1 - fx) + src[i + 4]! * fx) * (1 - fy) + (src[j + 1]! * (1 - fx) + src[j + 4]! * fx) * fy;
        b = (src[i + 2]! * (1 - fx) + src[i + 5]! * fx) * (1 - fy) + (src[j + 2]! * (1 - fx) + src[j + 5]! * fx) * fy;
      } else {
        const w = desk[y * width + x]! - 128;
        const n = noise[ni++ % 65521]! * 14;
        r = deskColour[0] + w + n;
        g = deskColour[1] + w * 0.8 + n;
        b = deskColour[2] + w * 0.6 + n;
      }
      const d = Math.hypot(x - lamp.x, y - lamp.y) / far;
      const light = 1.02 - (1.02 - lightMin) * Math.min(1, d * 1.4);
      out[o] = Math.max(0, Math.min(255, r * light * cast[0]! + noise[ni++ % 65521]! * 6));
      out[o + 1] = Math.max(0, Math.min(255, g * light * cast[1]! + noise[ni++ % 65521]! * 6));
      out[o + 2] = Math.max(0, Math.min(255, b * light * cast[2]! + noise[ni++ % 65521]! * 6));
    }
  }
  const jpeg = await sharp(out, { raw: { width, height, channels: 3 } }).blur(0.7).jpeg({ quality: 90 }).toBuffer();
  return { jpeg, width, height, corners };
}

/** The largest distance between a found corner and the true one, as a share of the page's longer diagonal in the photo. */
export function cornerError(found: Quad, truth: Quad): number {
  const [a, b, c, d] = quadPoints(truth);
  const diagonal = Math.max(Math.hypot(a.x - c.x, a.y - c.y), Math.hypot(b.x - d.x, b.y - d.y));
  const f = quadPoints(found);
  return Math.max(...quadPoints(truth).map((t, i) => Math.hypot(f[i]!.x - t.x, f[i]!.y - t.y))) / diagonal;
}
