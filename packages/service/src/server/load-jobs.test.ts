/**
 * StartLoad: a file loaded as a job. The call answers at once; progress
 * events count the pages decoded; the pages arrive in the buffer once, all
 * together, when the job ends; cancel and kill -9 add nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import type { JobEvent, JobInfo, PageInfo } from '@scanbridge/protocol';
import { adminHeaders, rpc, startChild, startInProcess, tempHome, type InProcess } from '../test-support/service-harness.js';
import { drawnPdf } from '../formats/test-tools.js';
import { sessionEvents } from '../test-support/session-events.js';

interface Answer {
  status: number;
  body: { result?: [JobInfo]; error?: { code: string; message: string } };
}

async function startLoad(base: string, session: string, file: Buffer, params: object): Promise<Answer> {
  const res = await fetch(`${base}/f/StartLoad?id=${session}&params=${encodeURIComponent(JSON.stringify(params))}`, {
    method: 'POST',
    headers: { 'content-type': 'application/pdf', ...adminHeaders(base) },
    body: file,
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}

describe('StartLoad', () => {
  let svc: InProcess;
  let session: string;
  const pages = async () => (await rpc(svc.base, 'f', 'GetImagesInfo', {}, session)).body.result![0] as PageInfo[];

  before(async () => {
    svc = await startInProcess();
    session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
  });
  after(async () => {
    await svc.close();
  });

  it('answers a job at once; progress counts the pages; the pages arrive once, together, at the end', async () => {
    const events = await sessionEvents(svc, session);
    const pdf = await drawnPdf(40);
    const started = await startLoad(svc.base, session, pdf, { dpi: 100, tags: ['invoices'] });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    const job = started.body.result![0];
    assert.deepEqual([job.kind, job.state, job.device, job.pages], ['load', 'running', '', 0]);

    let info = job;
    while (info.state === 'running') info = (await rpc(svc.base, 'f', 'WaitJob', { job: job.id, timeout: 10 }, session)).body.result![0] as JobInfo;
    assert.equal(info.state, 'done', JSON.stringify(info.error));
    assert.equal(info.pageIds.length, 40);
    await until(() => events.job.some((e) => e.type === 'done') && events.buffer.length > 0);
    events.close();

    const now = await pages();
    assert.deepEqual(now.map((p) => p.id), info.pageIds);
    assert.deepEqual(now[0]!.tags, ['invoices', `job:${job.id}`]);
    assert.deepEqual(events.buffer, [{ action: 'add', ids: info.pageIds, index: 0, count: 40 }]);
    const types = events.job.map((e) => e.type);
    assert.deepEqual([types[0], types.at(-1)], ['started', 'done']);
    assert.ok(!types.includes('page'), 'no page event: the pages are named by done');
    const progress = events.job.filter((e): e is Extract<JobEvent, { type: 'progress' }> => e.type === 'progress');
    assert.deepEqual(progress.map((e) => e.page), Array.from({ length: 41 }, (_, i) => i));
    assert.ok(progress.every((e) => e.total === 40 && e.fraction === e.page / 40 && e.job.pages === 0));
    assert.deepEqual((events.job.at(-1) as { job: JobInfo }).job.pageIds, info.pageIds);
  });

  it('a damaged file fails the job with invalid-image and adds nothing', async () => {
    const before = await pages();
    const bad = await drawnPdf(12, (i) => (i === 9 ? [14400, 14400] : [595.28, 841.89]));
    const job = (await startLoad(svc.base, session, bad, { dpi: 100 })).body.result![0];
    const info = (await rpc(svc.base, 'f', 'WaitJob', { job: job.id, timeout: 600 }, session)).body.result![0] as JobInfo;
    assert.equal(info.state, 'failed');
    assert.equal(info.error!.code, 'invalid-image');
    assert.match(info.error!.message, /page 10\b/);
    assert.deepEqual(await pages(), before);
  });

  it('cancel stops it and adds nothing', async () => {
    const before = await pages();
    const events = await sessionEvents(svc, session);
    const job = (await startLoad(svc.base, session, await drawnPdf(40), { dpi: 150 })).body.result![0];
    await until(() => events.job.some((e) => e.type === 'progress' && e.job.id === job.id && e.page >= 2));
    const cancelled = (await rpc(svc.base, 'f', 'CancelJob', { job: job.id }, session)).body.result![0] as JobInfo;
    assert.equal(cancelled.state, 'cancelled');
    assert.equal(cancelled.error!.code, 'job-cancelled');
    assert.deepEqual(cancelled.pageIds, []);
    assert.deepEqual(await pages(), before);
    events.close();
    assert.deepEqual(events.buffer, []);
  });

  it('refuses a call without a file, at once', async () => {
    const res = await rpc(svc.base, 'f', 'StartLoad', {}, session);
    assert.equal(res.status, 400);
    assert.equal(res.body.error!.code, 'invalid-params');
  });
});

describe('StartLoad and kill -9', () => {
  it('a load interrupted by kill -9 is reported interrupted after the restart, with none of its pages', async () => {
    const home = await tempHome();
    let svc = await startChild(home);
    try {
      const session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
      const events = await sessionEvents(svc, session);
      const job = (await startLoad(svc.base, session, await drawnPdf(40), { dpi: 150 })).body.result![0];
      await until(() => events.job.some((e) => e.type === 'progress' && e.page >= 5));
      events.close();
      await svc.kill9();
      svc = await startChild(home);
      const info = (await rpc(svc.base, 'f', 'GetJob', { job: job.id }, session)).body.result![0] as JobInfo;
      assert.deepEqual([info.kind, info.state, info.error?.code, info.pages], ['load', 'interrupted', 'job-interrupted', 0]);
      assert.match(info.error!.message, /none of its pages were added/);
      assert.deepEqual((await rpc(svc.base, 'f', 'GetImageCount', {}, session)).body.result, [0]);
    } finally {
      await svc.stop();
      await rm(home, { recursive: true, force: true });
    }
  });
});
