/**
 * Page detection on generated photos (document-photos.ts): the demo page
 * tilted 10 to 35 degrees, turned, on a dark desk under uneven warm light;
 * the true corners are known from the projection.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sharp } from '../sharp.js';
import { type PageImage, type PhotoSetup, cornerError, demoPageImage, photograph } from '../document-photos.js';
import { type Pixels, detectDocument } from './document-corners.js';
import { rectangleAspect } from './homography.js';

async function decoded(jpeg: Buffer): Promise<Pixels> {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data };
}

const SETUPS: PhotoSetup[] = [
  { width: 1800, height: 2400, tilt: 10, rotation: 3, seed: 11 },
  { width: 1800, height: 2400, tilt: 20, rotation: -15, seed: 12, lightMin: 0.5 },
  { width: 1800, height: 2400, tilt: 35, rotation: 8, seed: 13 },
  { width: 2400, height: 1800, tilt: 30, rotation: 25, sideTilt: 8, offset: { x: 0.06, y: 0.02 }, seed: 14 },
  { width: 2400, height: 1800, tilt: 15, rotation: -30, sideTilt: -12, fill: 0.7, seed: 15, lightMin: 0.45 },
  { width: 1920, height: 1080, tilt: 25, rotation: 90 - 4, fill: 0.85, seed: 16 },
  // A grey desk lit brighter in one corner than the paper in the other, a nearly white desk, a blue one, a lamp falling to 30 %.
  { width: 1600, height: 1200, tilt: 20, rotation: -10, desk: [160, 160, 160], seed: 2 },
  { width: 1600, height: 1200, tilt: 15, rotation: 3, desk: [205, 200, 195], seed: 7 },
  { width: 1600, height: 1200, tilt: 15, rotation: 30, desk: [60, 90, 170], seed: 6 },
  { width: 1600, height: 1200, tilt: 30, rotation: 10, lightMin: 0.3, seed: 1 },
];

describe('document corners', () => {
  let page: PageImage;
  before(async () => {
    page = await demoPageImage(150);
  });

  for (const s of SETUPS) {
    it(`finds the page tilted ${s.tilt}°, turned ${s.rotation}° in a ${s.width} x ${s.height} photo${s.desk ? ` on a desk of ${s.desk.join(', ')}` : ''}${s.lightMin ? `, light falling to ${s.lightMin * 100} %` : ''} within 1 % of its diagonal`, async () => {
      const photo = await photograph(page, s);
      const found = detectDocument(await decoded(photo.jpeg));
      assert.equal(found.documentFound, true, `confidence ${found.confidence}`);
      assert.ok(found.confidence >= 0.8, `confidence ${found.confidence}`);
      // Named from the top-left as the frame shows it: a page turned by 86° has its left edge on top.
      const truth = s.rotation > 45 ? { topLeft: photo.corners.bottomLeft, topRight: photo.corners.topLeft, bottomRight: photo.corners.topRight, bottomLeft: photo.corners.bottomRight } : photo.corners;
      const error = cornerError(found.corners, truth);
      assert.ok(error < 0.01, `corner error ${(error * 100).toFixed(2)} % of the diagonal: ${JSON.stringify(found.corners)} vs ${JSON.stringify(truth)}`);
      // The shape through the perspective is the page's, A4 (either way round), within 2 %.
      const aspect = rectangleAspect(found.corners, { x: s.width / 2, y: s.height / 2 });
      const a4 = s.rotation > 45 ? 297 / 210 : 210 / 297;
      assert.ok(Math.abs(aspect / a4 - 1) < 0.02, `aspect ${aspect} for ${a4}`);
    });
  }

  it('finds no page on an empty desk, in a flat grey frame, and in a frame the page fills', async () => {
    const desk = await photograph(page, { width: 1200, height: 900, tilt: 20, rotation: 0, offset: { x: 5, y: 5 }, seed: 17 });
    for (const pixels of [
      await decoded(desk.jpeg),
      { width: 640, height: 480, channels: 1 as const, data: new Uint8Array(640 * 480).fill(128) },
      // The demo page alone, edge to edge: no desk around it, so no edges to find.
      page.pixels,
    ]) {
      const found = detectDocument(pixels);
      assert.equal(found.documentFound, false, `confidence ${found.confidence}`);
      assert.deepEqual(found.corners, { topLeft: { x: 0, y: 0 }, topRight: { x: pixels.width, y: 0 }, bottomRight: { x: pixels.width, y: pixels.height }, bottomLeft: { x: 0, y: pixels.height } });
    }
  });

  it('finds a grey page (one channel) as well as a colour one', async () => {
    const photo = await photograph(page, { width: 1600, height: 1200, tilt: 20, rotation: 12, seed: 18 });
    const { data, info } = await sharp(photo.jpeg).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    const found = detectDocument({ width: info.width, height: info.height, channels: 1, data });
    assert.equal(found.documentFound, true);
    assert.ok(cornerError(found.corners, photo.corners) < 0.01);
  });
});
