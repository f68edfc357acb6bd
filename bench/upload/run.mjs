#!/usr/bin/env node
// bench/upload: an N-page A4 300 dpi PDF (JPEG pages, passed into the PDF byte
// for byte) uploaded over loopback as multipart/form-data by the service
// (StartUpload: encoding the pages while sending them, chunked) and by
// `curl -F` (sending the PDF SaveImages wrote, already on disk; started by a small
// process of its own, curl-runner.mjs, so that its start is not a fork of ours), rounds
// alternating, to a receiver in its own process that discards the bytes
// (bench/upload/receiver.mjs). Run twice: pages in memory (MemoryBudgetMB
// 2048) and every page read back from the encrypted disk cache
// (MemoryBudgetMB --budget, default 16). Target: at least 0.8x curl's throughput.
// Each mode also prints the CPU time per MB sent on each side (ours: all threads, and
// the event loop's share apart from the page reader's and GC threads'), and the
// receiver's for each side, which shows whether it did the same work for both.
//   node bench/upload/run.mjs [--pages 200] [--rounds 5] [--budget 16]
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuSecondsOf, median } from '../lib/timing.mjs';
import { machineLoad, ratioLine } from '../lib/report.mjs';
import { jpegPage } from '../pdf/pages.mjs';
import { adminHeaders, rpc, startInProcess } from '../../packages/service/dist/test-support/service-harness.js';

const { values } = parseArgs({ options: { pages: { type: 'string', default: '200' }, rounds: { type: 'string', default: '5' }, budget: { type: 'string', default: '16' } } });
const PAGES = Number(values.pages);
const ROUNDS = Number(values.rounds);
const here = path.dirname(fileURLToPath(import.meta.url));

