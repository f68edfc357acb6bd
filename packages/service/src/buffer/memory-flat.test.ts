/**
 * Resident memory stays flat while 300 A4 300 dpi colour pages from the demo
 * scanner go into the buffer, and the memory budget is respected. Measured on
 * a real service process (VmRSS from /proc).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import type { JobInfo } from '@scanbridge/protocol';
import { rpc, startChild, tempHome, type ChildService } from '../test-support/service-harness.js';

const PAGES = 300;
const BUDGET_MB = 64;

async function rssMB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

describe('memory', () => {
  let home: string;
  let svc: ChildService;

  before(async () => {
    home = await tempHome();
    svc = await startChild(home, ['--memory-budget-mb', String(BUDGET_MB)]);
  });
  after(async () => {
    await svc.stop();
    await rm(home, { recursive: true, force: true });
  });

  it(`stays flat over ${PAGES} A4 300 dpi colour pages with a ${BUDGET_MB} MB budget`, async () => {
    const session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    const job = (await rpc(svc.base, 'f', 'StartScan', { device: 'demo:scanner', settings: { source: 'feeder', dpi: 300, mode: 'color', paper: 'A4', options: { sheets: PAGES } } }, session)).body.result![0] as JobInfo;
    const samples: Array<{ pages: number; rss: number; used: number }> = [];
    let state = job;
    while (state.state === 'running') {
      state = (await rpc(svc.base, 'f', 'WaitJob', { job: job.id, timeout: 2 }, session)).body.result![0] as JobInfo;
      const info = (await rpc(svc.base, 'fa', 'ServiceInfo')).body.result![0] as { buffer: { usedBytes: number; budgetBytes: number } };
      samples.push({ pages: state.pages, rss: await rssMB(svc.child.pid!), used: info.buffer.usedBytes });
      assert.ok(info.buffer.usedBytes <= info.buffer.budgetBytes, `buffer memory ${info.buffer.usedBytes} over budget ${info.buffer.budgetBytes}`);
    }
    assert.equal(state.state, 'done', JSON.stringify(state.error));
    assert.equal(state.pages, PAGES);
    // Warm-up (libvips, the page template, JIT) is over by page 60; from there RSS must not grow with pages.
    const warm = samples.filter((s) => s.pages >= 60);
    const base = Math.max(...warm.slice(0, 3).map((s) => s.rss));
    const peak = Math.max(...warm.map((s) => s.rss));
    const last = samples.at(-1)!;
    console.log(`rss after warm-up ${base.toFixed(0)} MB, peak ${peak.toFixed(0)} MB, at ${last.pages} pages ${last.rss.toFixed(0)} MB; buffer ${Math.round(last.used / 1048576)} MB of ${BUDGET_MB} MB`);
    assert.ok(peak - base < 150, `resident memory grew by ${(peak - base).toFixed(0)} MB between page ~60 and page ${PAGES}`);
    assert.deepEqual((await rpc(svc.base, 'f', 'GetImageCount', {}, session)).body.result, [PAGES]);
  });
});
