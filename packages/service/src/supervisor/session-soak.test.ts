/**
 * Soak of whole sessions (issue 11.7): thousands of cycles of CreateSession,
 * a one-page scan from the demo scanner, a thumbnail, RemoveImages and
 * CloseSession against one service process. Nothing may grow with use:
 * resident memory ends within 10 % of what it was after the first cycles,
 * open file descriptors stay flat, and a closed session leaves no file behind
 * (job records, upload files, its cache folder).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { JobInfo } from '@scanbridge/protocol';
import { VERSION_CODE } from '../version.js';
import { adminHeaders, rpc, type ChildService } from '../test-support/service-harness.js';
import { withChildService } from '../test-support/child-fixture.js';
import { processUsage } from '../test-support/process-usage.js';

const CYCLES = Number(process.env.SCANBRIDGE_SOAK_CYCLES ?? 5000);
const WARM_UP = Math.round(CYCLES / 10);
/** A small page: the soak is about what stays behind, not about pixels. */
const SETTINGS = { dpi: 75, mode: 'gray', paper: { width: 50, height: 50 } };

let home: string;
let svc: ChildService;
withChildService((s) => {
  svc = s;
  home = s.home;
});

async function call(method: string, params: object, session?: string): Promise<unknown> {
  const res = await rpc(svc.base, session ? 'f' : 'fa', method, params, session);
  assert.equal(res.status, 200, `${method}: ${JSON.stringify(res.body.error)}`);
  return res.body.result![0];
}

async function cycle(): Promise<void> {
  const session = ((await call('CreateSession', {})) as { id: string }).id;
  let job = (await call('StartScan', { device: 'demo:flatbed', settings: SETTINGS }, session)) as JobInfo;
  while (job.state === 'running') job = (await call('WaitJob', { job: job.id }, session)) as JobInfo;
  assert.equal(job.state, 'done');
  assert.equal(job.pages, 1);
  const thumbnail = await fetch(`${svc.base}/dwt/dwt_${VERSION_CODE}/img?id=${session}&index=0&width=64&height=64`, { headers: adminHeaders(svc.base) });
  assert.equal(thumbnail.status, 200);
  await thumbnail.arrayBuffer();
  assert.equal(await call('RemoveImages', { pages: [0] }, session), 0);
  assert.equal(await call('CloseSession', {}, session), true);
}

/** Files under a folder, recursively (a missing folder has none). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)));
}

it(`${CYCLES} session cycles (create, scan, thumbnail, remove, close) keep memory, descriptors and files flat`, async () => {
  const before = await filesUnder(path.join(home, 'cache'));
  for (let n = 0; n < WARM_UP; n++) await cycle();
  const start = await processUsage(svc.child.pid!);
  for (let n = WARM_UP; n < CYCLES; n++) await cycle();
  const end = await processUsage(svc.child.pid!);
  console.log(`session soak: after ${WARM_UP} cycles rss ${start.rssMB.toFixed(1)} MB, ${start.fds} fds; after ${CYCLES} cycles rss ${end.rssMB.toFixed(1)} MB, ${end.fds} fds`);

  // Closed sessions leave nothing: no job records, no cache folders, no upload files.
  assert.deepEqual(await filesUnder(path.join(home, 'cache')), before, 'files left in cache/ by closed sessions');
  assert.deepEqual(await filesUnder(path.join(home, 'upload')), [], 'files left in upload/');
  assert.ok(end.fds - start.fds <= 5, `file descriptors grew from ${start.fds} to ${end.fds}`);
  assert.ok(end.rssMB <= start.rssMB * 1.1, `resident memory grew from ${start.rssMB.toFixed(1)} MB to ${end.rssMB.toFixed(1)} MB (more than 10 %)`);
});
