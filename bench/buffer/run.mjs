#!/usr/bin/env node
// bench/buffer: pages per second into the buffer, and thumbnail latency
// (p50/p99), for 200 A4 300 dpi colour pages from the demo scanner, measured
// against a real service process on free ports in a temporary folder.
//   node bench/buffer/run.mjs [--pages N]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startChild, rpc, adminHeaders } from '../../packages/service/dist/test-support/service-harness.js';
import { VERSION_CODE } from '../../packages/service/dist/version.js';

const { values } = parseArgs({ options: { pages: { type: 'string', default: '200' } } });
const PAGES = Number(values.pages);

const home = await mkdtemp(path.join(tmpdir(), 'scanbridge-bench-'));
const svc = await startChild(home);
try {
  const session = (await rpc(svc.base, 'fa', 'CreateSession')).body.result[0].id;
  const t0 = performance.now();
  const start = await rpc(svc.base, 'f', 'StartScan', { device: 'demo:scanner', settings: { source: 'feeder', dpi: 300, mode: 'color', paper: 'A4', options: { sheets: PAGES } } }, session);
  let job = start.body.result[0];
  // Thumbnail latency while the batch is running: the viewer asks for each page as it arrives.
  const latencies = [];
  let next = 0;
  for (;;) {
    if (next < job.pages) {
      const t = performance.now();
      const res = await fetch(`${svc.base}/dwt/dwt_${VERSION_CODE}/img?id=${session}&index=${next}&width=160&height=226&ticks=${Date.now()}`, { headers: adminHeaders(svc.base) });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`thumbnail ${next}: HTTP ${res.status}`);
      latencies.push(performance.now() - t);
      next++;
      continue;
    }
    if (job.state !== 'running') break;
    await new Promise((r) => setTimeout(r, 20));
    job = (await rpc(svc.base, 'f', 'GetJob', { job: job.id }, session)).body.result[0];
  }
  const seconds = (performance.now() - t0) / 1000;
  if (job.state !== 'done') throw new Error(`job ${job.state}: ${JSON.stringify(job.error)}`);
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(1);
  const info = (await rpc(svc.base, 'fa', 'ServiceInfo')).body.result[0];
  console.log(`bench/buffer: ${PAGES} A4 300 dpi colour pages (demo scanner, feeder)`);
  console.log(`  into the buffer: ${seconds.toFixed(1)} s, ${(PAGES / seconds).toFixed(2)} pages/s`);
  console.log(`  thumbnail 160x226 latency while scanning: p50 ${pct(50)} ms, p99 ${pct(99)} ms (${latencies.length} thumbnails)`);
  console.log(`  service resident memory at the end: ${(info.rss / 1048576).toFixed(0)} MB; buffer memory ${(info.buffer.usedBytes / 1048576).toFixed(0)} of ${(info.buffer.budgetBytes / 1048576).toFixed(0)} MB`);
} finally {
  await svc.stop();
  await rm(home, { recursive: true, force: true });
}
