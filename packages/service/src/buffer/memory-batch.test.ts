/**
 * The memory budget bounds the service process over a 500-page batch
 * (issue 12.5). With MemoryBudgetMB 16, pages of A4 at 150 dpi spill to the
 * disk cache after a few dozen; resident memory (VmRSS from /proc) must then
 * stay within the idle service plus the budget plus a fixed allowance for
 * the image library, its threads and the pages in flight, at every length
 * of the batch, and end within 1.2x of where it was at page 50. Before the
 * allocator was set for page buffers (util/malloc-tuning.ts), each freed
 * page left heap holes that stayed resident: on Node 20 at a load of 14 on
 * 2 cores, idle 100 MB, 200-211 MB from page 50 on before (over the bound),
 * 163-185 MB after.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import type { JobInfo } from '@scanbridge/protocol';
import { rpc, startChild, tempHome, type ChildService } from '../test-support/service-harness.js';

const PAGES = 500;
const BUDGET_MB = 16;
/** Beyond idle and the budget: libvips and its threads, the page reader, pages being scanned and stored. */
const ALLOWANCE_MB = 80;
/** Pages after which the buffer is full and the image library warm. */
const WARM = 50;

async function rssMB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

describe('memory budget over a long batch', () => {
  let home: string;
  let svc: ChildService;
  let idle: number;

  before(async () => {
    home = await tempHome();
    svc = await startChild(home, ['--memory-budget-mb', String(BUDGET_MB)]);
    idle = await rssMB(svc.child.pid!);
  });
  after(async () => {
    await svc.stop();
    await rm(home, { recursive: true, force: true });
  });

  it(`stays within idle + ${BUDGET_MB} MB budget + ${ALLOWANCE_MB} MB over ${PAGES} pages`, async () => {
    const session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    const job = (await rpc(svc.base, 'f', 'StartScan', { device: 'demo:scanner', settings: { source: 'feeder', dpi: 150, mode: 'color', paper: 'A4', options: { sheets: PAGES } } }, session)).body.result![0] as JobInfo;
    const samples: Array<{ pages: number; rss: number }> = [];
    let state = job;
    while (state.state === 'running') {
      state = (await rpc(svc.base, 'f', 'WaitJob', { job: job.id, timeout: 2 }, session)).body.result![0] as JobInfo;
      samples.push({ pages: state.pages, rss: await rssMB(svc.child.pid!) });
    }
    assert.equal(state.state, 'done', JSON.stringify(state.error));
    assert.equal(state.pages, PAGES);
    const warm = samples.filter((s) => s.pages >= WARM);
    const bound = idle + BUDGET_MB + ALLOWANCE_MB;
    const peak = warm.reduce((a, b) => (b.rss > a.rss ? b : a));
    const first = warm[0]!;
    const last = samples.at(-1)!;
    console.log(`idle ${idle.toFixed(0)} MB; from page ${first.pages}: ${first.rss.toFixed(0)} MB, peak ${peak.rss.toFixed(0)} MB at page ${peak.pages}, ${last.rss.toFixed(0)} MB at page ${last.pages}; bound ${bound.toFixed(0)} MB`);
    assert.ok(peak.rss <= bound, `resident ${peak.rss.toFixed(0)} MB at page ${peak.pages}, over idle ${idle.toFixed(0)} + budget ${BUDGET_MB} + ${ALLOWANCE_MB} MB`);
    assert.ok(last.rss <= first.rss * 1.2, `resident grew from ${first.rss.toFixed(0)} MB at page ${first.pages} to ${last.rss.toFixed(0)} MB at page ${last.pages}`);
  });
});
