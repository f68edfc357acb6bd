#!/usr/bin/env node
// bench/upload: a 200-page A4 300 dpi PDF uploaded over loopback as
// multipart/form-data to the same receiver (Fastify + @fastify/multipart,
// hashing what arrives), by the service (StartUpload: encoding the pages while
// sending them, chunked) and by `curl -F` (sending the PDF SaveImages wrote,
// already on disk), in the same run. Median of several rounds; target: at
// least 0.8x curl's throughput. The receiver runs in this process, which is
// also the service's: whatever the service spends on its thread is taken from
// the receiver, while curl has its own process.
//   node bench/upload/run.mjs [--pages 200] [--rounds 3] [--budget 2048]
// --budget is MemoryBudgetMB: 2048 keeps the pages in memory; a small one
// (16) makes every page come from the encrypted disk cache.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median } from '../lib/timing.mjs';
import { jpegPage } from '../pdf/pages.mjs';
import { adminHeaders, rpc, startInProcess } from '../../packages/service/dist/test-support/service-harness.js';
import { multipartReceiver } from '../../packages/service/dist/addons/upload/test-receivers.js';

const { values } = parseArgs({ options: { pages: { type: 'string', default: '200' }, rounds: { type: 'string', default: '3' }, budget: { type: 'string', default: '2048' } } });
const PAGES = Number(values.pages);
const ROUNDS = Number(values.rounds);

const dir = await mkdtemp(path.join(tmpdir(), 'scanbridge-bench-upload-'));
const receiver = await multipartReceiver();
const svc = await startInProcess({ 'upload-destinations': `${receiver.url}/`, 'memory-budget-mb': values.budget });
try {
  const session = (await rpc(svc.base, 'fa', 'CreateSession')).body.result[0].id;
  const distinct = [];
  for (let i = 0; i < Math.min(10, PAGES); i++) distinct.push(await jpegPage(i));
  for (let i = 0; i < PAGES; i++) {
    const res = await fetch(`${svc.base}/f/LoadImages?id=${session}&params=${encodeURIComponent('{}')}`, { method: 'POST', headers: { 'content-type': 'image/jpeg', ...adminHeaders(svc.base) }, body: distinct[i % distinct.length] });
    if (res.status !== 200) throw new Error(`LoadImages: ${res.status} ${await res.text()}`);
  }
  const pdf = path.join(dir, 'scan.pdf');
  const saved = await fetch(`${svc.base}/f/SaveImages`, { method: 'POST', headers: { 'content-type': 'application/json', ...adminHeaders(svc.base) }, body: JSON.stringify({ id: session, params: { format: 'pdf', binary: true } }) });
  await writeFile(pdf, Buffer.from(await saved.arrayBuffer()));
  const size = (await stat(pdf)).size;

  const ours = async () => {
    const t = performance.now();
    const started = await rpc(svc.base, 'f', 'StartUpload', { format: 'pdf', destination: { method: 'post', url: `${receiver.url}/ok` } }, session);
    const done = await rpc(svc.base, 'f', 'WaitUpload', { upload: started.body.result[0].id, timeout: 300 }, session);
    const info = done.body.result[0];
    if (info.state !== 'done') throw new Error(`upload ${info.state}: ${JSON.stringify(info.error)}`);
    return performance.now() - t;
  };
  // curl runs asynchronously: the receiver lives in this process and must keep serving.
  const curl = async () => {
    const t = performance.now();
    const child = spawn('curl', curlArgs, { stdio: 'ignore' });
    const [code] = await once(child, 'exit');
    if (code !== 0) throw new Error(`curl exited ${code}`);
    return performance.now() - t;
  };
  const curlArgs = ['-sS', '-o', '/dev/null', '--fail', '-F', `file=@${pdf};type=application/pdf`, `${receiver.url}/ok`];
  // Warm both once, then alternate.
  await curl();
  await ours();
  const theirs = [];
  const mine = [];
  for (let r = 0; r < ROUNDS; r++) {
    theirs.push(await curl());
    mine.push(await ours());
  }
  // Honest: every upload, curl's and ours, delivered one PDF of the very same size (only its /ID and dates differ) to the same receiver.
  const sizes = receiver.received.map((r) => r.files.map((f) => `${f.mimetype} ${f.size}`).join());
  if (sizes.length !== 2 * (ROUNDS + 1) || sizes.some((s) => s !== `application/pdf ${size}`)) throw new Error(`the receiver got ${sizes.join('; ')}; the PDF has ${size} bytes`);
  const mbps = (ms) => size / 1e6 / (ms / 1000);
  const t = median(theirs);
  const o = median(mine);
  const version = execFileSync('curl', ['--version']).toString().split('\n')[0];
  console.log(`bench/upload: ${PAGES} A4 300 dpi pages as one PDF (${(size / 1e6).toFixed(1)} MB), multipart POST over loopback, median of ${ROUNDS} rounds, MemoryBudgetMB ${values.budget}`);
  const rounds = (xs) => xs.map((x) => x.toFixed(0)).join(', ');
  console.log(`  ${version.split(' ').slice(0, 2).join(' ')} -F (file already written): ${t.toFixed(0)} ms, ${mbps(t).toFixed(0)} MB/s (rounds: ${rounds(theirs)} ms)`);
  console.log(`  scanbridge StartUpload (encoding included, streamed): ${o.toFixed(0)} ms, ${mbps(o).toFixed(0)} MB/s (rounds: ${rounds(mine)} ms)`);
  console.log(`  throughput ratio scanbridge / curl: ${(t / o).toFixed(2)}x (target >= 0.80x)`);
} finally {
  await svc.close();
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
}
