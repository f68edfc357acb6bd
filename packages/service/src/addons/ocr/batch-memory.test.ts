/**
 * A 300-page batch does not grow the service beyond the OCR pool's fixed
 * cost (issue 14): a service process (`scanbridge run`) recognises 300
 * small pages (A7 at 150 dpi, three lines each: what is measured is what
 * stays behind per page, not pixels) in calls of 30, with the engine it
 * picks (the system tesseract where installed, as on CI). The anonymous
 * resident memory of the whole process tree (the service, its threads, any
 * tesseract process) after 270 and 300 pages (the lower of the two) is within
 * 15 % of the highest it was after 60, 90 and 120 pages (the pool started and
 * warm; each measured once the service has given back what it could).
 * Anonymous memory is what a leak takes; the file-backed part (the mapped
 * libraries, some 55 MB) is shared, does not grow with pages, and the kernel
 * may drop and reload it under another process's pressure.
 *
 * Measured (2 cores, load 25-40): the five samples of a run within 3 MB of
 * each other at 67-69 MB (the end 1-2 MB up, most of it the service's own
 * heap, where the pages' OCR results are kept: bounded by result-cache.ts);
 * a leak of 64 KB a page left in an OCR thread (10 MB over the 150 pages
 * between the reference and the end) failed it at +17 %, one of 32 KB passed
 * at +8 %. One CI run (quiet machine) without a leak ended at +11.7 % (65.1 ->
 * 72.7 MB; the end close to the 70.7 MB measured right after the load, before
 * any OCR), so the bound is 15 %: it catches some 60 KB a page. Why that
 * run's reference was low is not known. Before the OCR threads collected
 * after each page, the dead page copies in their heaps swung the samples by
 * 20-35 MB with no leak, which is what the 25 % bound of an earlier session
 * allowed for. (tesseract.js is not run
 * here: 300 pages of it would take minutes of CI; its workers are replaced
 * every JS_PAGES_PER_WORKER pages, tested in tesseract-js.test.ts.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, rm } from 'node:fs/promises';
import type { JobInfo, PageText } from '@scanbridge/protocol';
import { adminHeaders, rpc, startChild, tempHome } from '../../test-support/service-harness.js';
import { concat, each } from '../../formats/test-tools.js';
import { writeTiff } from '../../formats/tiff-writer.js';
import { ocrSample } from '../../formats/ocr-sample.js';
import type { StoredImage } from '../../buffer/types.js';

const PAGES = 300;
/** The memory upkeep's quiet time (util/memory-upkeep.ts). */
const QUIET_MS = 2000;
const CALL = 30;
const DPI = 150;
const WORDS = ['Invoice', 'number', 'dated', 'March', 'total', 'amount', 'office', 'records', 'customer', 'letter'];

interface Resident {
  /** All resident memory, in MB. */
  total: number;
  /** Its anonymous part (heaps, stacks, malloc), in MB. */
  anon: number;
}

/** Resident memory of a process and all its descendants (Linux /proc). */
async function treeRss(pid: number): Promise<Resident> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  const sum = { total: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024 };
  for (const task of await readdir(`/proc/${pid}/task`).catch(() => [])) {
    const children = (await readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '')).trim();
    for (const child of children ? children.split(' ') : []) {
      const r = await treeRss(Number(child));
      sum.total += r.total;
      sum.anon += r.anon;
    }
  }
  return sum;
}

const mb = (r: Resident) => `${r.anon.toFixed(1)} MB (${r.total.toFixed(1)} MB with files)`;

/**
 * What stays behind, not the garbage of the call just answered: measured once
 * the service's memory upkeep has run (a major GC and malloc_trim, QUIET_MS
 * after the last request: util/memory-upkeep.ts), as an idle service would be.
 */
async function settledRss(pid: number): Promise<Resident> {
  await new Promise((resolve) => setTimeout(resolve, QUIET_MS + 1000));
  return treeRss(pid);
}

