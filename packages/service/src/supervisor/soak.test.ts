/**
 * Soak: 1000 scan, edit, save cycles across 10 sessions against one service
 * process. Resident memory and open file descriptors must stay flat: they
 * are printed after a warm-up and at the end, and their growth is bounded.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import type { JobInfo } from '@scanbridge/protocol';
import { rpc, startChild, tempHome, type ChildService } from '../test-support/service-harness.js';
import { processUsage as usage } from '../test-support/process-usage.js';

const SESSIONS = 10;
const CYCLES = 1000;
const WARM_UP = 100;

let home: string;
let svc: ChildService;
before(async () => {
  home = await tempHome();
  svc = await startChild(home, ['--memory-budget-mb', '32']);
});
after(async () => {
  await svc.stop();
  await rm(home, { recursive: true, force: true });
});

async function cycle(session: string): Promise<void> {
  const call = async (method: string, params: object) => {
    const res = await rpc(svc.base, 'f', method, params, session);
    assert.equal(res.status, 200, `${method}: ${JSON.stringify(res.body.error)}`);
    return res.body.result![0];
  };
  let job = (await call('StartScan', { device: 'demo:flatbed', settings: { dpi: 75, mode: 'gray' } })) as JobInfo;
  while (job.state === 'running') job = (await call('WaitJob', { job: job.id })) as JobInfo;
  assert.equal(job.state, 'done');
  await call('RotateImages', { pages: [0], angle: 90 });
  const saved = (await call('SaveImages', { format: 'pdf' })) as { files: Array<{ data?: string }> };
  assert.ok(saved.files[0]?.data?.startsWith('JVBERi0'), 'a PDF came back');
  await call('RemoveAllImages', {});
}

it(`${CYCLES} scan, edit, save cycles across ${SESSIONS} sessions keep memory and descriptors flat`, async () => {
  const sessions: string[] = [];
  for (let i = 0; i < SESSIONS; i++) sessions.push(((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id);
  // The demo flatbed is one device: sessions take turns on it, as users of one scanner do.
  const run = async (from: number, to: number) => {
    for (let n = from; n < to; n++) await cycle(sessions[n % SESSIONS]!);
  };
  await run(0, WARM_UP);
  const start = await usage(svc.child.pid!);
  await run(WARM_UP, CYCLES);
  const end = await usage(svc.child.pid!);
  console.log(`soak: after ${WARM_UP} cycles rss ${start.rssMB.toFixed(0)} MB, ${start.fds} fds; after ${CYCLES} cycles rss ${end.rssMB.toFixed(0)} MB, ${end.fds} fds`);
  assert.ok(end.fds - start.fds <= 10, `file descriptors grew from ${start.fds} to ${end.fds}`);
  assert.ok(end.rssMB - start.rssMB < 100, `resident memory grew from ${start.rssMB.toFixed(0)} MB to ${end.rssMB.toFixed(0)} MB`);
});
