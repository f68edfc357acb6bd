/**
 * A SANE driver that blocks in sane_read, through a real service process:
 * the test backend's reader waits HANG_US before each block of data (a
 * test.conf default far beyond what sane_control_option allows), so each
 * page's first sane_read blocks that long. The page read before must reach
 * the buffer while the next read blocks, a cancel must reach sane_cancel in
 * the same worker and keep that page, and a start right after a cancel must
 * work.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { JobInfo, PageInfo } from '@scanbridge/protocol';
import { rpc, startChild, tempHome, type ChildService } from '../../test-support/service-harness.js';
import { createTestBackend, type TestBackend } from './test-backend.js';
import { alive, saneWorkers } from './test-helpers.js';

/** Longer than the service's grace for an aborted worker call (1 s), so that a cancel nobody hears ends in a kill. */
const HANG_US = 5_000_000;
/** 50 x 50 mm at 50 dpi in grey: well under one 64 KB block, so a page is one wait and one block. */
const FEEDER = { source: 'feeder', mode: 'gray', dpi: 50, paper: { width: 50, height: 50 } };

describe('SANE: a read that blocks', () => {
  let backend: TestBackend;
  let svc: ChildService;
  let home: string;
  let session: string;
  const call = (method: string, params: object = {}) => rpc(svc.base, 'f', method, params, session);
  const job = async (id: string): Promise<JobInfo> => (await call('GetJob', { job: id })).body.result![0] as JobInfo;
  const start = async (): Promise<JobInfo> => {
    const res = await call('StartScan', { device: 'sane:test:0', settings: FEEDER });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.result![0] as JobInfo;
  };
  const worker = async (): Promise<number> => {
    for (;;) {
      const [pid] = await saneWorkers(svc.child.pid!, 'sane:test:0');
      if (pid) return pid;
      await sleep(20);
    }
  };

  before(async () => {
    backend = await createTestBackend(1, { 'read-delay': 'true', 'read-delay-duration': String(HANG_US) });
    home = await tempHome();
    svc = await startChild(home, [], backend.env);
    session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
  });
  after(async () => {
    await svc.stop();
    await rm(home, { recursive: true, force: true });
    await backend.remove();
  });

  it('page 1 reaches the buffer while sane_read blocks on page 2; a cancel reaches sane_cancel and keeps page 1', async () => {
    const started = await start();
    const pid = await worker();
    let info = await job(started.id);
    while (info.state === 'running' && info.pages === 0) {
      await sleep(20);
      info = await job(started.id);
    }
    // Page 2 cannot be complete yet: its data comes only after a whole HANG_US wait that began after page 1.
    assert.equal(info.state, 'running');
    assert.equal(info.pages, 1);
    const cancelled = (await call('CancelJob', { job: started.id })).body.result![0] as JobInfo;
    assert.equal(cancelled.state, 'cancelled');
    assert.equal(cancelled.error?.code, 'job-cancelled');
    assert.equal(cancelled.pages, 1);
    const pages = (await call('GetImagesInfo')).body.result![0] as PageInfo[];
    assert.deepEqual(pages.map((p) => p.id), cancelled.pageIds);
    // The cancel was heard in the worker (sane_cancel ended the blocked read): it was not killed.
    assert.ok(alive(pid));
    assert.deepEqual(await saneWorkers(svc.child.pid!, 'sane:test:0'), [pid]);
    await call('RemoveAllImages');
  });

  it('a start right after cancelling a blocked job works, again and again, and never sees the old job error', async () => {
    let hung = await start();
    for (let round = 0; round < 4; round++) {
      await worker();
      // The job is in sane_read now (sane_start returns at once; the read waits HANG_US).
      await sleep(300);
      const cancelled = (await call('CancelJob', { job: hung.id })).body.result![0] as JobInfo;
      assert.equal(cancelled.state, 'cancelled');
      hung = await start();
      assert.equal(hung.state, 'running');
    }
    // The last one scans for real: its first page arrives.
    while ((await job(hung.id)).pages === 0) {
      const info = await job(hung.id);
      assert.equal(info.state, 'running', JSON.stringify(info.error));
      await sleep(50);
    }
    const cancelled = (await call('CancelJob', { job: hung.id })).body.result![0] as JobInfo;
    assert.equal(cancelled.state, 'cancelled');
    assert.equal(cancelled.pages, 1);
    await call('RemoveAllImages');
  });
});
