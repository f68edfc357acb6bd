/**
 * Plane-to-plane projective maps (homographies) from four point pairs, and
 * the aspect ratio of a rectangle seen in perspective. Written here: sharp
 * (libvips) has no perspective warp, and the geometry is a few dozen lines.
 */

export interface Point {
  x: number;
  y: number;
}

/** Corners of a quadrilateral, named as barcode positions are (clockwise from the top left). */
export interface Quad {
  topLeft: Point;
  topRight: Point;
  bottomRight: Point;
  bottomLeft: Point;
}

/** Row-major 3x3 matrix; maps (x, y, 1) to (u, v, w), the point (u / w, v / w). */
export type Homography = Float64Array;

export const quadPoints = (q: Quad): [Point, Point, Point, Point] => [q.topLeft, q.topRight, q.bottomRight, q.bottomLeft];

export const toQuad = ([topLeft, topRight, bottomRight, bottomLeft]: Point[]): Quad => ({ topLeft: topLeft!, topRight: topRight!, bottomRight: bottomRight!, bottomLeft: bottomLeft! });

/** Solves A x = b (n x n, row-major) by Gaussian elimination with partial pivoting; null when singular. */
function solve(a: Float64Array, b: Float64Array, n: number): Float64Array | null {
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]!) > Math.abs(a[pivot * n + col]!)) pivot = r;
    if (Math.abs(a[pivot * n + col]!) < 1e-12) return null;
    if (pivot !== col) {
      for (let c = 0; c < n; c++) [a[col * n + c], a[pivot * n + c]] = [a[pivot * n + c]!, a[col * n + c]!];
      [b[col], b[pivot]] = [b[pivot]!, b[col]!];
    }
    for (let r = col + 1; r < n; r++) {
      const f = a[r * n + col]! / a[col * n + col]!;
      if (f === 0) continue;
      for (let c = col; c < n; c++) a[r * n + c]! -= f * a[col * n + c]!;
      b[r]! -= f * b[col]!;
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let c = r + 1; c < n; c++) s -= a[r * n + c]! * x[c]!;
    x[r] = s / a[r * n + r]!;
  }
  return x;
}

/** The homography taking each `from[i]` to `to[i]`; null when three of the points are on one line. */
export function homography(from: Point[], to: Point[]): Homography | null {
  const a = new Float64Array(64);
  const b = new Float64Array(8);
  for (let i = 0; i < 4; i++) {
    const { x, y } = from[i]!;
    const { x: u, y: v } = to[i]!;
    a.set([x, y, 1, 0, 0, 0, -u * x, -u * y], 2 * i * 8);
    a.set([0, 0, 0, x, y, 1, -v * x, -v * y], (2 * i + 1) * 8);
    b[2 * i] = u;
    b[2 * i + 1] = v;
  }
  const h = solve(a, b, 8);
  if (!h) return null;
  const m = new Float64Array(9);
  m.set(h);
  m[8] = 1;
  return m;
}

export function apply(h: Homography, p: Point): Point {
  const w = h[6]! * p.x + h[7]! * p.y + h[8]!;
  return { x: (h[0]! * p.x + h[1]! * p.y + h[2]!) / w, y: (h[3]! * p.x + h[4]! * p.y + h[5]!) / w };
}

/** Twice the signed area of a polygon (positive when its points turn clockwise on screen, y down). */
export function signedArea2(points: Point[]): number {
  let s = 0;
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const q = points[(i + 1) % points.length]!;
    s += p.x * q.y - q.x * p.y;
  }
  return s;
}

/** True when the four corners, in their order, make a convex quadrilateral turning clockwise. */
export function isConvexClockwise(q: Quad): boolean {
  const p = quadPoints(q);
  for (let i = 0; i < 4; i++) {
    const a = p[i]!;
    const b = p[(i + 1) % 4]!;
    const c = p[(i + 2) % 4]!;
    if ((b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x) <= 0) return false;
  }
  return true;
}

const dist = (a: Point, b: Point) => Math.hypot(a.x - b.x, a.y - b.y);

/**
 * Width / height of the rectangle a quadrilateral shows, with the camera's
 * focal length estimated from the quadrilateral itself (Zhang and He,
 * "Whiteboard scanning and image enhancement", 2007), the principal point
 * taken at `centre` and pixels square. Measured side lengths alone are off
 * by the foreshortening (a page tilted 30° looks 13 % shorter); when the
 * view is too close to frontal for a focal length to show, the sides are
 * parallel and their lengths are right.
 */
export function rectangleAspect(q: Quad, centre: Point): number {
  const m = (p: Point) => [p.x - centre.x, p.y - centre.y, 1] as const;
  const m1 = m(q.topLeft);
  const m2 = m(q.topRight);
  const m3 = m(q.bottomLeft);
  const m4 = m(q.bottomRight);
  const cross = (a: readonly number[], b: readonly number[]) => [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];
  const dot = (a: readonly number[], b: readonly number[]) => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
  const k2 = dot(cross(m1, m4), m3) / dot(cross(m2, m4), m3);
  const k3 = dot(cross(m1, m4), m2) / dot(cross(m3, m4), m2);
  const n2 = m2.map((v, i) => k2 * v - m1[i]!);
  const n3 = m3.map((v, i) => k3 * v - m1[i]!);
  const sides = () => (dist(q.topLeft, q.topRight) + dist(q.bottomLeft, q.bottomRight)) / (dist(q.topLeft, q.bottomLeft) + dist(q.topRight, q.bottomRight));
  // Near-parallel sides: n2[2] and n3[2] vanish and the focal length is undetermined.
  const f2 = -(n2[0]! * n3[0]! + n2[1]! * n3[1]!) / (n2[2]! * n3[2]!);
  const scale = Math.hypot(centre.x, centre.y);
  if (!Number.isFinite(f2) || f2 <= (scale * 0.2) ** 2 || f2 > (scale * 50) ** 2) return sides();
  const r2 = (n2[0]! ** 2 + n2[1]! ** 2 + f2 * n2[2]! ** 2) / (n3[0]! ** 2 + n3[1]! ** 2 + f2 * n3[2]! ** 2);
  return Number.isFinite(r2) && r2 > 0 ? Math.sqrt(r2) : sides();
}

/** The quadrilateral with each side moved `by` pixels inwards (corners clockwise on screen). */
export function insetQuad(q: Quad, by: number): Quad {
  const p = quadPoints(q);
  const sides = p.map((a, i) => {
    const b = p[(i + 1) % 4]!;
    const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    const d = { x: (b.x - a.x) / len, y: (b.y - a.y) / len };
    // Inwards is to the right of the direction of travel when the corners turn clockwise with y down.
    return { p: { x: a.x - d.y * by, y: a.y + d.x * by }, d };
  });
  const corners = sides.map((s, i) => {
    const prev = sides[(i + 3) % 4]!;
    const den = prev.d.x * s.d.y - prev.d.y * s.d.x;
    if (Math.abs(den) < 1e-9) return p[i]!;
    const t = ((s.p.x - prev.p.x) * s.d.y - (s.p.y - prev.p.y) * s.d.x) / den;
    return { x: prev.p.x + t * prev.d.x, y: prev.p.y + t * prev.d.y };
  });
  return toQuad(corners);
}
