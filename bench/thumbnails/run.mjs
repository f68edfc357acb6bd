#!/usr/bin/env node
// bench/thumbnails: cached thumbnails served to one approved page, as its
// <img> elements ask for them (signed URLs, 6 keep-alive connections, the
// browser's limit per host), against a bare node:http server answering the
// same bytes (bench/thumbnails/peer.mjs), each in its own process, the load
// generator in a third. Rounds alternate peer and us. Targets: >= 2000
// thumbnails/s with p99 <= 10 ms, every answer a 200 (the rate limit must not
// refuse a page's own images). Then 16 concurrent requests for one uncached
// size, timed against one such request (coalesced: about the same time).
//   node bench/thumbnails/run.mjs [--rounds 5] [--seconds 3] [--connections 6]
import http from 'node:http';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TOKEN_HEADER } from '../../packages/protocol/dist/index.js';
import { startChild } from '../../packages/service/dist/test-support/service-harness.js';
import { imageSignature } from '../../packages/service/dist/security/image-signature.js';
import { tokenHash } from '../../packages/service/dist/security/secrets.js';
import { VERSION_CODE } from '../../packages/service/dist/version.js';
import { median } from '../lib/timing.mjs';
import { machineLoad, ratioLine } from '../lib/report.mjs';
import { jpegPage } from '../pdf/pages.mjs';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, seconds: { type: 'string', default: '3' }, connections: { type: 'string', default: '6' } } });
const here = path.dirname(fileURLToPath(import.meta.url));
const ORIGIN = 'https://viewer.example';

// A new connection per request: a kept-alive one the service closed while idle would fail the request.
const getStatus = (target, headers) =>
  new Promise((resolve, reject) => http.get(target, { headers, agent: false }, (res) => res.resume().on('end', () => resolve(res.statusCode))).on('error', reject));

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
  const url = (w, h) => `${svc.base}/dwt/dwt_${VERSION_CODE}/img?id=${session}&index=0&width=${w}&height=${h}&exp=${exp}&sig=${encodeURIComponent(sig)}`;
  const imgHeaders = { origin: ORIGIN, accept: 'image/*' };
  const first = await fetch(url(200, 280), { headers: imgHeaders });
  if (first.status !== 200) throw new Error(`thumbnail: ${first.status} ${await first.text()}`);
  const thumb = path.join(home, 'thumb.jpg');
  await writeFile(thumb, Buffer.from(await first.arrayBuffer()));

  peer = spawn(process.execPath, [path.join(here, 'peer.mjs'), thumb], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [portLine] = await once(peer.stdout, 'data');
  const peerUrl = `http://127.0.0.1:${String(portLine).trim()}/img`;

  const load = (target, headers) => JSON.parse(execFileSync(process.execPath, [path.join(here, 'load.mjs'), target, JSON.stringify(headers), values.connections, values.seconds]).toString());
  const ours = [];
  const theirs = [];
  for (let r = 0; r < Number(values.rounds); r++) {
    theirs.push(load(peerUrl, imgHeaders));
    ours.push(load(url(200, 280), imgHeaders));
  }
  const refused = ours.reduce((n, o) => n + Object.entries(o.statuses).filter(([s]) => s !== '200').reduce((m, [, c]) => m + c, 0), 0);

  // Coalescing: one uncached render alone, then 16 identical ones at once (each a new size).
  const timeBurst = async (n, w) => {
    const t = performance.now();
    const codes = await Promise.all(Array.from({ length: n }, () => getStatus(url(w, w), imgHeaders)));
    if (codes.some((c) => c !== 200)) throw new Error(`uncached thumbnails: ${codes}`);
    return performance.now() - t;
  };
  const single = [];
  const sixteen = [];
  for (let r = 0; r < 3; r++) {
    single.push(await timeBurst(1, 300 + r));
    sixteen.push(await timeBurst(16, 400 + r));
  }

  const rate = (xs) => median(xs.map((x) => x.perSecond));
  const p99 = (xs) => median(xs.map((x) => x.p99));
  console.log(`bench/thumbnails: one cached 200x280 thumbnail of an A4 300 dpi page, ${values.connections} keep-alive connections, ${values.rounds} rounds of ${values.seconds} s each side`);
  console.log(`  ${machineLoad()}`);
  console.log(`  peer (bare node:http, same bytes): ${rate(theirs).toFixed(0)}/s, p50 ${median(theirs.map((x) => x.p50)).toFixed(2)} ms, p99 ${p99(theirs).toFixed(2)} ms`);
  console.log(`  scanbridge (signed <img> URLs):    ${rate(ours).toFixed(0)}/s, p50 ${median(ours.map((x) => x.p50)).toFixed(2)} ms, p99 ${p99(ours).toFixed(2)} ms, refused ${refused}`);
  console.log(`  per round: ${ours.map((o) => `${o.perSecond.toFixed(0)}/s p99 ${o.p99.toFixed(1)} ms`).join('; ')}`);
  console.log(`  target >= 2000/s: ${rate(ours) >= 2000 ? 'met' : 'NOT met'}; p99 <= 10 ms: ${p99(ours) <= 10 ? 'met' : 'NOT met'}; no refusals: ${refused === 0 ? 'met' : 'NOT met'}`);
  console.log(`  ${ratioLine('throughput scanbridge / peer', ours.map((o, i) => o.perSecond / theirs[i].perSecond), '>= 0.5x')}`);
  console.log(`  uncached: one request ${median(single).toFixed(0)} ms, 16 identical at once ${median(sixteen).toFixed(0)} ms (rendered once: about the same)`);
  console.log(`  ${ratioLine('16 identical / one', sixteen.map((s, i) => s / single[i]), '<= 2.0x')}`);
} finally {
  peer?.kill();
  await svc.stop();
  await rm(home, { recursive: true, force: true });
}
