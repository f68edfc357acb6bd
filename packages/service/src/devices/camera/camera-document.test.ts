/**
 * A camera capture with settings `document: true` (issue 16.5): the page
 * photographed on the desk enters the buffer flattened to its paper at the
 * stated dpi, its codes readable by zbarimg; a frame without a page is kept
 * as captured with documentFound: false; a wrong option is refused by
 * StartScan before the camera is used.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JobEvent, JobInfo, PageInfo } from '@scanbridge/protocol';
import { adminHeaders, rpc, startInProcess, type InProcess } from '../../test-support/service-harness.js';
import { deskPhoto, mjpegVideo } from '../../test-support/camera-photo.js';
import { decodeBarcodes } from '../demo/test-helpers.js';

let dir = '';
let svc: InProcess;
let session = '';
const events: JobEvent[] = [];

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sb-camera-doc-'));
  const video = await mjpegVideo((await deskPhoto(dir, 3840, 2160)).path, path.join(dir, 'desk.mkv'), { seconds: 1 });
  svc = await startInProcess({ cameras: 'false', 'test-cameras': `desk=${video};bars=lavfi:testsrc2=size=640x480:rate=10` });
  session = ((await rpc(svc.base, 'fa', 'CreateSession', {}, undefined, { headers: adminHeaders(svc.base) })).body.result![0] as { id: string }).id;
  svc.service.ctx.jobs.on('job', (_session, event) => events.push(event));
});
after(async () => {
  await svc.close();
  await rm(dir, { recursive: true, force: true });
});

async function capture(device: string, settings: object): Promise<{ job: JobInfo; page: PageInfo }> {
  const started = await rpc(svc.base, 'f', 'StartScan', { device, settings }, session, { headers: adminHeaders(svc.base) });
  assert.equal(started.status, 200, JSON.stringify(started.body.error));
  const job = (await rpc(svc.base, 'f', 'WaitJob', { job: (started.body.result![0] as JobInfo).id }, session, { headers: adminHeaders(svc.base) })).body.result![0] as JobInfo;
  assert.equal(job.state, 'done', JSON.stringify(job.error));
  const pages = (await rpc(svc.base, 'f', 'GetImagesInfo', {}, session, { headers: adminHeaders(svc.base) })).body.result![0] as PageInfo[];
  return { job, page: pages.find((p) => p.id === job.pageIds[0])! };
}

const pageEvent = (job: JobInfo) => events.find((e) => e.type === 'page' && e.job.id === job.id) as Extract<JobEvent, { type: 'page' }> | undefined;

test('document: true flattens the photographed page to A4 at the dpi asked, and its codes read', async () => {
  const { job, page } = await capture('camera:test-desk', { document: { dpi: 150 } });
  assert.equal(pageEvent(job)?.documentFound, true);
  // A4 at 150 dpi: 1240 x 1754 pixels, within 2 %.
  assert.ok(Math.abs(page.width - 1240) / 1240 < 0.02 && Math.abs(page.height - 1754) / 1754 < 0.02, `${page.width} x ${page.height}`);
  assert.equal(page.xdpi, 150);
  const image = await fetch(`${svc.base}/dwt/dwt_1/img?id=${session}&page=${page.id}`, { headers: adminHeaders(svc.base) });
  const codes = await decodeBarcodes(Buffer.from(await image.arrayBuffer()));
  assert.ok(codes.some((c) => c.startsWith('QR-Code:')), codes.join(' | '));
  assert.ok(codes.some((c) => c.startsWith('CODE-128:SB-DEMO-')), codes.join(' | '));
});

test('a frame without a page is captured as it is, with documentFound: false', async () => {
  const { job, page } = await capture('camera:test-bars', { document: true });
  assert.equal(pageEvent(job)?.documentFound, false);
  assert.deepEqual([page.width, page.height, page.format], [640, 480, 'jpeg']);
});

test('a wrong document option is refused by StartScan', async () => {
  const res = await rpc(svc.base, 'f', 'StartScan', { device: 'camera:test-desk', settings: { document: { dpi: 5 } } }, session, { headers: adminHeaders(svc.base) });
  assert.equal(res.body.error?.code, 'invalid-settings');
  assert.match(res.body.error!.message, /^settings\.document\.dpi: /);
});