/** Page i: three lines of two office words and its number (well inside the page's width), so each page's text is its own. */
function pageLines(i: number): string[] {
  return [0, 1, 2].map((k) => `${WORDS[(i + k * 2) % WORDS.length]} ${WORDS[(i + k * 2 + 1) % WORDS.length]} ${1000 + i}`);
}

async function batchTiff(): Promise<Buffer> {
  const pages: StoredImage[] = [];
  for (let i = 0; i < PAGES; i++) {
    const image = ocrSample({ blocks: [pageLines(i)], dpi: DPI, inches: [2.9, 4.1], points: 11 }).image;
    pages.push({ format: 'png', bytes: image, width: Math.round(2.9 * DPI), height: Math.round(4.1 * DPI), xdpi: DPI, ydpi: DPI, mode: 'color', bitDepth: 8 });
  }
  return concat(writeTiff(each(pages), PAGES, { compression: 'lzw', quality: 90 }));
}

describe('a 300-page OCR batch keeps the service at the pool fixed cost', () => {
  it(`anonymous resident memory after ${PAGES} pages is within 15 % of that after the first ${2 * CALL} to ${4 * CALL}`, async (t) => {
    const tiff = await batchTiff();
    const home = await tempHome();
    const svc = await startChild(home);
    try {
      const call = async <T>(method: string, params: object, session?: string): Promise<T> => {
        const res = await rpc(svc.base, session ? 'f' : 'fa', method, params, session);
        assert.equal(res.status, 200, `${method}: ${JSON.stringify(res.body.error)}`);
        return res.body.result![0] as T;
      };
      const session = (await call<{ id: string }>('CreateSession', {})).id;
      const res = await fetch(`${svc.base}/f/StartLoad?id=${session}&params=${encodeURIComponent('{}')}`, { method: 'POST', headers: { 'content-type': 'image/tiff', ...adminHeaders(svc.base) }, body: tiff });
      let job = ((await res.json()) as { result: [JobInfo] }).result[0];
      while (job.state === 'running') job = await call<JobInfo>('WaitJob', { job: job.id, timeout: 10 }, session);
      assert.equal(job.state, 'done', JSON.stringify(job.error));
      const ids = job.pageIds;
      assert.equal(ids.length, PAGES);
      const idle = await treeRss(svc.child.pid!);
      const warm: Resident[] = [];
      const end: Resident[] = [];
      let engineUsed = '';
      for (let i = 0; i < PAGES; i += CALL) {
        const got = await call<PageText[]>('Recognize', { pages: ids.slice(i, i + CALL), languages: ['eng'], output: ['text', 'words'] }, session);
        // Each page read as itself (a mix-up or an empty answer would make the memory look small).
        got.forEach((r, k) => assert.match(r.text!, new RegExp(`${1000 + i + k}`), `page ${i + k}: ${r.text}`));
        engineUsed = got[0]!.words!.engine;
        // Three samples for the reference, its highest taken, and two at the end, the lower taken: one sample
        // off by a few MB (when V8 or glibc last gave memory back) fails nothing, a leak is in all of them.
        if (i >= CALL && i < 4 * CALL) warm.push(await settledRss(svc.child.pid!));
        if (i >= PAGES - 2 * CALL) end.push(await settledRss(svc.child.pid!));
      }
      const reference = Math.max(...warm.map((r) => r.anon));
      const last = Math.min(...end.map((r) => r.anon));
      t.diagnostic(`${engineUsed}: idle ${mb(idle)}; after ${2 * CALL}, ${3 * CALL}, ${4 * CALL} pages ${warm.map(mb).join(', ')}; after ${PAGES - CALL}, ${PAGES} pages ${end.map(mb).join(', ')}`);
      // 15 %: a leak of 64 KB a page ends 17 % up and fails; runs without a leak measured +1.9 % to +11.7 % (CI).
      assert.ok(last <= reference * 1.15, `anonymous resident memory grew from at most ${reference.toFixed(1)} MB after ${2 * CALL} to ${4 * CALL} pages to ${last.toFixed(1)} MB after ${PAGES - CALL} and ${PAGES} (more than 15 %)`);
    } finally {
      await svc.stop();
      await rm(home, { recursive: true, force: true });
    }
  });
});
