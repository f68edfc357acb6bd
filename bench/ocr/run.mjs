#!/usr/bin/env node
// bench/ocr: A4 300 dpi pages (default 20) of known text (English, German,
// French; Liberation and DejaVu fonts; every third skewed 2-3 degrees),
// recognised with the languages eng+deu+fra by
// - scanbridge through the API (Recognize, pool warmed first, calls of 5 pages),
//   with the engine it picks (the system tesseract when installed) and forced to tesseract.js;
// - the tesseract CLI page by page as one would run it naively (one process after
//   the other, its default OpenMP threads), and at its best in parallel (one
//   process per core, OMP_THREAD_LIMIT=1).
// Prints seconds per page and CER of each, and per round of 5 pages the ratio
// scanbridge / CLI. Targets: no slower than the naive CLI; within 1.3x of the
// CLI's best parallel run.
//   node bench/ocr/run.mjs [--pages 20]
import { execFile } from 'node:child_process';
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
const ROUND = 5;
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

try {
  console.log(`generating ${PAGES} A4 300 dpi pages...`);
  const pages = [];
  for (let i = 0; i < PAGES; i++) {
    const p = await textPage({ text: SETS[i % 3], dpi: 300, font: FONTS[i % 4], repeat: 4, ...(i % 3 === 2 ? { skew: 2 + (i % 2) } : {}) });
    const file = path.join(dir, `page-${i}.png`);
    await writeFile(file, p.bytes);
    pages.push({ ...p, file });
  }
  const session = (await rpc(svc.base, 'fa', 'CreateSession')).body.result[0].id;
  const ids = [];
  for (const p of pages) ids.push((await call('LoadImages', { data: p.bytes.toString('base64') }, session))[0].id);

  async function scanbridge(engine) {
    if (engine) process.env.SCANBRIDGE_OCR_ENGINE = engine;
    else delete process.env.SCANBRIDGE_OCR_ENGINE;
    // Warm: every thread starts and loads the languages on a page not measured (psm 6 so the cache is not hit later).
    await call('Recognize', { pages: ids.slice(0, CORES), languages: LANGS, psm: 6 }, session);
    const rounds = [];
    const texts = [];
    let used;
    for (let i = 0; i < PAGES; i += ROUND) {
      const t = performance.now();
      const got = await call('Recognize', { pages: ids.slice(i, i + ROUND), languages: LANGS, psm: 3, output: ['text', 'words'] }, session);
      rounds.push((performance.now() - t) / 1000 / got.length);
      for (const g of got) texts.push(g.text);
      used = got[0].words.engine;
    }
    return { rounds, cer: mean(texts.map((t, i) => cer(t, pages[i].text))), engine: used };
  }

  async function cliOne(file, env) {
    const { stdout } = await run('tesseract', [file, 'stdout', '-l', LANGS.join('+')], { env: { ...process.env, ...env }, maxBuffer: 1 << 24 });
    return stdout;
  }
  async function cli(parallel) {
    const rounds = [];
    const texts = [];
    for (let i = 0; i < PAGES; i += ROUND) {
      const batch = pages.slice(i, i + ROUND);
      const t = performance.now();
      if (!parallel) for (const p of batch) texts.push(await cliOne(p.file, {}));
      else {
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
        texts.push(...out);
      }
      rounds.push((performance.now() - t) / 1000 / batch.length);
    }
    return { rounds, cer: mean(texts.map((t, i) => cer(t, pages[i].text))) };
  }

  console.log(machineLoad());
  const naive = await cli(false);
  const best = await cli(true);
  const ours = await scanbridge(undefined);
  const js = await scanbridge('tesseract.js');
  console.log(machineLoad());
  const line = (label, r) => console.log(`${label.padEnd(44)} ${mean(r.rounds).toFixed(2)} s/page   CER ${r.cer.toFixed(2)} %`);
  line(`scanbridge (${ours.engine}, pool of ${CORES})`, ours);
  line(`scanbridge forced to tesseract.js (pool of ${CORES})`, js);
  line('tesseract CLI naive (one after the other)', naive);
  line(`tesseract CLI best (${CORES} in parallel, 1 thread each)`, best);
  const per = (a, b) => a.rounds.map((x, i) => x / b.rounds[i]);
  console.log(ratioLine('scanbridge / CLI naive', per(ours, naive), '<= 1.0x'));
  console.log(ratioLine('scanbridge / CLI best parallel', per(ours, best), '<= 1.3x'));
  console.log(ratioLine('tesseract.js / CLI best parallel (decides the engine: above 1.5x the system tesseract is used)', per(js, best), '<= 1.5x'));
} finally {
  await svc.close();
  await rm(dir, { recursive: true, force: true });
}
