#!/usr/bin/env node
// bench/camera: time from Capture (StartScan on a camera) to the page in the
// buffer (WaitJob done), through a running service, with test cameras playing
// the demo page photographed on a desk (bench's own MJPEG videos, made before
// timing) at 1080p (1920 x 1080) and 4K (3840 x 2160):
//   raw        the camera's MJPEG frame stored as sent
//   document   the frame flattened onto its paper (settings document: true, 200 dpi)
// and for the live preview: its frame rate, and how long its ffmpeg takes to
// end after the last viewer leaves. min/median/max over the rounds. Targets
// (issue 16): preview frames at the configured rate (at least 90 % of it), its
// ffmpeg ended within a second of the last viewer leaving.
//   node bench/camera/run.mjs [--rounds 5]
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { machineLoad, valueLine } from '../lib/report.mjs';
import { median } from '../lib/timing.mjs';
import { startInProcess, rpc, adminHeaders, tokenFor } from '../../packages/service/dist/test-support/service-harness.js';
import { deskPhoto, mjpegVideo } from '../../packages/service/dist/test-support/camera-photo.js';
import { imageSignature } from '../../packages/service/dist/security/image-signature.js';
import { tokenHash } from '../../packages/service/dist/security/secrets.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const ROUNDS = Number(values.rounds);
const SIZES = [
  { name: '1080p', width: 1920, height: 1080 },
  { name: '4K', width: 3840, height: 2160 },
];
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[0].toFixed(0)}/${median(xs).toFixed(0)}/${s.at(-1).toFixed(0)} ms`;
};

const dir = await mkdtemp(path.join(tmpdir(), 'bench-camera-'));
const sources = [];
for (const s of SIZES) {
  const photo = await deskPhoto(dir, s.width, s.height);
  sources.push(`${s.name.toLowerCase()}=${await mjpegVideo(photo.path, path.join(dir, `${s.name}.mkv`), { fps: 15, seconds: 2 })}`);
}
const svc = await startInProcess({ cameras: 'false', 'test-cameras': sources.join(';') });
const headers = adminHeaders(svc.base);
const session = (await rpc(svc.base, 'fa', 'CreateSession', {}, undefined, { headers })).body.result[0].id;

async function capture(device, settings) {
  const t = performance.now();
  const job = (await rpc(svc.base, 'f', 'StartScan', { device, settings }, session, { headers })).body.result[0];
  const done = (await rpc(svc.base, 'f', 'WaitJob', { job: job.id }, session, { headers })).body.result[0];
  if (done.state !== 'done') throw new Error(`capture failed: ${JSON.stringify(done.error)}`);
  return performance.now() - t;
}

console.log(machineLoad());
console.log(`rounds: ${ROUNDS}; capture to page in buffer, min/median/max`);
for (const s of SIZES) {
  const device = `camera:test-${s.name.toLowerCase()}`;
  await capture(device, {}); // first use: the camera's modes are probed
  const raw = [];
  const flat = [];
  for (let i = 0; i < ROUNDS; i++) {
    raw.push(await capture(device, {}));
    flat.push(await capture(device, { document: { dpi: 200 } }));
  }
  const pages = (await rpc(svc.base, 'f', 'GetImagesInfo', {}, session, { headers })).body.result[0];
  const last = pages.at(-1);
  console.log(`${s.name.padEnd(6)} raw ${stats(raw)}   document ${stats(flat)}   (flattened page ${last.width} x ${last.height})`);
}

// Preview: rate over 5 s, and the stop time of its ffmpeg after the viewer leaves.
const driver = svc.service.ctx.devices.driverFor('camera:test-1080p');
const stops = [];
const rates = [];
for (let i = 0; i < ROUNDS; i++) {
  const exp = Math.floor(Date.now() / 1000) + 600;
  const url = `${svc.base}/camera/preview?id=${session}&device=camera%3Atest-1080p&exp=${exp}&sig=${encodeURIComponent(imageSignature(tokenHash(tokenFor(svc.base)), session, exp))}`;
  const frames = [];
  const req = http.get(url, (res) => res.on('data', (c) => { if (c.includes('--scanbridge-frame')) frames.push(performance.now()); }));
  // The rate once frames flow, over 3 s (the first frame waits for ffmpeg to start: up to 10 s on a busy machine).
  const startBy = performance.now() + 10_000;
  while (frames.length === 0 && performance.now() < startBy) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 3000));
  rates.push(frames.length < 2 ? 0 : (frames.length - 1) / ((frames.at(-1) - frames[0]) / 1000));
  const pid = driver.preview.pid('camera:test-1080p');
  req.destroy();
  const t = performance.now();
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  stops.push(performance.now() - t);
}
console.log(`preview 1080p: ${rates.map((r) => r.toFixed(1)).join(' ')} fps (bound ${driver.previewLimits.fps}); ffmpeg ended after the last viewer left in ${stats(stops)}`);
console.log(valueLine('preview 1080p frame rate', rates, `>= ${(driver.previewLimits.fps * 0.9).toFixed(1)} fps`));
console.log(valueLine('preview ffmpeg ended after the last viewer left', stops, '<= 1000 ms', 0));
console.log(machineLoad());
await svc.close();
await rm(dir, { recursive: true, force: true });
