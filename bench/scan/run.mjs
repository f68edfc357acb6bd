#!/usr/bin/env node
// bench/scan: a 10-page feeder job, A4 at 300 dpi in colour from the SANE
// `test` backend, end to end through a real service process (StartScan until
// every page is in the buffer and its thumbnail has been fetched), against
// `scanimage --batch --format=jpeg` of the same pages in the same run.
// Prints pages per minute for both, the ratio (target: scanbridge takes at
// most 1.5x scanimage's time), and the resident memory of the service and its
// device worker page by page (target: it does not grow with the pages).
//   node bench/scan/run.mjs [--rounds N]
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { startChild, rpc, adminHeaders } from '../../packages/service/dist/test-support/service-harness.js';
import { createTestBackend } from '../../packages/service/dist/devices/sane/test-backend.js';
import { VERSION_CODE } from '../../packages/service/dist/version.js';

const run = promisify(execFile);
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const ROUNDS = Number(values.rounds);
const PAGES = 10; // the test backend's feeder holds 10 sheets
const A4 = { width: 210, height: 297 };

/** Resident memory in MB of a process and of its children (the device workers). */
async function rss(pid) {
  const read = async (p) => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${p}/status`, 'utf8').catch(() => ''))?.[1] ?? 0) / 1024;
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')).split(' ').filter(Boolean);
  return { service: await read(pid), workers: (await Promise.all(children.map(read))).reduce((a, b) => a + b, 0) };
}

async function scanimage(backend, out) {
  const t0 = performance.now();
  // Exit status 0 even when the batch ends with "out of documents": that is how a feeder batch ends.
  await run('scanimage', ['-d', 'test:0', '--source', 'Automatic Document Feeder', '--mode', 'Color', '--resolution', '300', '-l', '0', '-t', '0', '-x', String(A4.width), '-y', String(A4.height), '--test-picture', 'Color pattern', `--batch=${path.join(out, 'p%d.jpg')}`, '--format=jpeg'], { env: { ...process.env, ...backend.env } });
  const seconds = (performance.now() - t0) / 1000;
  const pages = (await readdir(out)).filter((f) => f.endsWith('.jpg')).length;
  if (pages !== PAGES) throw new Error(`scanimage wrote ${pages} pages, expected ${PAGES}`);
  return seconds;
}

/** A viewer's loop: job events over the WebSocket, and each page's thumbnail fetched as it arrives. */
async function scanbridge(svc, session, memory) {
  const ws = new WebSocket(`ws://127.0.0.1:${svc.ports.http}/ws?id=${session}`, { headers: adminHeaders(svc.base) });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const arrived = [];
  let ended = null;
  let wake = () => undefined;
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString());
    if (message.event !== 'job') return;
    if (message.data.type === 'page') arrived.push(message.data.index);
    if (message.data.type === 'done' || message.data.type === 'failed') ended = message.data.job;
    wake();
  });
  const t0 = performance.now();
  const start = await rpc(svc.base, 'f', 'StartScan', { device: 'sane:test:0', settings: { source: 'feeder', dpi: 300, mode: 'color', paper: 'A4', options: { 'test-picture': 'Color pattern' } } }, session);
  if (start.status !== 200) throw new Error(`StartScan: ${JSON.stringify(start.body.error)}`);
  let fetched = 0;
  for (;;) {
    if (fetched < arrived.length) {
      const res = await fetch(`${svc.base}/dwt/dwt_${VERSION_CODE}/img?id=${session}&index=${arrived[fetched]}&width=160&height=226&ticks=${Date.now()}`, { headers: adminHeaders(svc.base) });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`thumbnail ${fetched}: HTTP ${res.status}`);
      fetched++;
      memory.push(await rss(svc.child.pid));
      continue;
    }
    if (ended) break;
    await new Promise((resolve) => (wake = resolve));
  }
  const seconds = (performance.now() - t0) / 1000;
  ws.close();
  if (ended.state !== 'done' || ended.pages !== PAGES) throw new Error(`job ${ended.state} with ${ended.pages} pages: ${JSON.stringify(ended.error)}`);
  return seconds;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ppm = (seconds) => ((PAGES / seconds) * 60).toFixed(0);

const backend = await createTestBackend();
const home = await mkdtemp(path.join(tmpdir(), 'scanbridge-bench-'));
// A small memory budget: pages go to the encrypted disk cache, so that memory measures the pipeline, not the buffer.
const svc = await startChild(home, ['--memory-budget-mb', '16'], backend.env);
try {
  const session = (await rpc(svc.base, 'fa', 'CreateSession')).body.result[0].id;
  // As an application does before its first scan: list the devices and read the scanner's capabilities (this starts its worker).
  await rpc(svc.base, 'fa', 'ListDevices', { refresh: true });
  const caps = await rpc(svc.base, 'fa', 'GetCapabilities', { device: 'sane:test:0' });
  if (caps.status !== 200) throw new Error(`GetCapabilities: ${JSON.stringify(caps.body.error)}`);
  const ours = [];
  const theirs = [];
  const memory = [];
  for (let round = 0; round < ROUNDS; round++) {
    const out = await mkdtemp(path.join(tmpdir(), 'scanbridge-bench-scanimage-'));
    try {
      theirs.push(await scanimage(backend, out));
    } finally {
      await rm(out, { recursive: true, force: true });
    }
    ours.push(await scanbridge(svc, session, memory));
  }
  const a = median(ours);
  const b = median(theirs);
  console.log(`bench/scan: ${PAGES}-page feeder job, A4 300 dpi colour, SANE test backend (median of ${ROUNDS} rounds)`);
  console.log(`  scanbridge (StartScan until every page is in the buffer and its thumbnail fetched): ${a.toFixed(2)} s, ${ppm(a)} pages/min`);
  console.log(`  scanimage --batch --format=jpeg:                                                  ${b.toFixed(2)} s, ${ppm(b)} pages/min`);
  console.log(`  ratio scanbridge / scanimage time: ${(a / b).toFixed(2)} (target <= 1.5)`);
  const mb = (m) => `${m.service.toFixed(0)} + ${m.workers.toFixed(0)}`;
  const ends = memory.filter((_, i) => (i + 1) % PAGES === 0);
  console.log(`  resident memory (MB, service + device worker) at the end of each round: ${ends.map(mb).join(', ')}; after page 1: ${mb(memory[0])}`);
  console.log(`  rounds (scanbridge / scanimage, s): ${ours.map((x, i) => `${x.toFixed(2)}/${theirs[i].toFixed(2)}`).join('  ')}`);
} finally {
  await svc.stop();
  await rm(home, { recursive: true, force: true });
  await backend.remove();
}
