#!/usr/bin/env node
// bench/barcode: A4 300 dpi pages (default 100) with 1 to 4 codes each, of
// every symbology but MaxiCode (which ZXing reads only framed by a region),
// read by scanbridge through the API (ReadBarcodes on every page in one call,
// reader pool warmed first; calls of 5 pages) and by zbarimg (Debian zbar-tools) on the same
// files in the same run, in rounds over disjoint shares of the pages. zbarimg
// runs as one process over the files, and also as one process per core for a
// fair comparison on several cores. Prints pages per second and read rate
// (codes read with exact text / codes printed) of each, and the ratios as
// min/median/max over the rounds. Targets: at least 2x zbarimg's pages per
// second (one process; at least its speed on every core) at a higher read rate.
//   node bench/barcode/run.mjs [--pages 100] [--rounds 5]
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { startInProcess, rpc } from '../../packages/service/dist/test-support/service-harness.js';
import { composePage, SYMBOLOGIES } from '../../packages/service/dist/addons/barcode/test-corpus.js';
import { machineLoad, ratioLine } from '../lib/report.mjs';

const run = promisify(execFile);
const { values } = parseArgs({ options: { pages: { type: 'string', default: '100' }, rounds: { type: 'string', default: '5' } } });
const PAGES = Number(values.pages);
const ROUNDS = Math.min(Number(values.rounds), PAGES);
const CORES = availableParallelism();
const CODES = SYMBOLOGIES.filter((s) => s.format !== 'MaxiCode');
// Four slots of 90 x 130 mm: no two codes overlap, whatever their size.
const SLOTS = [
  { x: 15, y: 20 },
  { x: 110, y: 20 },
  { x: 15, y: 160 },
  { x: 110, y: 160 },
];

let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

async function zbar(files) {
  const out = await run('zbarimg', ['-q', '--xml', '-Sqrcode.binary', ...files], { maxBuffer: 1 << 28 }).catch((err) => {
    if (err.code === 4) return { stdout: err.stdout ?? '' };
    throw err;
  });
  const byFile = new Map();
  for (const source of out.stdout.split('<source href=').slice(1)) {
    const file = source.slice(1, source.indexOf("'", 1));
    const texts = [...source.matchAll(/<symbol type='([^']+)'[^>]*><data( format='base64')?[^>]*><!\[CDATA\[([\s\S]*?)\]\]><\/data>/g)].map((m) => (m[2] ? Buffer.from(m[3].trim(), 'base64').toString('utf8') : m[3]));
    byFile.set(file, texts);
  }
  return byFile;
}

