/**
 * The scan setting storeJpeg: 8-bit pages are kept as JPEG, encoded once in
 * the device worker (with their thumbnails), and a PDF saved with
 * compression jpeg carries them as they are. Real libsane with SANE's
 * `test` backend, and the demo scanner (whose PNG pages are made JPEG in
 * the service); djpeg
 * (libjpeg-turbo) and pdfimages (poppler) read what was written.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobInfo, PageInfo } from '@scanbridge/protocol';
import { adminHeaders, rpc } from '../../test-support/service-harness.js';
import { VERSION_CODE } from '../../version.js';
import { inProcessSaneService } from './test-helpers.js';

const PATTERN = { source: 'feeder', mode: 'color', dpi: 75, paper: 'A5', options: { 'test-picture': 'Color pattern' } };

describe('scan setting storeJpeg', () => {
  const sane = inProcessSaneService();
  let dir: string;
  const call = (method: string, params: object = {}) => rpc(sane.svc.base, 'f', method, params, sane.session);

  async function scan(device: string, settings: object): Promise<PageInfo[]> {
    await call('RemoveAllImages');
    const start = await call('StartScan', { device, settings });
    assert.equal(start.status, 200, JSON.stringify(start.body));
    let info = start.body.result![0] as JobInfo;
    while (info.state === 'running') info = (await call('WaitJob', { job: info.id, timeout: 30 })).body.result![0] as JobInfo;
    assert.equal(info.state, 'done', JSON.stringify(info.error));
    return (await call('GetImagesInfo')).body.result![0] as PageInfo[];
  }
  const stored = async (page: PageInfo) => Buffer.from(((await call('GetImage', { page: page.id })).body.result![0] as { data: string }).data, 'base64');
  /** The page as djpeg reads it (PNM); throws when djpeg cannot. */
  const djpeg = (jpeg: Buffer) => execFileSync('djpeg', ['-pnm'], { input: jpeg, maxBuffer: 1 << 26 });
  /** The samples of an A5 page at 75 dpi (437 x 620, RGB) at the end of a PNM file. */
  const samples = (pnm: Buffer) => pnm.subarray(pnm.length - 437 * 620 * 3);

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'scanbridge-store-jpeg-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a SANE feeder scan keeps its colour pages as JPEG of the quality asked (as cjpeg encodes the lossless scan), with thumbnails made at ingest', async () => {
    const { svc, session } = sane;
    const lossless = await scan('sane:test:0', PATTERN);
    // The lossless page as libjpeg-turbo's cjpeg encodes it at the same quality: what the stored JPEG should decode like.
    const pnm = execFileSync('pngtopnm', [], { input: await stored(lossless[0]!), maxBuffer: 1 << 26 });
    const expected = samples(djpeg(execFileSync('cjpeg', ['-quality', '90'], { input: pnm, maxBuffer: 1 << 26 })));
    const low = await stored((await scan('sane:test:0', { ...PATTERN, storeJpeg: 40 }))[0]!);
    const renders = svc.service.ctx.images.renders;
    const pages = await scan('sane:test:0', { ...PATTERN, storeJpeg: 90 });
    assert.equal(pages.length, 10);
    for (const page of pages) {
      assert.equal(page.format, 'jpeg');
      assert.deepEqual([page.width, page.height, page.bitDepth], [437, 620, 8]);
      const res = await fetch(`${svc.base}/dwt/dwt_${VERSION_CODE}/img?id=${session}&page=${page.id}&width=224&height=317&ticks=${page.version}`, { headers: adminHeaders(svc.base) });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    }
    assert.equal(svc.service.ctx.images.renders, renders, 'a thumbnail was rendered from the stored page');
    const high = await stored(pages[0]!);
    assert.ok(low.length < high.length, 'quality 40 is smaller than 90');
    const pixels = samples(djpeg(high));
    let diff = 0;
    for (let i = 0; i < pixels.length; i++) diff += Math.abs(pixels[i]! - expected[i]!);
    assert.ok(diff / pixels.length < 1, `mean difference from cjpeg's JPEG of the lossless page ${diff / pixels.length}`);
  });

  it('a PDF saved with compression jpeg carries the stored JPEGs byte for byte', async () => {
    const pages = await scan('sane:test:0', { ...PATTERN, storeJpeg: 75 });
    const res = await call('SaveImages', { format: 'pdf', compression: 'jpeg', quality: 75 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const pdf = path.join(dir, 'scan.pdf');
    await writeFile(pdf, Buffer.from((res.body.result![0] as { files: Array<{ data: string }> }).files[0]!.data, 'base64'));
    const out = path.join(dir, 'img');
    execFileSync('pdfimages', ['-all', pdf, out]);
    const images = (await readdir(dir)).filter((n) => n.startsWith('img-')).sort();
    assert.equal(images.length, pages.length);
    for (const [i, name] of images.entries()) {
      assert.ok(name.endsWith('.jpg'), name);
      assert.ok((await readFile(path.join(dir, name))).equals(await stored(pages[i]!)), `page ${i + 1} was encoded again`);
    }
  });

  it('line-art stays PNG; a page a device sends as PNG (the demo scanner) is kept as JPEG too; a quality outside 1-100 is refused', async () => {
    const bw = await scan('sane:test:0', { ...PATTERN, mode: 'bw', storeJpeg: 80 });
    assert.deepEqual([bw[0]!.format, bw[0]!.bitDepth], ['png', 1]);
    const demo = await scan('demo:scanner', { source: 'flatbed', mode: 'gray', dpi: 100, storeJpeg: 80 });
    assert.deepEqual([demo[0]!.format, demo[0]!.mode], ['jpeg', 'gray']);
    assert.match(djpeg(await stored(demo[0]!)).subarray(0, 2).toString(), /^P5/, 'a grey JPEG');
    for (const storeJpeg of [0, 101, 50.5]) {
      const res = await call('StartScan', { device: 'demo:scanner', settings: { storeJpeg } });
      assert.equal(res.status, 400);
      const error = res.body.error as { code: string; message: string };
      assert.equal(error.code, 'invalid-params', JSON.stringify(res.body));
      assert.match(error.message, /storeJpeg/);
    }
  });
});