const dir = await mkdtemp(path.join(tmpdir(), 'scanbridge-bench-upload-'));
const receiverProcess = spawn(process.execPath, [path.join(here, 'receiver.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
const [portLine] = await once(receiverProcess.stdout, 'data');
const receiver = `http://127.0.0.1:${String(portLine).trim()}`;
// curl is started by a small process of its own (curl-runner.mjs), not by this one, whose fork would copy the service's memory.
const runner = spawn(process.execPath, [path.join(here, 'curl-runner.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
const runnerAnswers = createInterface({ input: runner.stdout })[Symbol.asyncIterator]();
const runCurl = async (args) => {
  runner.stdin.write(`${JSON.stringify(args)}\n`);
  const { value, done } = await runnerAnswers.next();
  if (done) throw new Error('the curl runner ended');
  return JSON.parse(value);
};
const lastBytes = async () => (await (await fetch(`${receiver}/last`)).json()).bytes;
const distinct = [];
for (let i = 0; i < Math.min(10, PAGES); i++) distinct.push(await jpegPage(i));
// CPU time as well as wall time: on a busy machine each thread gets a share of a core, so
// the wall-clock ratio tends to the ratio of CPU each side needs (all our threads: the
// service runs in this process; curl's: its runner's reaped children's time; the receiver's process).
const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const toMs = (seconds) => (seconds === null ? NaN : seconds * 1000);
const eventLoopCpuMs = () => toMs(cpuSecondsOf(`self/task/${process.pid}`));
const receiverCpuMs = () => toMs(cpuSecondsOf(receiverProcess.pid));
const version = execFileSync('curl', ['--version']).toString().split('\n')[0].split(' ').slice(0, 2).join(' ');

async function mode(label, budget) {
  const svc = await startInProcess({ 'upload-destinations': `${receiver}/`, 'memory-budget-mb': budget });
  try {
    const session = (await rpc(svc.base, 'fa', 'CreateSession')).body.result[0].id;
    for (let i = 0; i < PAGES; i++) {
      const res = await fetch(`${svc.base}/f/LoadImages?id=${session}&params=${encodeURIComponent('{}')}`, { method: 'POST', headers: { 'content-type': 'image/jpeg', ...adminHeaders(svc.base) }, body: distinct[i % distinct.length] });
      if (res.status !== 200) throw new Error(`LoadImages: ${res.status} ${await res.text()}`);
    }
    const pdf = path.join(dir, 'scan.pdf');
    const saved = await fetch(`${svc.base}/f/SaveImages`, { method: 'POST', headers: { 'content-type': 'application/json', ...adminHeaders(svc.base) }, body: JSON.stringify({ id: session, params: { format: 'pdf', binary: true } }) });
    await writeFile(pdf, Buffer.from(await saved.arrayBuffer()));
    const size = (await stat(pdf)).size;
    const cpu = { ours: [], loop: [], curl: [], receiverOurs: [], receiverCurl: [] };
    const ours = async () => {
      const [c, l, r] = [ownCpuMs(), eventLoopCpuMs(), receiverCpuMs()];
      const t = performance.now();
      const started = await rpc(svc.base, 'f', 'StartUpload', { format: 'pdf', destination: { method: 'post', url: `${receiver}/ok` } }, session);
      const done = await rpc(svc.base, 'f', 'WaitUpload', { upload: started.body.result[0].id, timeout: 300 }, session);
      const info = done.body.result[0];
      if (info.state !== 'done') throw new Error(`upload ${info.state}: ${JSON.stringify(info.error)}`);
      const ms = performance.now() - t;
      cpu.ours.push(ownCpuMs() - c);
      cpu.loop.push(eventLoopCpuMs() - l);
      cpu.receiverOurs.push(receiverCpuMs() - r);
      return ms;
    };
    const curl = async () => {
      const r = receiverCpuMs();
      const { code, ms, cpuMs } = await runCurl(['-sS', '-o', '/dev/null', '--fail', '-F', `file=@${pdf};type=application/pdf`, `${receiver}/ok`]);
      if (code !== 0) throw new Error(`curl exited ${code}`);
      cpu.curl.push(cpuMs ?? NaN);
      cpu.receiverCurl.push(receiverCpuMs() - r);
      return ms;
    };
    await curl();
    await ours();
    const theirs = [];
    const mine = [];
    for (let r = 0; r < ROUNDS; r++) {
      theirs.push(await curl());
      const curlBytes = await lastBytes();
      mine.push(await ours());
      const ourBytes = await lastBytes();
      // Honest: both sent the PDF (multipart framing differs by a few hundred bytes).
      if (Math.abs(curlBytes - ourBytes) > 4096 || curlBytes < size) throw new Error(`received ${curlBytes} bytes from curl, ${ourBytes} from us; the PDF has ${size}`);
    }
    const mbps = (ms) => size / 1e6 / (ms / 1000);
    console.log(`  ${label} (MemoryBudgetMB ${budget}), ${(size / 1e6).toFixed(1)} MB PDF:`);
    console.log(`    ${version} -F (file already written): median ${median(theirs).toFixed(0)} ms, ${mbps(median(theirs)).toFixed(0)} MB/s`);
    console.log(`    scanbridge StartUpload (PDF encoded while sent): median ${median(mine).toFixed(0)} ms, ${mbps(median(mine)).toFixed(0)} MB/s`);
    const perMB = (xs) => (median(xs) / (size / 1e6)).toFixed(2);
    console.log(`    CPU per MB sent (median): curl ${perMB(cpu.curl)} ms, scanbridge ${perMB(cpu.ours)} ms (event loop ${perMB(cpu.loop)}, its other threads ${perMB(cpu.ours.map((c, i) => c - cpu.loop[i]))}: the page reader from the cache, GC, JIT); the receiver ${perMB(cpu.receiverCurl)} ms for curl, ${perMB(cpu.receiverOurs)} for scanbridge`);
    console.log(`    ${ratioLine(`throughput scanbridge / curl, ${label}`, mine.map((m, i) => theirs[i] / m), '>= 0.8x')}`);
  } finally {
    await svc.close();
  }
}

try {
  console.log(`bench/upload: ${PAGES} A4 300 dpi JPEG pages as one PDF, multipart POST over loopback to a receiver process that discards the bytes, ${ROUNDS} rounds alternating`);
  console.log(`  ${machineLoad()}`);
  await mode('pages in memory', '2048');
  await mode('pages from the encrypted disk cache', values.budget);
} finally {
  receiverProcess.kill();
  runner.stdin.end();
  await rm(dir, { recursive: true, force: true });
}
