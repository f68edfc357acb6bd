/**
 * A scanned page's thumbnail made at ingest (imaging/page-preview.ts) stands
 * in for rendering: the image renderer answers a box the page fits into the
 * prepared size with it, a smaller box from it, and only a larger box from
 * the stored page; an edited page (new version) or a removed one is never
 * answered from it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharp } from '../imaging/sharp.js';
import { PREVIEW_BOX, previewOfPixels } from '../imaging/page-preview.js';
import type { StoredImage } from '../buffer/types.js';
import { ImageRenderer } from './image-renderer.js';

const PAGE = { width: 620, height: 877, channels: 3 as const };

async function scannedPage() {
  const data = Buffer.alloc(PAGE.width * PAGE.height * 3, 200);
  // A dark block in the top-left quarter, so that a thumbnail shows where it is.
  for (let y = 0; y < PAGE.height / 2; y++) data.fill(20, y * PAGE.width * 3, (y * PAGE.width + PAGE.width / 2) * 3);
  const png = await sharp(data, { raw: PAGE }).png().toBuffer();
  const stored: StoredImage = { format: 'png', bytes: png, width: PAGE.width, height: PAGE.height, xdpi: 75, ydpi: 75, mode: 'color', bitDepth: 8 };
  return { stored, preview: await previewOfPixels({ ...PAGE, data }) };
}

/** A renderer holding a scanned page's prepared thumbnail, and a loader of the stored page that counts its reads. */
async function preparedRenderer() {
  const { stored, preview } = await scannedPage();
  const renderer = new ImageRenderer();
  renderer.prepare('s1:p1.1', preview);
  const counter = { loads: 0 };
  const load = async () => {
    counter.loads++;
    return stored;
  };
  return { preview, renderer, load, counter };
}

describe('thumbnails prepared at ingest', () => {
  it('answer the boxes they fit without loading the page; a larger box renders it', async () => {
    const { preview, renderer, load, counter } = await preparedRenderer();
    const exact = await renderer.render('s1:p1.1', load, PREVIEW_BOX.width, PREVIEW_BOX.height);
    assert.equal(exact.bytes, preview.bytes);
    assert.deepEqual([exact.width, exact.height, exact.contentType], [preview.width, preview.height, 'image/jpeg']);
    // The viewer's thumbnail at a device pixel ratio of 1: made from the prepared one.
    const small = await renderer.render('s1:p1.1', load, 112, 158);
    assert.deepEqual([small.width, small.height, small.contentType], [112, 158, 'image/jpeg']);
    const pixels = await sharp(small.bytes).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => pixels.data[(y * pixels.info.width + x) * pixels.info.channels]!;
    assert.ok(at(10, 10) < 60 && at(100, 140) > 160, `top-left dark, bottom-right light: ${at(10, 10)}, ${at(100, 140)}`);
    assert.equal(counter.loads, 0);
    assert.equal(renderer.renders, 0);

    const large = await renderer.render('s1:p1.1', load, 600, 600);
    assert.deepEqual([large.width, large.height], [424, 600]);
    assert.equal(counter.loads, 1);
    assert.equal(renderer.renders, 1);
  });

  it('an edited page (its next version) and a forgotten page render from the stored page', async () => {
    const { preview, renderer, load, counter } = await preparedRenderer();
    await renderer.render('s1:p1.2', load, 112, 158);
    assert.equal(counter.loads, 1);
    renderer.forget('s1:p1.');
    await renderer.render('s1:p1.1', load, 112, 158);
    assert.equal(counter.loads, 2);
  });
});
