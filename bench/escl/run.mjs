#!/usr/bin/env node
// bench/escl: the SANE `test` backend's 10-page feeder, A4 300 dpi colour,
// shared by a scanbridge eSCL server (an "office" service), scanned in one run
//   a) by scanimage through Debian's sane-airscan from our eSCL server,
//   b) by scanimage directly on the SANE backend,
//   c) by our eSCL client (a "desk" service listing the office's scanner)
//      through the normal API, until every page is in its buffer.
// Prints the machine's load, the times, and the ratios as min/median/max:
// a/b (target <= 1.2x: what sharing over eSCL costs) and c/a (target <=
// 1.0x: our client against sane-airscan on the same server).
// Both services run in this process; the device worker is its own process.
//   node bench/escl/run.mjs [--rounds N]
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { rpc, startInProcess } from '../../packages/service/dist/test-support/service-harness.js';
import { createTestBackend } from '../../packages/service/dist/devices/sane/test-backend.js';
import { airscanClient } from '../../packages/service/dist/escl-server/test-airscan.js';
import { machineLoad, ratioLine } from '../lib/report.mjs';
import { median } from '../lib/timing.mjs';

const run = promisify(execFile);
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const ROUNDS = Number(values.rounds);
const PAGES = 10; // the test backend's feeder holds 10 sheets
const A4 = ['-l', '0', '-t', '0', '-x', '210', '-y', '297'];

async function scanimageBatch(env, device, source) {
  const out = await mkdtemp(path.join(tmpdir(), 'scanbridge-bench-escl-'));
  try {
    const t0 = performance.now();
    // Exit status 0 when the batch ends with "out of documents": that is how a feeder batch ends.
    await run('scanimage', ['-d', device, '--source', source, '--mode', 'Color', '--resolution', '300', ...A4, `--batch=${path.join(out, 'p%d.jpg')}`, '--format=jpeg'], { env: { ...process.env, ...env } });
    const seconds = (performance.now() - t0) / 1000;
    const pages = (await readdir(out)).filter((f) => f.endsWith('.jpg')).length;
    if (pages !== PAGES) throw new Error(`scanimage -d ${device} wrote ${pages} pages, expected ${PAGES}`);
    return seconds;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

async function ourClient(desk, session, device) {
  await rpc(desk.base, 'f', 'RemoveAllImages', {}, session);
  const t0 = performance.now();
  const start = await rpc(desk.base, 'f', 'StartScan', { device, settings: { source: 'feeder', dpi: 300, mode: 'color', paper: 'A4' } }, session);
  if (start.status !== 200) throw new Error(`StartScan: ${JSON.stringify(start.body.error)}`);
  let job = start.body.result[0];
  while (job.state === 'running') job = (await rpc(desk.base, 'f', 'WaitJob', { job: job.id, timeout: 30 }, session)).body.result[0];
  const seconds = (performance.now() - t0) / 1000;
  if (job.state !== 'done' || job.pages !== PAGES) throw new Error(`job ${job.state} with ${job.pages} pages: ${JSON.stringify(job.error)}`);
  return seconds;
}

const backend = await createTestBackend(1, { 'test-picture': '"Color pattern"' });
process.env.SANE_CONFIG_DIR = backend.dir;
const office = await startInProcess({ 'sane-scanners': 'true', 'demo-scanner': 'false', 'escl-server': 'on', 'escl-share': 'sane:test:0', 'escl-port': '0', 'escl-bind-address': '127.0.0.1' });
const url = `${office.service.escl.url}/eSCL`;
const desk = await startInProcess({ 'demo-scanner': 'false', 'escl-scanners': url });
const airscan = await airscanClient(url, 'office');
try {
  const device = `escl:${url}`;
  const session = (await rpc(desk.base, 'fa', 'CreateSession')).body.result[0].id;
  // As an application does before its first scan: read the capabilities (this starts the office's device worker).
  const caps = await rpc(desk.base, 'fa', 'GetCapabilities', { device });
  if (caps.status !== 200) throw new Error(`GetCapabilities: ${JSON.stringify(caps.body.error)}`);
  const viaAirscan = [];
  const direct = [];
  const ours = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternating order, so that neither side always runs on a warmer machine.
    const steps = [
      async () => direct.push(await scanimageBatch(backend.env, 'test:0', 'Automatic Document Feeder')),
      async () => viaAirscan.push(await scanimageBatch(airscan.env, airscan.device, 'ADF')),
      async () => ours.push(await ourClient(desk, session, device)),
    ];
    for (const step of round % 2 === 0 ? steps : steps.reverse()) await step();
  }
  const s = (xs) => `${median(xs).toFixed(2)} s (${((PAGES / median(xs)) * 60).toFixed(0)} pages/min)`;
  console.log(`bench/escl: ${PAGES}-page SANE test feeder, A4 300 dpi colour, shared by our eSCL server (${ROUNDS} rounds, medians)`);
  console.log(`  ${machineLoad()}`);
  console.log(`  a) scanimage + sane-airscan through our eSCL server: ${s(viaAirscan)}`);
  console.log(`  b) scanimage directly on the SANE backend:           ${s(direct)}`);
  console.log(`  c) our eSCL client through our eSCL server (API):    ${s(ours)}`);
  console.log(`  ${ratioLine('a/b, sharing over eSCL vs direct', viaAirscan.map((x, i) => x / direct[i]), '<= 1.2x')}`);
  console.log(`  ${ratioLine('c/a, our client vs sane-airscan', ours.map((x, i) => x / viaAirscan[i]), '<= 1.0x')}`);
  console.log(`  rounds (a / b / c, s): ${viaAirscan.map((x, i) => `${x.toFixed(2)}/${direct[i].toFixed(2)}/${ours[i].toFixed(2)}`).join('  ')}`);
} finally {
  await desk.close();
  await office.close();
  await airscan.remove();
  await backend.remove();
}
