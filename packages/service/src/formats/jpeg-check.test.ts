/**
 * A JPEG is stored byte for byte once a decode proves it whole (issue 12.2).
 * That decode uses JPEG's shrink-on-load (every coefficient is still
 * entropy-decoded, the inverse DCT is done at 1/8 size), so the check must be
 * as strict as a full decode: shown on an A4 300 dpi page, big enough for
 * the shrink to apply (corrupt-input.test.ts covers small files of every format).
 */
import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { ScanbridgeError } from '@scanbridge/protocol';
import { loadAll, prng } from './test-tools.js';

let valid: Buffer;
before(async () => {
  valid = await sharp({ create: { width: 2480, height: 3508, channels: 3, background: '#eee', noise: { type: 'gaussian', mean: 200, sigma: 20 } } })
    .jpeg({ quality: 85 })
    .toBuffer();
});

const invalidJpeg = (err: unknown) => err instanceof ScanbridgeError && err.code === 'invalid-image' && err.message.startsWith('JPEG');

it('the whole page loads byte for byte', async () => {
  const [page] = await loadAll(valid);
  assert.ok(page!.bytes.equals(valid));
});

it('a truncated page is refused with invalid-image, wherever it is cut', async () => {
  for (const keep of [0.1, 0.5, 0.9, 0.999]) {
    await assert.rejects(loadAll(valid.subarray(0, Math.floor(valid.length * keep))), invalidJpeg, `cut at ${keep}`);
  }
  // libjpeg alone accepts about 1 in 10 files cut just before the end marker.
  await assert.rejects(loadAll(valid.subarray(0, valid.length - 2)), invalidJpeg, 'without its end marker');
});

it('bytes after the end marker (a camera\'s padding) do not make a page invalid', async () => {
  const padded = Buffer.concat([valid, Buffer.alloc(512)]);
  const [page] = await loadAll(padded);
  assert.equal(page!.width, 2480);
});

it('a corrupt page (a bogus Huffman table) is refused with invalid-image', async () => {
  const bytes = Buffer.from(valid);
  const dht = bytes.indexOf(Buffer.from([0xff, 0xc4]));
  bytes.fill(0xff, dht + 5, dht + 21);
  await assert.rejects(loadAll(bytes), invalidJpeg);
});

it('a page with damaged coded data is refused, or accepted only when a full decode accepts it too', async () => {
  const random = prng(12);
  for (let i = 0; i < 8; i++) {
    const bytes = Buffer.from(valid);
    const at = 1000 + Math.floor(random() * (bytes.length - 2000));
    for (let k = 0; k < 16; k++) bytes[at + k] = Math.floor(random() * 256);
    try {
      await loadAll(bytes);
    } catch (err) {
      assert.ok(invalidJpeg(err), String(err));
      continue;
    }
    await sharp(bytes, { failOn: 'error' }).raw().toBuffer();
  }
});
