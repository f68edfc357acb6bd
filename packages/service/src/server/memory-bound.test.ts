/**
 * Memory stays bounded whatever callers send: three one-page PDFs rasterized
 * at 1200 dpi in parallel (139 megapixels each, 557 MB as one RGBA canvas)
 * and a 196-megapixel grey PNG keep the service process under its idle size
 * plus the image memory budget plus a fixed overhead, and the memory is
 * given back once they are done. Measured on the service's own process
 * (VmHWM, VmRSS), as an operator would.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import type { JobInfo, PageInfo } from '@scanbridge/protocol';
import { adminHeaders, rpc, startChild, tempHome, type ChildService } from '../test-support/service-harness.js';

const MB = 1024 * 1024;
/** ImageMemoryMB of the service under test. */
const BUDGET_MB = 64;
/**
 * What the service may hold beyond its idle size and the budget: the PDF
 * worker's isolate with pdf.js, libvips' thread buffers, the request bodies
 * and the compressed pages in flight.
 */
const OVERHEAD_MB = 192;
/** What may stay resident after the work is done: heap grown by the requests, libraries loaded on first use (the canvas library alone maps 30 MB); before this bound, 700 MB stayed. */
const SETTLED_MB = 128;

async function memory(pid: number): Promise<{ hwm: number; rss: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
  return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
}

describe('memory stays bounded', () => {
  let home: string;
  let svc: ChildService;
  let session: string;
  let idle: number;

  // As jobs: three 1200 dpi pages one after the other take longer than one HTTP request should.
  const load = async (file: Buffer, type: string, params: object) => {
    const res = await fetch(`${svc.base}/f/StartLoad?id=${session}&params=${encodeURIComponent(JSON.stringify(params))}`, {
      method: 'POST',
      headers: { 'content-type': type, ...adminHeaders(svc.base) },
      body: file,
    });
    const body = (await res.json()) as { result?: [JobInfo]; error?: { message: string } };
    assert.equal(res.status, 200, body.error?.message);
    let job = body.result![0];
    while (job.state === 'running') job = (await rpc(svc.base, 'f', 'WaitJob', { job: job.id, timeout: 10 }, session)).body.result![0] as JobInfo;
    assert.equal(job.state, 'done', job.error?.message);
    return (await rpc(svc.base, 'f', 'GetImagesInfo', { pages: job.pageIds }, session)).body.result![0] as PageInfo[];
  };
  const mb = (bytes: number) => `${Math.round(bytes / MB)} MB`;

  before(async () => {
    home = await tempHome();
    svc = await startChild(home, ['--image-memory-mb', String(BUDGET_MB)]);
    session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    idle = (await memory(svc.child.pid!)).rss;
  });
  after(async () => {
    await svc?.stop();
    await rm(home, { recursive: true, force: true });
  });

  it(`a 196-megapixel grey PNG stays under idle + ${BUDGET_MB} MB budget + ${OVERHEAD_MB} MB, and falls back`, async (t) => {
    const png = await sharp({ create: { width: 14000, height: 14000, channels: 3, background: '#808080' } }).toColourspace('b-w').png().toBuffer();
    const [page] = await load(png, 'image/png', {});
    assert.deepEqual([page!.width, page!.height, page!.mode], [14000, 14000, 'gray']);
    const { hwm, rss } = await memory(svc.child.pid!);
    t.diagnostic(`idle ${mb(idle)}, peak ${mb(hwm)}, resident after ${mb(rss)}`);
    assert.ok(hwm <= idle + (BUDGET_MB + OVERHEAD_MB) * MB, `peak ${mb(hwm)} (idle ${mb(idle)})`);
    assert.ok(rss <= idle + SETTLED_MB * MB, `resident ${mb(rss)} once done (idle ${mb(idle)}, peak ${mb(hwm)})`);
  });

  it(`three 1200 dpi PDF rasterizations at once stay under idle + ${BUDGET_MB} MB budget + ${OVERHEAD_MB} MB, and fall back`, async (t) => {
    const doc = await PDFDocument.create();
    doc.addPage([595.28, 841.89]).drawRectangle({ x: 60, y: 600, width: 200, height: 120 });
    const pdf = Buffer.from(await doc.save());
    assert.ok(pdf.length < 1000, `a tiny PDF (${pdf.length} bytes)`);
    const loaded = await Promise.all([1, 2, 3].map(() => load(pdf, 'application/pdf', { dpi: 1200 })));
    for (const [page] of loaded) assert.deepEqual([page!.width, page!.height], [9921, 14032]);
    const { hwm, rss } = await memory(svc.child.pid!);
    t.diagnostic(`idle ${mb(idle)}, peak ${mb(hwm)}, resident after ${mb(rss)}`);
    assert.ok(hwm <= idle + (BUDGET_MB + OVERHEAD_MB) * MB, `peak ${mb(hwm)} (idle ${mb(idle)})`);
    assert.ok(rss <= idle + SETTLED_MB * MB, `resident ${mb(rss)} once done (idle ${mb(idle)}, peak ${mb(hwm)})`);
  });
});