const dir = await mkdtemp(path.join(tmpdir(), 'scanbridge-bench-barcode-'));
const svc = await startInProcess({ 'log-level': 'error' });
const loadAtStart = machineLoad();
try {
  console.log(`generating ${PAGES} A4 300 dpi pages (JPEG q85, some skewed and noisy, as scanned)...`);
  const pages = [];
  for (let i = 0; i < PAGES; i += CORES * 2) {
    const batch = [];
    for (let j = i; j < Math.min(PAGES, i + CORES * 2); j++) {
      const count = 1 + Math.floor(random() * 4);
      const slots = [...SLOTS].sort(() => random() - 0.5).slice(0, count);
      const codes = slots.map((slot) => ({ symbology: CODES[Math.floor(random() * CODES.length)], x: slot.x, y: slot.y }));
      const skew = random() < 0.3 ? (random() - 0.5) * 6 : 0;
      const noise = random() < 0.3 ? 12 : 0;
      batch.push(
        composePage({ dpi: 300, codes, skew, noise }, j + 1).then(async (page) => {
          // Scanners deliver JPEG: re-encode the PNG the composer made at q85.
          const sharp = (await import('sharp')).default;
          const jpeg = await sharp(page.bytes).jpeg({ quality: 85 }).toBuffer();
          const file = path.join(dir, `page-${String(j).padStart(3, '0')}.jpg`);
          await writeFile(file, jpeg);
          return { file, jpeg, codes: codes.map((c) => c.symbology) };
        }),
      );
    }
    pages.push(...(await Promise.all(batch)));
  }
  const printed = pages.reduce((n, p) => n + p.codes.length, 0);

  // scanbridge: the pages in a session's buffer (not timed), the pool warmed on one of them.
  const session = (await rpc(svc.base, 'fa', 'CreateSession')).body.result[0].id;
  const ids = [];
  for (const p of pages) ids.push((await rpc(svc.base, 'f', 'LoadImages', { data: p.jpeg.toString('base64') }, session)).body.result[0][0].id);
  const warm = (await rpc(svc.base, 'f', 'LoadImages', { data: pages[0].jpeg.toString('base64') }, session)).body.result[0][0].id;
  await rpc(svc.base, 'f', 'ReadBarcodes', { pages: [warm] }, session);

  // Rounds over disjoint fifths of the pages (a page's codes are cached once read), each timing us,
  // zbarimg as one process and zbarimg as one process per core on the same pages, in turn.
  const files = pages.map((p) => p.file);
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const picked = pages.map((_, i) => i).filter((i) => i % ROUNDS === r);
    // Calls of 5 pages, two per reader thread in flight: an HTTP call stays well inside the service's
    // 30 s connection timeout, and the pool always has the next page waiting.
    let t = performance.now();
    const chunks = [];
    for (let i = 0; i < picked.length; i += 5) chunks.push(picked.slice(i, i + 5));
    let nextChunk = 0;
    let oursRead = 0;
    await Promise.all(
      Array.from({ length: CORES * 2 }, async () => {
        while (nextChunk < chunks.length) {
          const chunk = chunks[nextChunk++];
          const res = await rpc(svc.base, 'f', 'ReadBarcodes', { pages: chunk.map((i) => ids[i]) }, session);
          if (res.status !== 200) throw new Error(JSON.stringify(res.body));
          res.body.result[0].forEach((answer, k) => {
            for (const s of pages[chunk[k]].codes) if (answer.barcodes.some((b) => b.format === s.format && b.text === s.text)) oursRead++;
          });
        }
      }),
    );
    const oursMs = performance.now() - t;
    const roundFiles = picked.map((i) => files[i]);
    t = performance.now();
    const zb = await zbar(roundFiles);
    const zbarMs = performance.now() - t;
    t = performance.now();
    await Promise.all(Array.from({ length: CORES }, (_, k) => zbar(roundFiles.filter((_, i) => i % CORES === k))));
    const zbarParallelMs = performance.now() - t;
    let zbarRead = 0;
    let zbarReadable = 0;
    let printedHere = 0;
    for (const i of picked) {
      const texts = zb.get(files[i]) ?? [];
      for (const s of pages[i].codes) {
        printedHere++;
        if (s.zbar) zbarReadable++;
        if (texts.includes(s.zbarText ?? s.text)) zbarRead++;
      }
    }
    rounds.push({ pages: picked.length, printed: printedHere, oursMs, oursRead, zbarMs, zbarParallelMs, zbarRead, zbarReadable });
  }

  const sum = (key) => rounds.reduce((n, r) => n + r[key], 0);
  const pps = (ms) => (PAGES / (ms / 1000)).toFixed(2);
  const pct = (n, d) => `${((100 * n) / d).toFixed(1)} %`;
  console.log(`${PAGES} pages, ${printed} codes (${sum('zbarReadable')} of symbologies zbarimg knows), ${CORES} cores, ${ROUNDS} rounds of about ${Math.round(PAGES / ROUNDS)} pages`);
  console.log(`  ${loadAtStart} (at start)`);
  console.log(`  ${machineLoad()} (at end)`);
  console.log(`scanbridge (API, pool of ${CORES}):   ${pps(sum('oursMs'))} pages/s  read rate ${pct(sum('oursRead'), printed)} (${sum('oursRead')}/${printed})`);
  console.log(`zbarimg, one process:            ${pps(sum('zbarMs'))} pages/s  read rate ${pct(sum('zbarRead'), printed)} (${sum('zbarRead')}/${printed}; ${pct(sum('zbarRead'), sum('zbarReadable'))} of the codes it knows)`);
  console.log(`zbarimg, ${CORES} processes:            ${pps(sum('zbarParallelMs'))} pages/s`);
  console.log(ratioLine('pages/s scanbridge / zbarimg (one process)', rounds.map((r) => r.zbarMs / r.oursMs), '>= 2.0x'));
  console.log(ratioLine(`pages/s scanbridge / zbarimg (${CORES} processes)`, rounds.map((r) => r.zbarParallelMs / r.oursMs), '>= 1.0x'));
  console.log(ratioLine('read rate scanbridge / zbarimg', rounds.map((r) => r.oursRead / Math.max(1, r.zbarRead)), '>= 1.0x'));
} finally {
  await svc.close();
  await rm(dir, { recursive: true, force: true });
}
