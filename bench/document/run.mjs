#!/usr/bin/env node
// bench/document: page detection and perspective correction on generated
// camera frames (the demo page tilted 25°, turned 8°, on a dark desk under
// uneven light; bench's own photos, made before timing): 1080p (1920 x 1080)
// and 4K (3840 x 2160), and a 12-megapixel phone photo (4000 x 3000).
// Times, per frame size, min/median/max over the rounds:
//   detect   DetectDocument's work (corners on the decoded frame), in this thread
//   correct  detection + warp onto A4 at 200 dpi + background clean-up, in this thread
//   pool     correctDocument(): JPEG decode, the same in the document pool's thread, JPEG encode
// Also the CPU time of detect and correct (the machine is shared: wall time
// grows with the load, CPU time much less), the first pool call (thread
// start) and how many frames found their page. Target (issue 16): the
// detected corners within 1 % of the page's diagonal, on every frame size.
//   node bench/document/run.mjs [--rounds 7]
import { parseArgs } from 'node:util';
import { machineLoad, valueLine } from '../lib/report.mjs';
import { median } from '../lib/timing.mjs';
import { sharp } from '../../packages/service/dist/imaging/sharp.js';
import { demoPageImage, photograph, cornerError } from '../../packages/service/dist/imaging/document-photos.js';
import { detectDocument } from '../../packages/service/dist/imaging/analysis/document-corners.js';
import { correctPixels } from '../../packages/service/dist/imaging/edits/perspective.js';
import { correctDocument } from '../../packages/service/dist/imaging/document.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' } } });
const ROUNDS = Number(values.rounds);
const FRAMES = [
  { name: '1080p', width: 1920, height: 1080 },
  { name: '4K', width: 3840, height: 2160 },
  { name: '12 MP', width: 4000, height: 3000 },
];
const options = { paper: 'auto', dpi: 200, cleanup: true, mode: 'color' };
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[0].toFixed(0)}/${median(xs).toFixed(0)}/${s.at(-1).toFixed(0)} ms`;
};

console.log(machineLoad());
const page = await demoPageImage(300);
let first = true;
const targets = [];
for (const f of FRAMES) {
  const photo = await photograph(page, { width: f.width, height: f.height, tilt: 25, rotation: 8, fill: 0.9, seed: 7 });
  const { data, info } = await sharp(photo.jpeg).raw().toBuffer({ resolveWithObject: true });
  const pixels = { width: info.width, height: info.height, channels: 3, data };
  const stored = { format: 'jpeg', bytes: photo.jpeg, width: f.width, height: f.height, xdpi: 72, ydpi: 72, mode: 'color', bitDepth: 8 };
  if (first) {
    const t = performance.now();
    await correctDocument(stored, options);
    console.log(`first pool call (thread start + one 1080p frame): ${(performance.now() - t).toFixed(0)} ms`);
    first = false;
  }
  const detect = [];
  const correct = [];
  const detectCpu = [];
  const correctCpu = [];
  const cpuMs = (since) => {
    const u = process.cpuUsage(since);
    return (u.user + u.system) / 1000;
  };
  const pool = [];
  let found = 0;
  let error = 0;
  const errors = [];
  let size = '';
  for (let i = 0; i < ROUNDS; i++) {
    let t = performance.now();
    let c0 = process.cpuUsage();
    const d = detectDocument(pixels);
    detect.push(performance.now() - t);
    detectCpu.push(cpuMs(c0));
    if (d.documentFound) found++;
    errors.push(d.documentFound ? cornerError(d.corners, photo.corners) * 100 : 100);
    error = Math.max(error, cornerError(d.corners, photo.corners));
    t = performance.now();
    c0 = process.cpuUsage();
    const c = correctPixels(pixels, options);
    correct.push(performance.now() - t);
    correctCpu.push(cpuMs(c0));
    size = c.pixels ? `${c.pixels.width} x ${c.pixels.height} (${c.paper})` : 'no page';
    t = performance.now();
    await correctDocument(stored, options);
    pool.push(performance.now() - t);
  }
  targets.push(valueLine(`${f.name} frame, worst corner error (% of the page's diagonal)`, errors, '<= 1 %', 3));
  console.log(`${f.name} (${f.width} x ${f.height}) -> ${size}: detect ${stats(detect)} (CPU ${stats(detectCpu)}), correct ${stats(correct)} (CPU ${stats(correctCpu)}), pool with JPEG decode+encode ${stats(pool)}; page found ${found}/${ROUNDS}, worst corner ${(error * 100).toFixed(3)} % of the diagonal`);
}
for (const line of targets) console.log(line);
console.log(machineLoad());
process.exit(0);
