/**
 * A compressed PNG page (what the SANE worker encodes for the network) is
 * served with its density and its pixels, from the page's own memory: the
 * pieces are slices of it, not a page-sized copy.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharp } from '../imaging/sharp.js';
import type { EncodedPage } from '../devices/driver.js';
import { encodeDocument } from './document-encoder.js';

/** The pHYs chunks of a PNG: pixels per unit on each axis, and the unit. */
function physOf(png: Buffer): { x: number; y: number; unit: number }[] {
  const found = [];
  for (let at = 8; at + 12 <= png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'pHYs') found.push({ x: png.readUInt32BE(at + 8), y: png.readUInt32BE(at + 12), unit: png[at + 16]! });
    at += 12 + length;
  }
  return found;
}

describe('eSCL documents', () => {
  it('serves a compressed PNG page with its density, from the page itself', async () => {
    const width = 64;
    const height = 48;
    const pixels = Buffer.alloc(width * height * 3);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7) % 251;
    // As libvips writes it: a pHYs of its own (1 pixel per mm) before the image data.
    const bytes = await sharp(pixels, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 2, adaptiveFiltering: false }).toBuffer();
    const page: EncodedPage = { kind: 'encoded', format: 'png', bytes, width, height, xdpi: 300, ydpi: 150, mode: 'color', bitDepth: 8 };

    const doc = await encodeDocument(page, 'image/png');
    const served = Buffer.concat(doc.parts);
    assert.equal(doc.size, served.length);
    assert.deepEqual([doc.mime, doc.width, doc.height, doc.bytesPerLine], ['image/png', width, height, width * 3]);
    assert.deepEqual(physOf(served), [{ x: Math.round(300 / 0.0254), y: Math.round(150 / 0.0254), unit: 1 }]);
    const decoded = await sharp(served).raw().toBuffer();
    assert.ok(decoded.equals(pixels), 'the served PNG has the page pixels');
    // The image data goes out from the page's memory.
    const largest = doc.parts.reduce((a, b) => (b.length > a.length ? b : a));
    assert.equal(largest.buffer, bytes.buffer);
    assert.ok(largest.length > bytes.length / 2);
  });
});
