/**
 * Boxes found on the working copy land on the stored page: for each quarter
 * turn and a skew, a point of the stored page carried forward the way the
 * working copy is made (scale, turn, rotate about the centre on a grown
 * canvas) comes back to itself; a region's offset and a downscale are undone.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { boxToPage, rotatedSize, toPage, type WorkingTransform } from './geometry.js';

const DEG = Math.PI / 180;

/** The forward map: stored-page point to working-copy point. */
function forward(t: WorkingTransform, x: number, y: number): [number, number] {
  let px = (x - t.left) * t.scale;
  let py = (y - t.top) * t.scale;
  const sw = t.rotation === 90 || t.rotation === 270 ? t.turnedHeight : t.turnedWidth;
  const sh = t.rotation === 90 || t.rotation === 270 ? t.turnedWidth : t.turnedHeight;
  if (t.rotation === 90) [px, py] = [sh - py, px];
  else if (t.rotation === 180) [px, py] = [sw - px, sh - py];
  else if (t.rotation === 270) [px, py] = [py, sw - px];
  const dx = px - t.turnedWidth / 2;
  const dy = py - t.turnedHeight / 2;
  const c = Math.cos(t.angle * DEG);
  const s = Math.sin(t.angle * DEG);
  return [t.workWidth / 2 + dx * c - dy * s, t.workHeight / 2 + dx * s + dy * c];
}

function transform(rotation: WorkingTransform['rotation'], angle: number, scale = 1, area = { left: 0, top: 0, width: 2480, height: 3508 }): WorkingTransform {
  const w = Math.round(area.width * scale);
  const h = Math.round(area.height * scale);
  const [tw, th] = rotation === 90 || rotation === 270 ? [h, w] : [w, h];
  const work = rotatedSize(tw, th, angle);
  return { ...area, scale, rotation, angle, turnedWidth: tw, turnedHeight: th, workWidth: work.width, workHeight: work.height };
}

describe('OCR working-copy geometry', () => {
  for (const rotation of [0, 90, 180, 270] as const) {
    for (const angle of [0, -3.2, 5]) {
      it(`maps points back through a ${rotation}° turn and a ${angle}° rotation`, () => {
        const t = transform(rotation, angle, 0.5, { left: 100, top: 200, width: 2000, height: 3000 });
        for (const [x, y] of [
          [100, 200],
          [2099, 3199],
          [640, 1777],
        ] as const) {
          const [u, v] = forward(t, x, y);
          const [bx, by] = toPage(t, u, v);
          assert.ok(Math.abs(bx - x) < 1.5 && Math.abs(by - y) < 1.5, `${x},${y} -> ${u},${v} -> ${bx},${by}`);
        }
      });
    }
  }

  it('a box comes back as the smallest page box around its corners, kept inside the region read', () => {
    const t = transform(180, 0);
    // A word near the working copy's top left is near the page's bottom right after a half turn.
    assert.deepEqual(boxToPage(t, [10, 20, 110, 60]), [2370, 3448, 2470, 3488]);
    assert.deepEqual(boxToPage(t, [-50, -50, 10, 10]), [2470, 3498, 2480, 3508]);
  });
});
