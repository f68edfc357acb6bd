/**
 * What a session owns goes with it, and caches forget removed pages (issue
 * 11.7): thumbnails of a removed or edited page, job records and event
 * subscriptions of a closed session. The long run of the same is
 * supervisor/session-soak.test.ts.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import WebSocket from 'ws';
import type { JobInfo } from '@scanbridge/protocol';
import { VERSION_CODE } from '../version.js';
import { adminHeaders, rpc, startInProcess, type InProcess } from '../test-support/service-harness.js';

let svc: InProcess;
before(async () => {
  svc = await startInProcess();
});
after(async () => {
  await svc.close();
});

async function call(method: string, params: object, session?: string): Promise<unknown> {
  const res = await rpc(svc.base, session ? 'f' : 'fa', method, params, session);
  assert.equal(res.status, 200, `${method}: ${JSON.stringify(res.body.error)}`);
  return res.body.result![0];
}

async function scan(session: string, pages = 1): Promise<JobInfo> {
  let job = (await call('StartScan', { device: 'demo:scanner', settings: { source: 'feeder', dpi: 75, mode: 'gray', paper: { width: 50, height: 50 }, options: { sheets: pages } } }, session)) as JobInfo;
  while (job.state === 'running') job = (await call('WaitJob', { job: job.id }, session)) as JobInfo;
  assert.equal(job.state, 'done');
  return job;
}

async function thumbnail(session: string, index: number, side = 64): Promise<void> {
  const res = await fetch(`${svc.base}/dwt/dwt_${VERSION_CODE}/img?id=${session}&index=${index}&width=${side}&height=${side}`, { headers: adminHeaders(svc.base) });
  assert.equal(res.status, 200);
  await res.arrayBuffer();
}

const jobRecords = async () => (await readdir(path.join(svc.home, 'cache', 'jobs')).catch(() => [])).filter((f) => f.endsWith('.json'));

it('thumbnails of removed and edited pages are forgotten; those of other pages stay', async () => {
  const session = ((await call('CreateSession', {})) as { id: string }).id;
  await scan(session, 3);
  const images = svc.service.ctx.images;
  const before = images.size;
  for (const index of [0, 1, 2]) await thumbnail(session, index);
  await thumbnail(session, 2, 32);
  assert.equal(images.size, before + 4);
  await call('RemoveImages', { pages: [0] }, session);
  assert.equal(images.size, before + 3, 'the removed page has no thumbnail left');
  await call('RotateImages', { pages: [1], angle: 90 }, session); // page 2 before the removal: its two sizes go
  assert.equal(images.size, before + 1, 'the edited page has no thumbnail of its old version left');
  await thumbnail(session, 1);
  assert.equal(images.size, before + 2, 'the edited page gets a thumbnail of its new version');
  await call('CloseSession', {}, session);
  assert.equal(images.size, before, 'a closed session has no thumbnail left');
});

it('closing a session deletes its job records and drops its event subscriptions; other sessions keep theirs', async () => {
  const closing = ((await call('CreateSession', {})) as { id: string }).id;
  const staying = ((await call('CreateSession', {})) as { id: string }).id;
  const ws = new WebSocket(`ws://127.0.0.1:${svc.ports.http}/ws?id=${closing}`, { headers: adminHeaders(svc.base) });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const hub = svc.service.ctx.hub;
  const listening = hub.size;
  const closed = await scan(closing);
  const kept = await scan(staying);
  const records = await jobRecords();
  assert.ok(records.includes(`${closed.id}.json`) && records.includes(`${kept.id}.json`), 'both jobs have records while their sessions are open');

  await call('CloseSession', {}, closing);
  assert.deepEqual((await jobRecords()).filter((f) => f === `${closed.id}.json`), [], 'the closed session has no job record left');
  assert.ok((await jobRecords()).includes(`${kept.id}.json`), 'the open session keeps its job record');
  assert.equal(hub.size, listening - 1, 'no subscription is left for the closed session');
  assert.equal(((await call('GetJob', { job: kept.id }, staying)) as JobInfo).state, 'done');
  ws.close();
  await call('CloseSession', {}, staying);
});
