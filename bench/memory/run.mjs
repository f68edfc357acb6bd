#!/usr/bin/env node
// bench/memory: whether MemoryBudgetMB bounds the service process (issue 12.5).
// A real service process scans a batch of A4 300 dpi colour pages from the demo
// scanner's feeder; its resident memory (VmRSS from /proc) is sampled every
// WaitJob (2 s). Two runs:
//   - MemoryBudgetMB 512, 500 pages: every sample once the buffer holds 50 pages,
//     as resident / (budget + 150 MB). Target: <= 1.0x (resident <= budget + 150 MB at any batch length).
//   - MemoryBudgetMB 64, 500 pages: the samples of the last 10 % of the batch,
//     each as resident / resident at page 10. Target: <= 1.2x.
// Memory is no timing: the "rounds" of ratioLine are the samples of one batch.
//   node bench/memory/run.mjs [--pages 500] [--dpi 300] [--only 512|64]
import { readFile, rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { machineLoad, ratioLine } from '../lib/report.mjs';
import { rpc, startChild, tempHome } from '../../packages/service/dist/test-support/service-harness.js';

const { values } = parseArgs({ options: { pages: { type: 'string', default: '500' }, dpi: { type: 'string', default: '300' }, only: { type: 'string' } } });
const PAGES = Number(values.pages);
const DPI = Number(values.dpi);
const MB = 1024 * 1024;

async function rssMB(pid) {
  return Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
}

/** Scans PAGES pages with the budget; answers [{ pages, rss, used }] sampled along the batch. */
async function batch(budgetMB) {
  const home = await tempHome('scanbridge-bench-memory-');
  const svc = await startChild(home, ['--memory-budget-mb', String(budgetMB)]);
  try {
    const session = (await rpc(svc.base, 'fa', 'CreateSession')).body.result[0].id;
    const job = (await rpc(svc.base, 'f', 'StartScan', { device: 'demo:scanner', settings: { source: 'feeder', dpi: DPI, mode: 'color', paper: 'A4', options: { sheets: PAGES } } }, session)).body.result[0];
    const samples = [];
    let state = job;
    while (state.state === 'running') {
      state = (await rpc(svc.base, 'f', 'WaitJob', { job: job.id, timeout: 2 }, session)).body.result[0];
      const info = (await rpc(svc.base, 'fa', 'ServiceInfo')).body.result[0];
      samples.push({ pages: state.pages, rss: await rssMB(svc.child.pid), used: info.buffer.usedBytes / MB });
    }
    if (state.state !== 'done') throw new Error(`scan ${state.state}: ${JSON.stringify(state.error)}`);
    return samples;
  } finally {
    await svc.stop();
    await rm(home, { recursive: true, force: true });
  }
}

console.log(`bench/memory: ${PAGES} A4 ${DPI} dpi colour pages from the demo scanner's feeder into a service process, resident memory sampled every 2 s`);
console.log(`  ${machineLoad()}`);
if (values.only !== '64') {
  const budget = 512;
  const samples = await batch(budget);
  const along = samples.filter((s) => s.pages >= 50);
  const peak = Math.max(...samples.map((s) => s.rss));
  const last = samples.at(-1);
  console.log(`  MemoryBudgetMB ${budget}: peak resident ${peak.toFixed(0)} MB, at ${last.pages} pages ${last.rss.toFixed(0)} MB with ${last.used.toFixed(0)} MB of pages in memory (bound: ${budget + 150} MB)`);
  console.log(`    ${ratioLine(`resident / (budget + 150 MB), MemoryBudgetMB ${budget}, ${along.length} samples`, along.map((s) => s.rss / (budget + 150)), '<= 1.0x')}`);
}
if (values.only !== '512') {
  const budget = 64;
  const samples = await batch(budget);
  const at10 = samples.find((s) => s.pages >= 10);
  const end = samples.filter((s) => s.pages >= PAGES * 0.9);
  console.log(`  MemoryBudgetMB ${budget}: resident at page ${at10.pages} ${at10.rss.toFixed(0)} MB, at ${samples.at(-1).pages} pages ${samples.at(-1).rss.toFixed(0)} MB, peak ${Math.max(...samples.map((s) => s.rss)).toFixed(0)} MB`);
  console.log(`    ${ratioLine(`resident at ${PAGES} pages / at 10 pages, MemoryBudgetMB ${budget}, ${end.length} samples`, end.map((s) => s.rss / at10.rss), '<= 1.2x')}`);
}
