/**
 * A PDF saved into an allowed folder from pages read back from the encrypted
 * disk cache (issue 12.4): the pages come in the page reader's reused slots
 * (leasedBufferPages), each written to the file before its slot is reused.
 * Every page's JPEG must be in the file whole and in order (pdfinfo reads the
 * file); an altered page file fails the save with page-damaged, leaves no
 * file behind and no page leaves the buffer.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { PageInfo, SaveResult } from '@scanbridge/protocol';
import { pageFileName } from '../buffer/page-files.js';
import { pageReader } from '../buffer/page-reader.js';
import { tool } from '../formats/test-tools.js';
import { adminHeaders, rpc, startInProcess, type InProcess } from '../test-support/service-harness.js';

/** About 1.4 MB each: 16 of them pass the smallest budget (16 MB), so the first few live on disk only. */
const PAGES = 16;

describe('PDF saved into a folder from the disk cache', () => {
  let svc: InProcess;
  let folder: string;
  let session: string;
  const jpegs: Buffer[] = [];

  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'scanbridge-cached-save-'));
    svc = await startInProcess({ 'save-folders': folder, 'memory-budget-mb': '16' });
    session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    for (let i = 0; i < PAGES; i++) {
      const jpeg = await sharp(randomBytes(1300 * 1000 * 3), { raw: { width: 1300, height: 1000, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
      jpegs.push(jpeg);
      const res = await fetch(`${svc.base}/f/LoadImages?id=${session}&params=${encodeURIComponent('{}')}`, { method: 'POST', headers: { 'content-type': 'image/jpeg', ...adminHeaders(svc.base) }, body: jpeg });
      assert.equal(res.status, 200, await res.text());
    }
  });
  after(async () => {
    await svc.close();
    await rm(folder, { recursive: true, force: true });
  });

  const save = (fileName: string) => rpc(svc.base, 'f', 'SaveImages', { format: 'pdf', folder: 0, fileName }, session);

  it('writes every page whole and in order, the cached ones through reused slots', async () => {
    const leased = pageReader.leased;
    const res = await save('all');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((res.body.result![0] as SaveResult).files[0]!.name, 'all.pdf');
    const pdf = await readFile(path.join(folder, 'all.pdf'));
    let at = 0;
    for (const [i, jpeg] of jpegs.entries()) {
      // Found by its first bytes (searching for the whole of it is slow), then compared whole.
      const found = pdf.indexOf(jpeg.subarray(0, 4096), at);
      assert.ok(found > at && pdf.subarray(found, found + jpeg.length).equals(jpeg), `page ${i} is not in the PDF whole, after page ${i - 1}`);
      at = found + jpeg.length;
    }
    assert.match((await tool('pdfinfo', [path.join(folder, 'all.pdf')])).stdout.toString(), new RegExp(`Pages:\\s+${PAGES}\\n`));
    assert.ok(pageReader.leased - leased >= 3, `pages read into reused slots: ${pageReader.leased - leased}`);
  });

  it('an altered page file fails the save with page-damaged, leaves no file and keeps every page', async () => {
    const first = ((await rpc(svc.base, 'f', 'GetImagesInfo', { pages: [0] }, session)).body.result![0] as PageInfo[])[0]!;
    const files = (await readdir(svc.home, { recursive: true })).filter((f) => path.basename(f) === pageFileName(first.id, first.version));
    assert.equal(files.length, 1, 'the first page lives in the disk cache');
    const file = path.join(svc.home, files[0]!);
    const sealed = await readFile(file);
    sealed[sealed.length - 100]! ^= 0x20;
    await writeFile(file, sealed);
    const res = await save('damaged');
    assert.equal((res.body as { error?: { code: string } }).error?.code, 'page-damaged', JSON.stringify(res.body));
    assert.deepEqual((await readdir(folder)).filter((n) => n.startsWith('damaged')), []);
    assert.equal((await rpc(svc.base, 'f', 'GetImageCount', {}, session)).body.result![0], PAGES);
  });
});
