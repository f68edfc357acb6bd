#!/usr/bin/env node
// bench/thumbnails: cached thumbnails served to one approved page, as its
// <img> elements ask for them (signed URLs, no Origin header, 6 keep-alive
// connections: the browser's limit per host), against a bare node:http
// server answering the same bytes (bench/thumbnails/peer.mjs); the service,
// the peer and the load generator (load.mjs) each in its own process. After
// a warm-up of each, rounds alternate peer and us. Targets (issue 12.6):
// >= 2000 thumbnails/s with p99 <= 10 ms, every answer a 200 (the rate limit
// must not refuse a page's own images). The CPU the service spends per
// thumbnail, against the peer's, says how much of the time is ours whatever
// the machine's load. Then the cost of one uncached thumbnail (an A4 300 dpi
// JPEG page fitted into 200x280, a new size each round), and 16 identical
// uncached requests at once against one (rendered once: about the same).
//   node bench/thumbnails/run.mjs [--rounds 5] [--seconds 3] [--connections 6]
import http from 'node:http';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { TOKEN_HEADER } from '../../packages/protocol/dist/index.js';
import { startChild } from '../../packages/service/dist/test-support/service-harness.js';
import { imageSignature } from '../../packages/service/dist/security/image-signature.js';
import { tokenHash } from '../../packages/service/dist/security/secrets.js';
import { VERSION_CODE } from '../../packages/service/dist/version.js';
import { median } from '../lib/timing.mjs';
import { machineLoad, ratioLine, valueLine } from '../lib/report.mjs';
import { jpegPage } from '../pdf/pages.mjs';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, seconds: { type: 'string', default: '3' }, connections: { type: 'string', default: '6' } } });
const rounds = Number(values.rounds);
const here = path.dirname(fileURLToPath(import.meta.url));
const ORIGIN = 'https://viewer.example';
// What Chromium sends for an <img>: no Origin (a no-cors GET), no token.
const IMG_HEADERS = { accept: 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8' };

// A new connection per request: a kept-alive one the service closed while idle would fail the request.
const getStatus = (target) =>
  new Promise((resolve, reject) => http.get(target, { headers: IMG_HEADERS, agent: false }, (res) => res.resume().on('end', () => resolve(res.statusCode))).on('error', reject));

/** CPU time (ms) of a process so far, all threads (Linux; null elsewhere). */
function cpuMs(pid) {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return null;
  const fields = readFileSync(file, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime in clock ticks of 10 ms
}

const home = await mkdtemp(path.join(tmpdir(), 'scanbridge-bench-thumbs-'));
const svc = await startChild(home, ['--allowed-origins', ORIGIN]);
let peer;
try {
  const call = async (scope, method, params, headers = {}, id) => {
    const res = await fetch(`${svc.base}/${scope}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN, ...headers }, body: JSON.stringify({ ...(id ? { id } : {}), params }) });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
    return body.result[0];
  };
  const { token } = await call('fa', 'RequestAccess', {});
  const auth = { [TOKEN_HEADER]: token };
  const { id: session } = await call('fa', 'CreateSession', {}, auth);
  await call('f', 'AddImage', { data: (await jpegPage(1)).toString('base64') }, auth, session);
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const sig = imageSignature(tokenHash(token), session, exp);
  const url = (w, h) => `${svc.base}/dwt/dwt_${VERSION_CODE}/img?id=${session}&index=0&width=${w}&height=${h}&ticks=1&exp=${exp}&sig=${encodeURIComponent(sig)}`;
  const first = await fetch(url(200, 280), { headers: IMG_HEADERS });
  if (first.status !== 200) throw new Error(`thumbnail: ${first.status} ${await first.text()}`);
  const thumb = path.join(home, 'thumb.jpg');
  await writeFile(thumb, Buffer.from(await first.arrayBuffer()));

  peer = spawn(process.execPath, [path.join(here, 'peer.mjs'), thumb], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [portLine] = await once(peer.stdout, 'data');
  const peerUrl = `http://127.0.0.1:${String(portLine).trim()}/img`;

  // Asynchronous, so that this process keeps reading the service's output while the load runs.
  const load = async (target, pid, seconds = values.seconds) => {
    const cpu = cpuMs(pid);
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(here, 'load.mjs'), target, JSON.stringify(IMG_HEADERS), values.connections, seconds]);
    const result = JSON.parse(stdout);
    const answers = Object.values(result.statuses).reduce((a, b) => a + b, 0);
    return { ...result, cpuUsPerAnswer: cpu === null ? NaN : ((cpuMs(pid) - cpu) * 1000) / answers };
  };
  const loadAtStart = machineLoad();
  // Warm-up (JIT, the first connections), not counted.
  await load(peerUrl, peer.pid, '1');
  await load(url(200, 280), svc.child.pid, '1');
  const ours = [];
  const theirs = [];
  for (let r = 0; r < rounds; r++) {
    theirs.push(await load(peerUrl, peer.pid));
    ours.push(await load(url(200, 280), svc.child.pid));
  }
  const refused = ours.reduce((n, o) => n + Object.entries(o.statuses).filter(([s]) => s !== '200').reduce((m, [, c]) => m + c, 0), 0);

  // Uncached: one request for a size not rendered yet, then 16 identical ones at once (another new size).
  const timeBurst = async (n, w) => {
    const t = performance.now();
    const codes = await Promise.all(Array.from({ length: n }, () => getStatus(url(w, Math.round(w * 1.4)))));
    if (codes.some((c) => c !== 200)) throw new Error(`uncached thumbnails: ${codes}`);
    return performance.now() - t;
  };
  const single = [];
  const sixteen = [];
  for (let r = 0; r < rounds; r++) {
    single.push(await timeBurst(1, 300 + r));
    sixteen.push(await timeBurst(16, 400 + r));
  }

  console.log(`bench/thumbnails: one cached 200x280 thumbnail of an A4 300 dpi page, as an approved page's <img> asks (signed URL, no Origin), ${values.connections} keep-alive connections, ${rounds} rounds of ${values.seconds} s each side`);
  console.log(`  ${loadAtStart} (at start)`);
  console.log(`  ${machineLoad()} (at end)`);
  const f = (xs, key, d = 0) => xs.map((x) => x[key].toFixed(d)).join(' ');
  console.log(`  peer (bare node:http, same bytes) per round: ${f(theirs, 'perSecond')} /s; p99 ${f(theirs, 'p99', 1)} ms; CPU ${f(theirs, 'cpuUsPerAnswer')} us/answer`);
  console.log(`  scanbridge per round:                       ${f(ours, 'perSecond')} /s; p99 ${f(ours, 'p99', 1)} ms; CPU ${f(ours, 'cpuUsPerAnswer')} us/answer; refused ${refused}`);
  console.log(`  ${valueLine('cached thumbnails per second', ours.map((o) => o.perSecond), '>= 2000/s', 0)}`);
  console.log(`  ${valueLine('cached thumbnail p99 latency', ours.map((o) => o.p99), '<= 10 ms')}`);
  console.log(`  ${valueLine('refused thumbnails (429 and other non-200)', [refused], '<= 0', 0)}`);
  console.log(`  ${ratioLine('cached throughput scanbridge / bare node:http', ours.map((o, i) => o.perSecond / theirs[i].perSecond), '>= 0.7x')}`);
  if (ours.every((o) => Number.isFinite(o.cpuUsPerAnswer))) {
    console.log(`  ${ratioLine('service CPU per cached thumbnail / bare node:http', ours.map((o, i) => o.cpuUsPerAnswer / theirs[i].cpuUsPerAnswer), '<= 1.5x')}`);
  }
  console.log(`  uncached per round: one ${single.map((x) => x.toFixed(0)).join(' ')} ms; 16 identical at once ${sixteen.map((x) => x.toFixed(0)).join(' ')} ms`);
  console.log(`  ${valueLine('uncached thumbnail (A4 300 dpi JPEG page)', single, '<= 35 ms', 0)}`);
  console.log(`  ${ratioLine('16 identical uncached at once / one (rendered once)', sixteen.map((s, i) => s / single[i]), '<= 2.0x')}`);
} finally {
  peer?.kill();
  await svc.stop();
  await rm(home, { recursive: true, force: true });
}
