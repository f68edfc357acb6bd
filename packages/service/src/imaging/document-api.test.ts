/** DetectDocument and CorrectPerspective through the service, on generated photos added to a session's buffer. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DocumentDetection, PageInfo } from '@scanbridge/protocol';
import { decodeBarcodes } from '../devices/demo/test-helpers.js';
import { documentId } from '../devices/demo/page-render.js';
import { type Photo, cornerError, demoPageImage, photograph } from './document-photos.js';
import { ImagingApi } from './test-pages.js';
import { correctDocument } from './document.js';

type Detected = { page: string; index: number } & DocumentDetection;
type Corrected = { info: PageInfo; changed: boolean } & DocumentDetection;

describe('document capture through the service', () => {
  let api: ImagingApi;
  let photo: Photo;
  let desk: Photo;
  before(async () => {
    api = await ImagingApi.start();
    const page = await demoPageImage(300);
    photo = await photograph(page, { width: 3000, height: 4000, tilt: 25, rotation: -8, seed: 31 });
    desk = await photograph(page, { width: 640, height: 480, tilt: 0, rotation: 0, offset: { x: 5, y: 5 }, seed: 32 });
  });
  after(() => api.close());

  it('DetectDocument answers the corners, confidence and paper, and changes nothing', async () => {
    const p = await api.add(photo.jpeg, { xdpi: 72 });
    const empty = await api.add(desk.jpeg);
    const [found, none] = await api.call<Detected[]>('DetectDocument', { pages: [p.id, empty.id] });
    assert.equal(found!.page, p.id);
    assert.equal(found!.documentFound, true);
    assert.ok(cornerError(found!.corners, photo.corners) < 0.01);
    assert.ok(found!.confidence > 0.8);
    assert.equal(found!.paper, 'A4');
    assert.equal(none!.documentFound, false);
    assert.deepEqual(none!.corners, { topLeft: { x: 0, y: 0 }, topRight: { x: 640, y: 0 }, bottomRight: { x: 640, y: 480 }, bottomLeft: { x: 0, y: 480 } });
    assert.equal((await api.info(p.id)).version, p.version);
    await api.call('RemoveAllImages');
  });

  it('CorrectPerspective flattens the page into a new version at the dpi asked; a page without a document stays as it was', async () => {
    const p = await api.add(photo.jpeg);
    const empty = await api.add(desk.jpeg);
    api.events.length = 0;
    const [flat, same] = await api.call<Corrected[]>('CorrectPerspective', { pages: [p.id, empty.id], dpi: 150 });
    assert.equal(flat!.changed, true);
    assert.equal(flat!.documentFound, true);
    assert.deepEqual([flat!.info.id, flat!.info.width, flat!.info.height, flat!.info.xdpi, flat!.info.version], [p.id, 1240, 1754, 150, p.version + 1]);
    assert.equal(same!.changed, false);
    assert.equal(same!.documentFound, false);
    assert.equal(same!.info.version, empty.version);
    await api.modified([p.id]);
    const { bytes } = await api.image(p.id);
    assert.ok((await decodeBarcodes(bytes)).includes(`CODE-128:${documentId(1, 'front')}`));
    await api.call('RemoveAllImages');
  });

  it('CorrectPerspective takes the corners the user dragged, a paper and a colour mode', async () => {
    const p = await api.add(photo.jpeg);
    const [r] = await api.call<Corrected[]>('CorrectPerspective', { pages: [p.id], corners: photo.corners, paper: 'Letter', dpi: 100, mode: 'bw' });
    assert.equal(r!.changed, true);
    assert.deepEqual(r!.corners, photo.corners);
    assert.deepEqual([r!.info.width, r!.info.height, r!.info.mode, r!.info.bitDepth], [850, 1100, 'bw', 1]);
    await api.call('RemoveAllImages');
  });

  it('refuses corners that do not make a page, before any page changes', async () => {
    const p = await api.add(desk.jpeg);
    const crossed = { topLeft: { x: 10, y: 10 }, topRight: { x: 600, y: 470 }, bottomRight: { x: 600, y: 10 }, bottomLeft: { x: 10, y: 470 } };
    const bad = await api.attempt('CorrectPerspective', { pages: [p.id], corners: crossed });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error!.code, 'invalid-params');
    assert.match(bad.body.error!.message, /params\.corners: the corners do not make a convex quadrilateral/);
    const outside = await api.attempt('CorrectPerspective', { pages: [p.id], corners: { ...crossed, topRight: { x: 5000, y: 10 }, bottomRight: { x: 600, y: 470 } } });
    assert.equal(outside.body.error!.code, 'invalid-params');
    assert.match(outside.body.error!.message, /params\.corners\.topRight: \(5000, 10\) is outside the page: page 0 \(id [^)]+\) is 640 x 480 pixels/);
    const dpi = await api.attempt('CorrectPerspective', { pages: [p.id], dpi: 5000 });
    assert.equal(dpi.body.error!.code, 'invalid-params');
    assert.equal((await api.info(p.id)).version, p.version);
    await api.call('RemoveAllImages');
  });

  it('correctDocument (the camera capture path) answers the flattened page, or the frame as it was', async () => {
    const stored = { format: 'jpeg' as const, bytes: photo.jpeg, width: photo.width, height: photo.height, xdpi: 72, ydpi: 72, mode: 'color' as const, bitDepth: 8 };
    const r = await correctDocument(stored);
    assert.equal(r.documentFound, true);
    assert.deepEqual([r.page.format, r.page.width, r.page.height, r.page.xdpi, r.page.mode], ['jpeg', 1654, 2339, 200, 'color']);
    const frame = { ...stored, bytes: desk.jpeg, width: 640, height: 480 };
    const none = await correctDocument(frame, { dpi: 150 });
    assert.equal(none.documentFound, false);
    assert.equal(none.page, frame);
    // Raw pixels too (a frame decoded by the capture path): a frame without a page comes back encoded as it was.
    const raster = { width: 64, height: 48, channels: 1 as const, depth: 8 as const, data: Buffer.alloc(64 * 48, 128) };
    const flat = await correctDocument(raster);
    assert.equal(flat.documentFound, false);
    assert.deepEqual([flat.page.format, flat.page.width, flat.page.height, flat.page.mode], ['png', 64, 48, 'gray']);
  });

  it('CorrectPerspective keeps a black-and-white page black and white', async () => {
    const p = await api.add(photo.jpeg);
    await api.call('ConvertImagesToBW', { pages: [p.id] });
    const [r] = await api.call<Corrected[]>('CorrectPerspective', { pages: [p.id], dpi: 100 });
    assert.equal(r!.documentFound, true);
    assert.deepEqual([r!.info.mode, r!.info.bitDepth, r!.info.format, r!.info.width], ['bw', 1, 'png', 827]);
    await api.call('RemoveAllImages');
  });
});
