#!/usr/bin/env node
// bench/ocr: A4 300 dpi pages (default 20) of known text (English, German,
// French in turn; Liberation and DejaVu fonts; every fourth skewed 2-3 degrees,
// so the skewed pages are of every language and each round has one),
// recognised with the languages eng+deu+fra by
// - scanbridge through the API (Recognize, pool warmed first), with the engine
//   it picks (the system tesseract when installed) and forced to tesseract.js;
// - the tesseract CLI page by page as one would run it naively (one process after
//   the other, its default OpenMP threads), and at its best in parallel (one
//   process per core, OMP_THREAD_LIMIT=1).
// The pages are cut into rounds of 4 (5 rounds for 20 pages: 4 pages are two
// pages per core, so no round ends on one page alone). In each round every
// contender reads the same 4 pages, one contender after the other, in an order
// that turns from round to round, so a change in the machine's load falls on
// all of them alike; each page is read once by each (scanbridge's cache never
// answers). Prints seconds per page and CER of each over all pages, and per
// round the ratio scanbridge / CLI. Targets: no slower than the naive CLI;
// within 1.3x of the CLI's best parallel run.
//   node bench/ocr/run.mjs [--pages 20]
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { startInProcess, rpc } from '../../packages/service/dist/test-support/service-harness.js';
import { cer, textPage } from '../../packages/service/dist/addons/ocr/test-pages.js';
import { machineLoad, ratioLine } from '../lib/report.mjs';

const run = promisify(execFile);
const { values } = parseArgs({ options: { pages: { type: 'string', default: '20' } } });
const PAGES = Number(values.pages);
const CORES = availableParallelism();
const ROUND = 2 * CORES;
const LANGS = ['eng', 'deu', 'fra'];
const SETS = ['en', 'de', 'fr'];
const FONTS = ['liberation-serif', 'dejavu-sans', 'liberation-sans', 'dejavu-serif'];

const dir = await mkdtemp(path.join(tmpdir(), 'scanbridge-bench-ocr-'));
const svc = await startInProcess({ 'log-level': 'error' });
const call = async (method, params, session) => {
  const res = await rpc(svc.base, 'f', method, params, session);
  if (res.status !== 200) throw new Error(`${method}: ${JSON.stringify(res.body)}`);
  return res.body.result[0];
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const skewed = (i) => i % 4 === 3;
/**
 * CPU seconds of this process (the service runs in it: its threads, libvips) and of its
 * children once ended (tesseract processes), from /proc (Linux; 0 elsewhere): on a busy
 * machine wall time measures the neighbours too, CPU time much less.
 */
function cpuSeconds() {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return [11, 12, 13, 14].reduce((n, k) => n + Number(f[k]), 0) / 100;
  } catch {
    return 0;
  }
}

