/**
 * Bad input to the imaging methods: out-of-range parameters, pages that do
 * not exist, pages whose stored bytes are damaged. Each is a typed error
 * naming what was wrong, and the buffer is as it was (or, for a batch that
 * fails part way, exactly as the error says).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { PageInfo } from '@scanbridge/protocol';
import type { StoredImage } from '../buffer/types.js';
import { jpegtran } from './jpegtran.js';
import { ImagingApi, drawn } from './test-pages.js';

type Edited = { info: PageInfo; changed: boolean };

describe('imaging methods refuse bad input and lose nothing', () => {
  let api: ImagingApi;
  let pages: PageInfo[];
  /** Ids, versions and bytes of every page, to compare before and after a refused call. */
  const snapshot = async () => {
    const infos = await api.call<PageInfo[]>('GetImagesInfo');
    return Promise.all(infos.map(async (p) => ({ id: p.id, version: p.version, width: p.width, bytes: p.version > 0 ? (await api.image(p.id)).bytes.toString('base64') : '' })));
  };
  const refused = async (method: string, params: object, status: number, code: string, message: RegExp) => {
    const before = await snapshot();
    const res = await api.attempt(method, params);
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.equal(res.body.error?.code, code);
    assert.match(res.body.error!.message, message);
    assert.deepEqual(await snapshot(), before);
    return res.body.error as { code: string; message: string; details?: Record<string, unknown> };
  };
  /** Puts bytes into the buffer as a page without the checks AddImage makes: what a damaged cache would hold. */
  const damaged = (image: StoredImage) => api.svc.service.ctx.sessions.get(api.session).buffer.add(image);

  before(async () => {
    api = await ImagingApi.start();
    pages = [await api.add(await drawn(200, 120, [])), await api.add(await drawn(80, 60, []))];
  });
  after(async () => api.close());

  it('out-of-range and malformed parameters name the parameter and what is allowed', async () => {
    await refused('RotateImages', { pages: [0], angle: 400 }, 400, 'invalid-params', /params\.angle: .*360.*got 400/);
    await refused('ConvertImagesToBW', { pages: [0], threshold: 300 }, 400, 'invalid-params', /params\.threshold/);
    await refused('EraseImages', { pages: [0], x: 0, y: 0, width: 5, height: 5, fill: 'red' }, 400, 'invalid-params', /params\.fill.*#rrggbb/);
    await refused('ResizeImages', { pages: [0] }, 400, 'invalid-params', /params\.width: give width, height or both/);
    await refused('ResizeImages', { pages: [0], width: 0 }, 400, 'invalid-params', /params\.width/);
    await refused('AdjustImagesBrightnessContrast', { pages: [0], contrast: -101 }, 400, 'invalid-params', /params\.contrast/);
    await refused('CropImages', { pages: [0], x: -1, y: 0, width: 5, height: 5 }, 400, 'invalid-params', /params\.x/);
    await refused('DetectBlankImages', { pages: [0], inkThreshold: 0 }, 400, 'invalid-params', /params\.inkThreshold/);
    await refused('DeskewImages', { pages: [0], maxAngle: 60 }, 400, 'invalid-params', /params\.maxAngle/);
    await refused('FlipImages', { pages: [0], angle: 90 }, 400, 'invalid-params', /unknown key "angle"/);
    await refused('FlipImages', {}, 400, 'invalid-params', /params\.pages: name the pages/);
    await refused('FlipImages', { pages: [0], selected: true }, 400, 'invalid-params', /params\.pages: name the pages/);
    await refused('FlipImages', { pages: [] }, 400, 'invalid-params', /params\.pages/);
  });

  it('a rectangle outside a page is refused naming the parameter and its range, before any page changes', async () => {
    const e = await refused('CropImages', { pages: [0], x: 150, y: 0, width: 100, height: 50 }, 400, 'invalid-params', /params\.width: 100 is outside the page: page 0 .* 200 x 120 pixels, so width must be 1 to 50/);
    assert.deepEqual(e.details?.allowed, { min: 1, max: 50 });
    await refused('EraseImages', { pages: [0], x: 0, y: 120, width: 1, height: 1 }, 400, 'invalid-params', /params\.y: 120 .* must be 0 to 119/);
    // Inside page 0 but not inside page 1: page 0 must not have been cropped either.
    await refused('CropImages', { pages: [0, 1], x: 0, y: 0, width: 100, height: 50 }, 400, 'invalid-params', /page 1 .* 80 x 60 pixels, so width must be 1 to 80/);
    await refused('ResizeImages', { pages: [0], width: 65535, height: 65535 }, 400, 'invalid-params', /at most \d+ pixels/);
    await refused('DetectBlankImages', { pages: [1], margin: 50 }, 400, 'invalid-params', /params\.margin: 50 mm leaves nothing/);
  });

  it('pages that do not exist, and an empty selection, are refused before any page changes', async () => {
    await refused('RotateImages', { pages: [0, 7], angle: 90 }, 404, 'page-not-found', /index 7: the buffer has 2 pages/);
    await refused('InvertImages', { pages: [pages[0]!.id, 'no-such-page'] }, 404, 'page-not-found', /"no-such-page"/);
    await refused('DetectSkewAngles', { pages: [2] }, 404, 'page-not-found', /index 2/);
    await api.call('SelectImages', { pages: [] });
    await refused('MirrorImages', { selected: true }, 400, 'invalid-params', /params\.selected: no page is selected/);
  });

  it('a page whose stored bytes do not decode is page-damaged; alone it changes nothing, in a batch the error says which pages changed', async () => {
    const good = await api.call<PageInfo[]>('GetImagesInfo');
    const png = await drawn(64, 48, []);
    const broken = await damaged({ format: 'png', bytes: png.subarray(0, png.length - 40), width: 64, height: 48, xdpi: 72, ydpi: 72, mode: 'color', bitDepth: 8 });
    const jpeg = await sharp(png).jpeg().toBuffer();
    const brokenJpeg = await damaged({ format: 'jpeg', bytes: jpeg.subarray(0, jpeg.length - 200), width: 64, height: 48, xdpi: 72, ydpi: 72, mode: 'color', bitDepth: 8 });

    await refused('RotateImages', { pages: [broken.id], angle: 33 }, 409, 'page-damaged', new RegExp(`Page 2 \\(id ${broken.id}\\): its stored PNG image cannot be decoded: .*; no page was changed`));
    await refused('RotateImages', { pages: [brokenJpeg.id], angle: 90 }, 409, 'page-damaged', /Page 3 .*jpegtran.*no page was changed/);
    await refused('ConvertImagesToBW', { pages: [broken.id, 0] }, 409, 'page-damaged', /no page was changed/);
    await refused('DetectBlankImages', { pages: [brokenJpeg.id] }, 409, 'page-damaged', /Page 3 .*JPEG/);
    await refused('DeskewImages', { pages: [broken.id] }, 409, 'page-damaged', /Page 2/);

    // A batch stops at the damaged page: the page before it is edited, the one after it is not.
    const res = await api.attempt('InvertImages', { pages: [good[0]!.id, broken.id, good[1]!.id] });
    assert.equal(res.status, 409);
    const error = res.body.error as { code: string; message: string; details: { page: string; changed: string[]; unchanged: string[] } };
    assert.equal(error.code, 'page-damaged');
    assert.match(error.message, new RegExp(`pages already changed: ${good[0]!.id}; left as they were: ${broken.id}, ${good[1]!.id}`));
    assert.deepEqual([error.details.page, error.details.changed, error.details.unchanged], [broken.id, [good[0]!.id], [broken.id, good[1]!.id]]);
    const after = await api.call<PageInfo[]>('GetImagesInfo');
    assert.deepEqual(
      after.map((p) => p.version),
      [good[0]!.version + 1, good[1]!.version, broken.version, brokenJpeg.version],
    );

    // The service stays up and the other pages still edit.
    const [ok] = await api.call<Edited[]>('FlipImages', { pages: [good[1]!.id] });
    assert.equal(ok!.changed, true);
  });

  it('a missing jpegtran is a tool-missing error naming the Debian package', async () => {
    const jpeg = await sharp(await drawn(32, 32, [])).jpeg().toBuffer();
    await assert.rejects(jpegtran(jpeg, 'rotate90', 'jpegtran-not-installed'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'tool-missing');
      assert.match(err.message, /install the Debian package libjpeg-turbo-progs/);
      return true;
    });
  });
});
