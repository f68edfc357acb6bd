/**
 * A scanned page's PNG written straight to its handover file (the SANE
 * worker's path) is the PNG encodeRawPng returns, byte for byte, in the form
 * the page calls for (stored for noise, deflated for a clean page), and
 * netpbm's pngtopam reads the scanner's pixels back from it, grey and colour.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isUncompressedPng } from '../formats/png-chunks.js';
import { prng, readPnm, tool, withTempDir } from '../formats/test-tools.js';
import { encodeRawPng, encodeRawPngToFile } from './raw-png.js';

const W = 240;
const H = 160;

function page(channels: 1 | 3, kind: 'noisy' | 'clean'): { width: number; height: number; channels: 1 | 3; data: Buffer } {
  const random = prng(kind === 'noisy' ? 5 : 6);
  const data = Buffer.alloc(W * H * channels);
  for (let i = 0; i < data.length; i++) {
    const y = Math.floor(i / (W * channels));
    // Noise of a sensor on paper, or paper with a few dark rules.
    data[i] = kind === 'noisy' ? 200 + Math.round((random() + random() + random() - 1.5) * 6) : y % 20 === 0 ? 30 : 235;
  }
  return { width: W, height: H, channels, data };
}

describe('a raw page written as PNG straight to a file', () => {
  for (const channels of [1, 3] as const) {
    for (const kind of ['noisy', 'clean'] as const) {
      it(`${channels === 1 ? 'grey' : 'colour'}, ${kind}`, async () => {
        const pixels = page(channels, kind);
        await withTempDir(async (dir) => {
          const file = path.join(dir, 'page.png');
          const size = await encodeRawPngToFile(pixels, file);
          const written = await readFile(file);
          assert.equal(size, written.length);
          assert.ok(written.equals(await encodeRawPng(pixels)), 'the file holds the PNG encodeRawPng returns');
          assert.equal(isUncompressedPng(written), kind === 'noisy');
          const decoded = readPnm((await tool('pngtopam', [], written)).stdout);
          assert.deepEqual([decoded.width, decoded.height], [W, H]);
          assert.ok(decoded.data.equals(pixels.data), 'pngtopam reads the pixels the scanner delivered');
        });
      });
    }
  }
});
