/** The document pool: work runs in its threads, a thread that dies fails only its task, and closing stops the rest. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ScanbridgeError } from '@scanbridge/protocol';
import type { Pixels } from './analysis/document-corners.js';
import { DocumentPool } from './document-pool.js';

/** A light 300 x 200 rectangle on a dark 600 x 400 frame. */
function frame(): Pixels {
  const p: Pixels = { width: 600, height: 400, channels: 1, data: new Uint8Array(600 * 400).fill(40) };
  for (let y = 100; y < 300; y++) p.data.fill(230, y * 600 + 150, y * 600 + 450);
  return p;
}

describe('document pool', () => {
  it('detects and corrects in its threads, leaving the caller its pixels', async () => {
    const pool = new DocumentPool(1);
    try {
      const pixels = frame();
      const found = await pool.detect(pixels);
      assert.equal(found.documentFound, true);
      for (const [name, want] of Object.entries({ topLeft: [150, 100], topRight: [450, 100], bottomRight: [450, 300], bottomLeft: [150, 300] })) {
        const c = found.corners[name as keyof typeof found.corners];
        assert.ok(Math.abs(c.x - want[0]!) < 1 && Math.abs(c.y - want[1]!) < 1, `${name}: ${JSON.stringify(c)}`);
      }
      assert.equal(pixels.data.length, 600 * 400);
      const r = await pool.correct(pixels, { paper: { width: 150, height: 100 }, dpi: 100, cleanup: false, mode: 'gray' });
      assert.deepEqual([r.pixels!.width, r.pixels!.height, r.pixels!.channels], [591, 394, 1]);
      // Inside the outermost pixels (which mix in the desk at the edge): only the light rectangle.
      const { width, height, data } = r.pixels!;
      for (let y = 2; y < height - 2; y++) for (let x = 2; x < width - 2; x++) assert.ok(data[y * width + x]! > 200, `pixel ${x}, ${y}: ${data[y * width + x]}`);
    } finally {
      await pool.close();
    }
  });

  it('fails the task of a thread that dies with internal-error, and the next task runs', async () => {
    const pool = new DocumentPool(1);
    try {
      const big: Pixels = { width: 4000, height: 3000, channels: 3, data: new Uint8Array(4000 * 3000 * 3).fill(90) };
      // Corners given, so the thread is sure to be busy for seconds: a 600 dpi A4 (35 megapixels) to warp and clean.
      const corners = { topLeft: { x: 0, y: 0 }, topRight: { x: 4000, y: 0 }, bottomRight: { x: 4000, y: 3000 }, bottomLeft: { x: 0, y: 3000 } };
      const doomed = pool.correct(big, { corners, paper: 'A4', dpi: 600, cleanup: true, mode: 'color' });
      while (!pool.killBusyWorkerForTest()) await new Promise((r) => setTimeout(r, 5));
      await assert.rejects(doomed, (err: unknown) => err instanceof ScanbridgeError && err.code === 'internal-error' && /document imaging thread stopped/.test(err.message));
      assert.equal((await pool.detect(frame())).documentFound, true);
    } finally {
      await pool.close();
    }
    await assert.rejects(pool.detect(frame()), (err: unknown) => err instanceof ScanbridgeError && err.code === 'service-stopping');
  });
});
