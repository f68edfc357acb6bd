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
// Where the time goes: the CPU seconds of each party per batch (scanimage
// with its backend, the office's device worker, this process), because on
// a busy machine a batch takes about the CPU of all its parties together.
// And sane-airscan's own floor, a0: the same scanimage + sane-airscan from a
// stand-in server that answers every request at once, NextDocument with the
// PNG our server sent for the first page (no scanning, no encoding): what a
// cannot go below whatever the server does, as a0/b beside a/b. The same
// stand-in serves page 1 in the other forms sane-airscan reads, each from
// capabilities offering only it (sane-airscan takes PNG whenever offered,
// else JPEG, else BMP): PNG stored (deflate level 0) and at zlib-ng's
// fastest level, the JPEG our server sends when asked for one, and BMP
// (sane-airscan's cheapest decoder; not an eSCL format we serve): sane-
// airscan's floor per format, to show whether any form of the page would
// bring a below the target. And the server's own floor, s: the batch from
// our server fetched by this process as fast as it can (no decoding, no
// files), against the direct scan as s/b. A batch through sane-airscan is
// at least the larger of the two (each side's pages in a pipeline, cores
// free), and about their sum when the machine has no core to spare.
//   node bench/escl/run.mjs [--rounds N]
import { execFile } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { rpc, startInProcess } from '../../packages/service/dist/test-support/service-harness.js';
import { createTestBackend } from '../../packages/service/dist/devices/sane/test-backend.js';
import { airscanClient } from '../../packages/service/dist/escl-server/test-airscan.js';
import { scanSettingsXml, statusXml } from '../../packages/service/dist/devices/escl/escl-model.js';
import { sharp } from '../../packages/service/dist/imaging/sharp.js';
import { machineLoad, ratioLine } from '../lib/report.mjs';
import { median } from '../lib/timing.mjs';

const run = promisify(execFile);
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const ROUNDS = Number(values.rounds);
const PAGES = 10; // the test backend's feeder holds 10 sheets
const A4 = ['-l', '0', '-t', '0', '-x', '210', '-y', '297'];

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
async function cpuOf(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!stat) return 0;
  const fields = stat.replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The office's SANE device worker (a child of this process), once the first call has started it. */
async function workerPid() {
  const children = (await readFile(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').catch(() => '')).split(' ').filter(Boolean);
  for (const pid of children) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('sane-worker-main') && cmdline.includes('sane:test:0')) return Number(pid);
  }
  return null;
}

const ownCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Runs `step` and answers its seconds with the CPU seconds the office's worker and this process used meanwhile. */
async function measured(step) {
  const worker = await workerPid();
  const [w0, own0] = [worker ? await cpuOf(worker) : 0, ownCpu()];
  const result = await step();
  return { ...result, workerCpu: worker ? (await cpuOf(worker)) - w0 : 0, serviceCpu: ownCpu() - own0 };
}

