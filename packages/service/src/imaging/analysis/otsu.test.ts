/** Otsu's threshold and percentiles on histograms whose answer is known. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { histogram, otsu, percentile } from './otsu.js';

const image = (...runs: [level: number, count: number][]) => Uint8Array.from(runs.flatMap(([level, count]) => Array<number>(count).fill(level)));

it('puts the threshold in the middle of the gap between two clean levels, whatever their shares', () => {
  assert.equal(otsu(histogram(image([60, 100], [200, 900]))), 130);
  assert.equal(otsu(histogram(image([60, 900], [200, 100]))), 130);
  assert.equal(otsu(histogram(image([0, 5], [255, 5]))), 128);
});

it('splits three levels where the classes are furthest apart', () => {
  // 10 and 20 belong together against 240; a threshold between 20 and 240.
  const t = otsu(histogram(image([10, 400], [20, 400], [240, 200])));
  assert.ok(t > 20 && t <= 240, `threshold ${t}`);
});

it('answers the middle grey for a one-level image, so white stays white and black stays black', () => {
  assert.equal(otsu(histogram(image([250, 50]))), 128);
  assert.equal(otsu(histogram(image([3, 50]))), 128);
});

it('finds percentiles', () => {
  const h = histogram(image([10, 90], [200, 10]));
  assert.equal(percentile(h, 0.5), 10);
  assert.equal(percentile(h, 0.95), 200);
});