try {
  console.log(`generating ${PAGES} A4 300 dpi pages...`);
  const pages = [];
  for (let i = 0; i < PAGES; i++) {
    const p = await textPage({ text: SETS[i % 3], dpi: 300, font: FONTS[(i + Math.floor(i / 4)) % 4], repeat: 4, ...(skewed(i) ? { skew: 2 + (Math.floor(i / 4) % 2) } : {}) });
    const file = path.join(dir, `page-${i}.png`);
    await writeFile(file, p.bytes);
    pages.push({ ...p, file });
  }
  const session = (await rpc(svc.base, 'fa', 'CreateSession')).body.result[0].id;
  const ids = [];
  for (const p of pages) ids.push((await call('LoadImages', { data: p.bytes.toString('base64') }, session))[0].id);

  const useEngine = (engine) => {
    if (engine) process.env.SCANBRIDGE_OCR_ENGINE = engine;
    else delete process.env.SCANBRIDGE_OCR_ENGINE;
  };
  /** Pages `from`..`to` through Recognize (psm 3, as a client would ask); answers their texts. */
  async function scanbridge(engine, from, to) {
    useEngine(engine);
    const got = await call('Recognize', { pages: ids.slice(from, to), languages: LANGS, psm: 3, output: ['text', 'words'] }, session);
    scanbridge.used[engine ?? 'auto'] = got[0].words.engine;
    return got.map((g) => g.text);
  }
  scanbridge.used = {};

  async function cliOne(file, env) {
    const { stdout } = await run('tesseract', [file, 'stdout', '-l', LANGS.join('+')], { env: { ...process.env, ...env }, maxBuffer: 1 << 24 });
    return stdout;
  }
  async function cli(parallel, from, to) {
    const batch = pages.slice(from, to);
    if (!parallel) {
      const out = [];
      for (const p of batch) out.push(await cliOne(p.file, {}));
      return out;
    }
    const out = new Array(batch.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: CORES }, async () => {
        while (next < batch.length) {
          const k = next++;
          out[k] = await cliOne(batch[k].file, { OMP_THREAD_LIMIT: '1' });
        }
      }),
    );
    return out;
  }

  const contenders = {
    ours: (a, b) => scanbridge(undefined, a, b),
    js: (a, b) => scanbridge('tesseract.js', a, b),
    naive: (a, b) => cli(false, a, b),
    best: (a, b) => cli(true, a, b),
  };
  const results = Object.fromEntries(Object.keys(contenders).map((k) => [k, { rounds: [], texts: [], cpu: 0 }]));

  // Warm: every thread starts and loads the languages, with each engine, on pages read with
  // psm 6 (another cache entry than the measured psm 3 readings).
  for (const engine of [undefined, 'tesseract.js']) {
    useEngine(engine);
    await call('Recognize', { pages: ids.slice(0, CORES), languages: LANGS, psm: 6 }, session);
  }
  console.log(machineLoad());
  const names = Object.keys(contenders);
  for (let from = 0, round = 0; from < PAGES; from += ROUND, round++) {
    const to = Math.min(PAGES, from + ROUND);
    // The order turns each round: none is always first (after an idle moment) or last.
    for (const name of [...names.slice(round % names.length), ...names.slice(0, round % names.length)]) {
      const t = performance.now();
      const c = cpuSeconds();
      const texts = await contenders[name](from, to);
      results[name].rounds.push((performance.now() - t) / 1000 / (to - from));
      results[name].cpu += cpuSeconds() - c;
      results[name].texts.push(...texts.map((text, k) => ({ text, page: from + k })));
    }
  }
  useEngine(undefined);
  console.log(machineLoad());
  const rounds = results.ours.rounds.length;
  console.log(`${PAGES} pages in ${rounds} rounds of ${ROUND}; each contender reads each page once per round, in turn`);
  const line = (label, r) => {
    const secs = mean(r.rounds);
    const c = mean(r.texts.map((t) => cer(t.text, pages[t.page].text)));
    const part = (xs) => mean(xs.map((t) => cer(t.text, pages[t.page].text))).toFixed(2);
    console.log(`${label.padEnd(48)} ${secs.toFixed(2)} s/page (CPU ${(r.cpu / r.texts.length).toFixed(2)} s/page)   CER ${c.toFixed(2)} % (level pages ${part(r.texts.filter((t) => !skewed(t.page)))} %, skewed ${part(r.texts.filter((t) => skewed(t.page)))} %)`);
  };
  line(`scanbridge (${scanbridge.used.auto}, pool of ${CORES})`, results.ours);
  line(`scanbridge forced to tesseract.js (pool of ${CORES})`, results.js);
  line('tesseract CLI naive (one after the other)', results.naive);
  line(`tesseract CLI best (${CORES} in parallel, 1 thread each)`, results.best);
  const per = (a, b) => a.rounds.map((x, i) => x / b.rounds[i]);
  console.log(ratioLine('scanbridge / CLI naive', per(results.ours, results.naive), '<= 1.0x'));
  console.log(ratioLine('scanbridge / CLI best parallel', per(results.ours, results.best), '<= 1.3x'));
  console.log(ratioLine('tesseract.js / CLI best parallel (decides the engine: above 1.5x the system tesseract is used)', per(results.js, results.best), '<= 1.5x'));
} finally {
  await svc.close();
  await rm(dir, { recursive: true, force: true });
}