async function scanimageBatch(env, device, source) {
  const out = await mkdtemp(path.join(tmpdir(), 'scanbridge-bench-escl-'));
  try {
    const t0 = performance.now();
    // Exit status 0 when the batch ends with "out of documents": that is how a feeder batch ends.
    // The shell's `times` gives scanimage's CPU (its backend's threads included).
    const script = 'scanimage "$@"; status=$?; times >&2; exit $status';
    const { stderr } = await run('bash', ['-c', script, 'scanimage', '-d', device, '--source', source, '--mode', 'Color', '--resolution', '300', ...A4, `--batch=${path.join(out, 'p%d.jpg')}`, '--format=jpeg'], { env: { ...process.env, ...env } });
    const seconds = (performance.now() - t0) / 1000;
    const [user, system] = [...(stderr.trim().split('\n').at(-1) ?? '').matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
    const pages = (await readdir(out)).filter((f) => f.endsWith('.jpg')).length;
    if (pages !== PAGES) throw new Error(`scanimage -d ${device} wrote ${pages} pages, expected ${PAGES}`);
    return { seconds, clientCpu: (user ?? 0) + (system ?? 0) };
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
  return { seconds, clientCpu: 0 };
}

/** The first page (A4 300 dpi colour) as our server sends it to sane-airscan in `format`. */
async function firstPage(url, format) {
  // sane-airscan's request for -x 210 -y 297: the region in 1/300 inch.
  const body = scanSettingsXml({ version: '2.63', inputSource: 'Feeder', duplex: false, documentFormat: format, colorMode: 'RGB24', xResolution: 300, yResolution: 300, region: { x: 0, y: 0, width: 2480, height: 3508 } });
  const job = await fetch(`${url}/ScanJobs`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  const location = job.headers.get('location');
  if (job.status !== 201 || !location) throw new Error(`POST ScanJobs: ${job.status} ${await job.text()}`);
  let first = null;
  // The whole batch, so that the job ends as the bench's own do (with an empty feeder, not a cancel).
  for (let page = await fetch(`${location}/NextDocument`); page.status !== 404; page = await fetch(`${location}/NextDocument`)) {
    if (page.status !== 200) throw new Error(`NextDocument: ${page.status} ${await page.text()}`);
    const bytes = Buffer.from(await page.arrayBuffer());
    first ??= bytes;
  }
  if (!first) throw new Error('our eSCL server sent no page');
  return first;
}

/** A top-down 24-bit BMP of RGB pixels (sane-airscan's BMP decoder takes uncompressed 24-bit rows). */
function bmpOf({ data, info }) {
  const { width, height } = info;
  const stride = (width * 3 + 3) & ~3;
  const bmp = Buffer.alloc(54 + stride * height);
  bmp.write('BM', 0, 'latin1');
  bmp.writeUInt32LE(bmp.length, 2);
  bmp.writeUInt32LE(54, 10);
  bmp.writeUInt32LE(40, 14);
  bmp.writeInt32LE(width, 18);
  bmp.writeInt32LE(-height, 22);
  bmp.writeUInt16LE(1, 26);
  bmp.writeUInt16LE(24, 28);
  bmp.writeUInt32LE(stride * height, 34);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 3;
      const to = 54 + y * stride + x * 3;
      bmp[to] = data[from + 2];
      bmp[to + 1] = data[from + 1];
      bmp[to + 2] = data[from];
    }
  }
  return bmp;
}

/** Page 1 in each form the stand-in serves: [label, MIME type, bytes]. */
async function floorVariants(url) {
  const png = await firstPage(url, 'image/png');
  const jpeg = await firstPage(url, 'image/jpeg');
  const pixels = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const raw = () => sharp(pixels.data, { raw: pixels.info });
  return [
    ['png as our server sends it', 'image/png', png],
    ['png stored (level 0)', 'image/png', await raw().png({ compressionLevel: 0, adaptiveFiltering: false }).toBuffer()],
    ['png level 1', 'image/png', await raw().png({ compressionLevel: 1, adaptiveFiltering: false }).toBuffer()],
    ['jpeg as our server sends it', 'image/jpeg', jpeg],
    // sane-airscan names BMP application/bmp.
    ['bmp', 'application/bmp', bmpOf(pixels)],
  ];
}

/** Our capabilities offering only `mime`. */
function offering(caps, mime) {
  return caps
    .replace(/<pwg:DocumentFormat>[^<]*<\/pwg:DocumentFormat>|<scan:DocumentFormatExt>[^<]*<\/scan:DocumentFormatExt>/g, '')
    .replace(/<scan:DocumentFormats>/g, `<scan:DocumentFormats><pwg:DocumentFormat>${mime}</pwg:DocumentFormat><scan:DocumentFormatExt>${mime}</scan:DocumentFormatExt>`);
}

/** An eSCL server that has every page ready: the same document for each of the batch's pages, then an empty feeder. `serve` picks the document. */
async function readyServer(caps) {
  let served = 0;
  let current = null;
  const server = http.createServer((req, res) => {
    const reply = (status, body = '', type = 'text/xml') => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    const url = req.url ?? '';
    if (url.endsWith('/ScannerCapabilities')) return reply(200, offering(caps, current.mime));
    if (url.endsWith('/ScannerStatus')) return reply(200, statusXml({ version: '2.63', state: 'Idle', adfState: served >= PAGES ? 'ScannerAdfEmpty' : 'ScannerAdfLoaded', jobs: [] }));
    if (req.method === 'POST') {
      served = 0;
      req.resume();
      res.writeHead(201, { location: `http://127.0.0.1:${server.address().port}/eSCL/ScanJobs/00000000-0000-4000-8000-000000000000`, 'content-length': 0 });
      return res.end();
    }
    if (url.endsWith('/NextDocument')) {
      if (served >= PAGES) return reply(404, 'no more documents');
      served++;
      return reply(200, current.bytes, current.mime);
    }
    return reply(200);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/eSCL`,
    serve: (mime, bytes) => (current = { mime, bytes }),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const backend = await createTestBackend(1, { 'test-picture': '"Color pattern"' });
process.env.SANE_CONFIG_DIR = backend.dir;
const office = await startInProcess({ 'sane-scanners': 'true', 'demo-scanner': 'false', 'escl-server': 'on', 'escl-share': 'sane:test:0', 'escl-port': '0', 'escl-bind-address': '127.0.0.1' });
const url = `${office.service.esclServer.url}/eSCL`;
const desk = await startInProcess({ 'demo-scanner': 'false', 'escl-scanners': url });
const airscan = await airscanClient(url, 'office');
const variants = await floorVariants(url);
const ready = await readyServer(await (await fetch(`${url}/ScannerCapabilities`)).text());
const floor = await airscanClient(ready.url, 'ready');
try {
  const device = `escl:${url}`;
  const session = (await rpc(desk.base, 'fa', 'CreateSession')).body.result[0].id;
  // As an application does before its first scan: read the capabilities (this starts the office's device worker).
  const caps = await rpc(desk.base, 'fa', 'GetCapabilities', { device });
  if (caps.status !== 200) throw new Error(`GetCapabilities: ${JSON.stringify(caps.body.error)}`);
  const viaAirscan = [];
  const direct = [];
  const ours = [];
  const floorRuns = [];
  const otherFloors = variants.slice(1).map(() => []);
  const alone = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternating order, so that neither side always runs on a warmer machine.
    const steps = [
      async () => direct.push(await scanimageBatch(backend.env, 'test:0', 'Automatic Document Feeder')),
      async () => viaAirscan.push(await measured(() => scanimageBatch(airscan.env, airscan.device, 'ADF'))),
      async () => ours.push(await measured(() => ourClient(desk, session, device))),
      async () =>
        alone.push(
          await measured(async () => {
            const t0 = performance.now();
            await firstPage(url, 'image/png');
            return { seconds: (performance.now() - t0) / 1000, clientCpu: 0 };
          }),
        ),
      async () => {
        ready.serve(variants[0][1], variants[0][2]);
        floorRuns.push(await scanimageBatch(floor.env, floor.device, 'ADF'));
      },
      ...variants.slice(1).map(([, mime, bytes], i) => async () => {
        ready.serve(mime, bytes);
        otherFloors[i].push(await scanimageBatch(floor.env, floor.device, 'ADF'));
      }),
    ];
    for (const step of round % 2 === 0 ? steps : steps.reverse()) await step();
  }
  const s = (runs) => `${median(runs.map((r) => r.seconds)).toFixed(2)} s (${((PAGES / median(runs.map((r) => r.seconds))) * 60).toFixed(0)} pages/min)`;
  const cpu = (runs, key) => median(runs.map((r) => r[key])).toFixed(2);
  console.log(`bench/escl: ${PAGES}-page SANE test feeder, A4 300 dpi colour, shared by our eSCL server (${ROUNDS} rounds, medians)`);
  console.log(`  ${machineLoad()}`);
  console.log(`  a) scanimage + sane-airscan through our eSCL server: ${s(viaAirscan)}`);
  console.log(`  b) scanimage directly on the SANE backend:           ${s(direct)}`);
  console.log(`  c) our eSCL client through our eSCL server (API):    ${s(ours)}`);
  console.log(`  a0) scanimage + sane-airscan, server with pages ready: ${s(floorRuns)}`);
  console.log(`  s) our eSCL server alone, its pages fetched by this process: ${s(alone)}`);
  console.log(`  CPU s per batch (medians): a) scanimage + sane-airscan ${cpu(viaAirscan, 'clientCpu')}, office device worker ${cpu(viaAirscan, 'workerCpu')}, both services' process ${cpu(viaAirscan, 'serviceCpu')}; b) scanimage ${cpu(direct, 'clientCpu')}; a0) scanimage + sane-airscan ${cpu(floorRuns, 'clientCpu')}; c) office device worker ${cpu(ours, 'workerCpu')}, both services' process ${cpu(ours, 'serviceCpu')}; s) office device worker ${cpu(alone, 'workerCpu')}, this process (the office and the fetching) ${cpu(alone, 'serviceCpu')}`);
  console.log(`  ${ratioLine('a/b, sharing over eSCL vs direct', viaAirscan.map((x, i) => x.seconds / direct[i].seconds), '<= 1.2x')}`);
  const floorRatios = floorRuns.map((x, i) => x.seconds / direct[i].seconds).sort((x, y) => x - y);
  console.log(`  a0/b, sane-airscan's own floor (no target): ${median(floorRatios).toFixed(2)}x median (${floorRatios[0].toFixed(2)}-${floorRatios.at(-1).toFixed(2)})`);
  const aloneRatios = alone.map((x, i) => x.seconds / direct[i].seconds).sort((x, y) => x - y);
  console.log(`  s/b, our server's own floor (no target): ${median(aloneRatios).toFixed(2)}x median (${aloneRatios[0].toFixed(2)}-${aloneRatios.at(-1).toFixed(2)})`);
  const floorOf = (runs) => {
    const r = runs.map((x, i) => x.seconds / direct[i].seconds).sort((x, y) => x - y);
    return `${median(r).toFixed(2)}x (${r[0].toFixed(2)}-${r.at(-1).toFixed(2)}), scanimage + sane-airscan CPU ${cpu(runs, 'clientCpu')} s`;
  };
  const mb = (bytes) => `${(bytes.length / 1e6).toFixed(1)} MB`;
  console.log(`  a0/b per form of page 1, sane-airscan's floor (no target; medians, CPU s per batch):`);
  console.log(`    ${variants[0][0]} (${mb(variants[0][2])}): ${floorOf(floorRuns)}`);
  variants.slice(1).forEach(([label, , bytes], i) => console.log(`    ${label} (${mb(bytes)}): ${floorOf(otherFloors[i])}`));
  console.log(`  ${ratioLine('c/a, our client vs sane-airscan', ours.map((x, i) => x.seconds / viaAirscan[i].seconds), '<= 1.0x')}`);
  console.log(`  rounds (a / b / c / a0 / s, s): ${viaAirscan.map((x, i) => `${x.seconds.toFixed(2)}/${direct[i].seconds.toFixed(2)}/${ours[i].seconds.toFixed(2)}/${floorRuns[i].seconds.toFixed(2)}/${alone[i].seconds.toFixed(2)}`).join('  ')}`);
} finally {
  await desk.close();
  await office.close();
  await airscan.remove();
  await floor.remove();
  await ready.close();
  await backend.remove();
}
