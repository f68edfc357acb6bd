/** kill -9 of the service and a restart: every acquired page is back in its session, byte-identical, in order. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import sharp from 'sharp';
import type { JobInfo, PageInfo } from '@scanbridge/protocol';
import { rpc, startChild, tempHome, type ChildService } from '../test-support/service-harness.js';

describe('crash recovery', () => {
  let home: string;
  let svc: ChildService;

  before(async () => {
    home = await tempHome();
  });
  after(async () => {
    await svc?.stop();
    await rm(home, { recursive: true, force: true });
  });

  it('pages, order, tags and selection survive kill -9', async () => {
    svc = await startChild(home);
    const session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    const other = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    const job = (await rpc(svc.base, 'f', 'StartScan', { device: 'demo:scanner', settings: { source: 'feeder', duplex: true, dpi: 100, mode: 'color', options: { sheets: 3 } } }, session)).body.result![0] as JobInfo;
    let state: JobInfo = job;
    while (state.state === 'running') state = (await rpc(svc.base, 'f', 'WaitJob', { job: job.id }, session)).body.result![0] as JobInfo;
    assert.equal(state.state, 'done');
    const photo = (await sharp({ create: { width: 64, height: 48, channels: 3, background: '#a0522d' } }).jpeg().toBuffer()).toString('base64');
    await rpc(svc.base, 'f', 'AddImage', { data: photo, index: 2, tags: ['photo'] }, session);
    await rpc(svc.base, 'f', 'MoveImage', { page: 0, to: 6 }, session);
    await rpc(svc.base, 'f', 'RemoveImages', { pages: [1] }, session);
    await rpc(svc.base, 'f', 'SelectImages', { pages: [0, 2] }, session);
    await rpc(svc.base, 'f', 'AddImage', { data: photo }, other);

    const before = (await rpc(svc.base, 'f', 'GetImagesInfo', {}, session)).body.result![0] as PageInfo[];
    assert.equal(before.length, 6);
    const bytes = new Map<string, string>();
    for (const page of before) bytes.set(page.id, ((await rpc(svc.base, 'f', 'GetImage', { page: page.id }, session)).body.result![0] as { data: string }).data);

    await svc.kill9();
    svc = await startChild(home);

    const resumed = await rpc(svc.base, 'f', 'ResumeSession', {}, session);
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    const after = (await rpc(svc.base, 'f', 'GetImagesInfo', {}, session)).body.result![0] as PageInfo[];
    assert.deepEqual(after, before);
    for (const page of after) {
      const data = ((await rpc(svc.base, 'f', 'GetImage', { page: page.id }, session)).body.result![0] as { data: string }).data;
      assert.equal(data, bytes.get(page.id), `page ${page.index} differs after the restart`);
    }
    assert.deepEqual((await rpc(svc.base, 'f', 'GetImageCount', {}, other)).body.result, [1]);
    // The recovered service keeps working on the recovered session.
    assert.equal((await rpc(svc.base, 'f', 'AddImage', { data: photo }, session)).status, 200);
    assert.deepEqual((await rpc(svc.base, 'f', 'GetImageCount', {}, session)).body.result, [7]);
  });
});
