/**
 * A scan's pages reach the buffer with their thumbnails made in the device
 * worker: a viewer's first thumbnail request for each page (sent when its
 * page event arrives) is answered without decoding the stored page. Real
 * libsane with SANE's `test` backend, in a service run in this process so
 * that its renderer can be watched.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobInfo, PageInfo } from '@scanbridge/protocol';
import { adminHeaders, rpc } from '../../test-support/service-harness.js';
import { VERSION_CODE } from '../../version.js';
import { inProcessSaneService } from './test-helpers.js';

describe('thumbnails of scanned pages are made at ingest', () => {
  const sane = inProcessSaneService();

  it("the first fetch of each page's thumbnail decodes no page", async () => {
    const { svc, session } = sane;
    const call = (method: string, params: object = {}) => rpc(svc.base, 'f', method, params, session);
    const start = await call('StartScan', { device: 'sane:test:0', settings: { source: 'feeder', mode: 'color', dpi: 75, paper: 'A5', options: { 'test-picture': 'Color pattern' } } });
    assert.equal(start.status, 200, JSON.stringify(start.body));
    let info = start.body.result![0] as JobInfo;
    while (info.state === 'running') info = (await call('WaitJob', { job: info.id, timeout: 30 })).body.result![0] as JobInfo;
    assert.equal(info.state, 'done', JSON.stringify(info.error));
    const pages = (await call('GetImagesInfo')).body.result![0] as PageInfo[];
    assert.equal(pages.length, 10);
    const renders = svc.service.ctx.images.renders;
    for (const page of pages) {
      // The viewer's box at a device pixel ratio of 2.
      const res = await fetch(`${svc.base}/dwt/dwt_${VERSION_CODE}/img?id=${session}&page=${page.id}&width=224&height=317&ticks=${page.version}`, { headers: adminHeaders(svc.base) });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'image/jpeg');
      // A5 at 75 dpi is 437 x 620: fitted into 224 x 317.
      assert.deepEqual([res.headers.get('x-image-width'), res.headers.get('x-image-height')], ['223', '317']);
      await res.arrayBuffer();
    }
    assert.equal(svc.service.ctx.images.renders, renders, 'a thumbnail was rendered from the stored page');
  });
});
