/**
 * kill -9 of the service at many points of scan jobs: after the restart,
 * GetJob names exactly the pages the buffer holds for each job, and a job
 * whose `done` event a client saw is done.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import WebSocket from 'ws';
import type { JobInfo, PageInfo } from '@scanbridge/protocol';
import { rpc, startChild, tempHome, tokenFor, type Call, type ChildService } from '../test-support/service-harness.js';

/** The steps of one job a client can see: started, then per page the buffer's add and the job's page, then done. */
interface Step {
  event: string;
  type: string;
  job?: string;
}

const KILLS = 20;
/** 2 sheets, both sides: 4 pages, so 10 visible steps (started, 4 x (add, page), done). */
const SCAN = { device: 'demo:scanner', settings: { source: 'feeder', duplex: true, dpi: 75, mode: 'gray', options: { sheets: 2 } } };

describe('job records after kill -9', () => {
  let home: string;
  let svc: ChildService | undefined;

  before(async () => {
    home = await tempHome();
  });
  after(async () => {
    await svc?.stop();
    await rm(home, { recursive: true, force: true });
  });

  it(`GetJob's pages equal the buffer's pages of the job after ${KILLS} kills at every step of a job; a job seen done is done`, async () => {
    svc = await startChild(home);
    const session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    const jobs = new Set<string>();
    const seenDone = new Set<string>();
    const mismatches: string[] = [];
    const killedAt: string[] = [];

    for (let kill = 0; kill < KILLS; kill++) {
      const current: ChildService = svc;
      const ws = new WebSocket(`ws://127.0.0.1:${current.ports.http}/ws?id=${session}&token=${tokenFor(current.base)}`);
      ws.on('error', () => undefined);
      await new Promise((resolve) => ws.once('open', resolve));
      // Kill at the kill-th visible step of the job (cycling through all of them), the moment a client sees it.
      const target = kill % 10;
      const steps: Step[] = [];
      const killed = new Promise<void>((resolve) => {
        ws.on('message', (raw) => {
          const message = JSON.parse(raw.toString()) as { event: string; data: { type?: string; action?: string; job?: JobInfo } };
          const type = message.data.type ?? message.data.action ?? '';
          if (type === 'progress') return;
          const job = message.data.job?.id;
          if (job) jobs.add(job);
          if (message.event === 'job' && type === 'done' && job) seenDone.add(job);
          steps.push({ event: message.event, type, ...(job ? { job } : {}) });
          if (steps.length === target + 1 || (message.event === 'job' && (type === 'done' || type === 'failed'))) {
            current.child.kill('SIGKILL');
            resolve();
          }
        });
      });
      const started: Call | null = await rpc(current.base, 'f', 'StartScan', SCAN, session).catch(() => null);
      if (started && started.status !== 200) assert.fail(`StartScan: ${JSON.stringify(started.body)}`);
      if (started) jobs.add((started.body.result![0] as JobInfo).id);
      await killed;
      await current.kill9();
      ws.terminate();
      killedAt.push(`${steps.at(-1)?.event}:${steps.at(-1)?.type}`);

      svc = await startChild(home);
      const resumed = await rpc(svc.base, 'f', 'ResumeSession', {}, session);
      assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
      const pages = (await rpc(svc.base, 'f', 'GetImagesInfo', {}, session)).body.result![0] as PageInfo[];
      for (const job of jobs) {
        const got = await rpc(svc.base, 'f', 'GetJob', { job }, session);
        if (got.status !== 200) {
          mismatches.push(`kill ${kill} at ${killedAt.at(-1)}: job ${job} answers ${got.body.error?.code} after the restart`);
          continue;
        }
        const info = got.body.result![0] as JobInfo;
        const inBuffer = pages.filter((p) => p.tags.includes(`job:${job}`)).map((p) => p.id);
        if (JSON.stringify(info.pageIds) !== JSON.stringify(inBuffer) || info.pages !== inBuffer.length) {
          mismatches.push(`kill ${kill} at ${killedAt.at(-1)}: job ${job} ${info.state} lists ${info.pageIds.length} page(s), the buffer holds ${inBuffer.length}`);
        }
        if (seenDone.has(job) && info.state !== 'done') mismatches.push(`kill ${kill}: job ${job} was seen done, reads back ${info.state} with ${info.pages} page(s)`);
        if (info.state === 'running') mismatches.push(`kill ${kill}: job ${job} still running after the restart`);
      }
    }
    assert.ok(jobs.size >= KILLS, `every kill interrupted its own job (${jobs.size} jobs)`);
    assert.deepEqual(mismatches, [], `killed at: ${killedAt.join(', ')}`);
  });
});
