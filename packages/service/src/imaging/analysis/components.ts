/**
 * Connected marks of a binary image (8-connected), with their size and
 * bounding box. A flood fill with an explicit stack: marks on a page are
 * few and small, and a recursive fill would overflow on a long ruled line.
 */

export interface Mark {
  /** Pixels in the mark. */
  area: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** Marks of the pixels where `ink` is 1, inside [x0, x1) x [y0, y1). */
export function findMarks(ink: Uint8Array, width: number, x0: number, y0: number, x1: number, y1: number): Mark[] {
  const seen = new Uint8Array(ink.length);
  const stack = new Int32Array(ink.length);
  const marks: Mark[] = [];
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const start = y * width + x;
      if (!ink[start] || seen[start]) continue;
      const mark: Mark = { area: 0, minX: x, minY: y, maxX: x, maxY: y };
      let top = 0;
      stack[top++] = start;
      seen[start] = 1;
      while (top > 0) {
        const p = stack[--top]!;
        const px = p % width;
        const py = (p - px) / width;
        mark.area++;
        if (px < mark.minX) mark.minX = px;
        if (px > mark.maxX) mark.maxX = px;
        if (py < mark.minY) mark.minY = py;
        if (py > mark.maxY) mark.maxY = py;
        for (let ny = Math.max(y0, py - 1); ny <= Math.min(y1 - 1, py + 1); ny++) {
          for (let nx = Math.max(x0, px - 1); nx <= Math.min(x1 - 1, px + 1); nx++) {
            const q = ny * width + nx;
            if (ink[q] && !seen[q]) {
              seen[q] = 1;
              stack[top++] = q;
            }
          }
        }
      }
      marks.push(mark);
    }
  }
  return marks;
}
