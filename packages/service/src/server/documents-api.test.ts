/**
 * LoadImages and SaveImages over the API: base64 and raw bodies in, base64,
 * binary bodies and files in allowed folders out; bad files change nothing
 * and never take the service down.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import WebSocket from 'ws';
import type { PageInfo, SaveResult } from '@scanbridge/protocol';
import { adminHeaders, rpc, startInProcess, tokenFor, type InProcess } from '../test-support/service-harness.js';
import { concat, each, loadAll, prng, tool } from '../formats/test-tools.js';
import { writeTiff } from '../formats/tiff-writer.js';

const W = 80;
const H = 60;
const RGB = Buffer.from(Array.from({ length: W * H * 3 }, (_, i) => (i * 29) % 256));
const ppm = Buffer.concat([Buffer.from(`P6\n${W} ${H}\n255\n`), RGB]);

describe('documents over the API', () => {
  let svc: InProcess;
  let folder: string;
  let jpeg: Buffer;
  let session: string;

  const call = async (method: string, params: object = {}) => rpc(svc.base, 'f', method, params, session);
  const ok = async <T = unknown>(method: string, params: object = {}): Promise<T> => {
    const res = await call(method, params);
    assert.equal(res.status, 200, `${method}: ${JSON.stringify(res.body).slice(0, 300)}`);
    return res.body.result![0] as T;
  };
  const count = async () => ok<number>('GetImageCount');
  const binaryPost = (method: string, body: Buffer, params: object, type = 'application/octet-stream') =>
    fetch(`${svc.base}/f/${method}?id=${session}&params=${encodeURIComponent(JSON.stringify(params))}`, { method: 'POST', headers: { 'content-type': type, ...adminHeaders(svc.base) }, body });

  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'scanbridge-save-'));
    svc = await startInProcess({ 'save-folders': `${folder}; /nonexistent-scanbridge-folder` });
    jpeg = (await tool('pnmtojpeg', ['--density=300x300dpi'], ppm)).stdout;
    session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
  });
  after(async () => {
    await svc.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('loads a JPEG sent as base64, stored as sent', async () => {
    await ok('RemoveAllImages');
    const [page] = await ok<PageInfo[]>('LoadImages', { data: `data:image/jpeg;base64,${jpeg.toString('base64')}`, tags: ['in'] });
    assert.deepEqual([page!.format, page!.width, page!.height, page!.xdpi, page!.tags], ['jpeg', W, H, 300, ['in']]);
    const image = await ok<{ data: string }>('GetImage', { page: page!.id });
    assert.ok(Buffer.from(image.data, 'base64').equals(jpeg));
  });

  it('loads a PDF sent as the request body, parameters in the query', async () => {
    const pdf = (await tool('img2pdf', ['-'], jpeg)).stdout;
    const res = await binaryPost('LoadImages', pdf, { dpi: 50, index: 0 }, 'application/pdf');
    assert.equal(res.status, 200);
    const body = (await res.json()) as { result: [PageInfo[]] };
    assert.equal(body.result[0].length, 1);
    assert.deepEqual([body.result[0][0]!.index, body.result[0][0]!.format], [0, 'jpeg']);
    assert.equal(await count(), 2);
  });

  it('refuses a raw body for a method that takes JSON, and a file sent twice', async () => {
    const res = await binaryPost('AddImage', jpeg, {});
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /AddImage takes a JSON body/);
    const twice = await binaryPost('LoadImages', jpeg, { data: jpeg.toString('base64') });
    assert.equal(((await twice.json()) as { error: { code: string } }).error.code, 'invalid-params');
  });

  it('inserts every page of a multi-page file at the index, in order', async () => {
    const before = await ok<PageInfo[]>('GetImagesInfo');
    const pages = await loadAll(await sharp(RGB, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer());
    const tiff = await concat(writeTiff(each([pages[0]!, pages[0]!, pages[0]!]), 3, { compression: 'lzw', quality: 85 }));
    const added = await ok<PageInfo[]>('LoadImages', { data: tiff.toString('base64'), index: 1 });
    assert.deepEqual(added.map((p) => p.index), [1, 2, 3]);
    const after = (await ok<PageInfo[]>('GetImagesInfo')).map((p) => p.id);
    assert.deepEqual(after, [before[0]!.id, ...added.map((p) => p.id), before[1]!.id]);
  });

  it('a file whose last page is damaged adds nothing: the pages already added are taken back', async () => {
    const before = (await ok<PageInfo[]>('GetImagesInfo')).map((p) => p.id);
    const pages = await loadAll(await sharp(RGB, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer());
    const tiff = await concat(writeTiff(each([pages[0]!, pages[0]!, pages[0]!]), 3, { compression: 'lzw', quality: 85 }));
    // The last page's strip ends the file: cutting its end damages page 3 only.
    const res = await call('LoadImages', { data: tiff.subarray(0, tiff.length - 20).toString('base64') });
    assert.equal(res.status, 400);
    assert.equal(res.body.error!.code, 'invalid-image');
    assert.match(res.body.error!.message, /^TIFF \(page 3\): /);
    assert.deepEqual((await ok<PageInfo[]>('GetImagesInfo')).map((p) => p.id), before);
  });

  it('answers an encrypted PDF without its password with pdf-password-required', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'scanbridge-pdf-'));
    try {
      await writeFile(path.join(dir, 'a.pdf'), (await tool('img2pdf', ['-'], jpeg)).stdout);
      await tool('qpdf', ['--encrypt', 'pw', 'pw', '256', '--', path.join(dir, 'a.pdf'), path.join(dir, 'b.pdf')]);
      const locked = await readFile(path.join(dir, 'b.pdf'));
      const res = await call('LoadImages', { data: locked.toString('base64') });
      assert.deepEqual([res.status, res.body.error!.code], [400, 'pdf-password-required']);
      assert.equal((await ok<PageInfo[]>('LoadImages', { data: locked.toString('base64'), password: 'pw', dpi: 40 })).length, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('AddImage takes any single-page format, and points multi-page files to LoadImages', async () => {
    const bmp = (await tool('ppmtobmp', [], ppm)).stdout;
    const page = await ok<PageInfo>('AddImage', { data: bmp.toString('base64'), xdpi: 200 });
    assert.deepEqual([page.format, page.width, page.xdpi], ['png', W, 200]);
    const pages = await loadAll(bmp);
    const tiff = await concat(writeTiff(each([pages[0]!, pages[0]!]), 2, { compression: 'none', quality: 85 }));
    const res = await call('AddImage', { data: tiff.toString('base64') });
    assert.equal(res.body.error?.code, 'invalid-image');
    assert.match(res.body.error!.message, /use LoadImages/);
  });

  it('saves as PDF base64, and as the response body with binary: true', async () => {
    const n = await count();
    const saved = await ok<SaveResult>('SaveImages', { format: 'pdf', fileName: 'batch' });
    assert.deepEqual([saved.pages, saved.files.length, saved.files[0]!.name, saved.mimeType], [n, 1, 'batch.pdf', 'application/pdf']);
    const dir = await mkdtemp(path.join(tmpdir(), 'scanbridge-out-'));
    try {
      const fromJson = path.join(dir, 'json.pdf');
      await writeFile(fromJson, Buffer.from(saved.files[0]!.data!, 'base64'));
      assert.match((await tool('pdfinfo', [fromJson])).stdout.toString(), new RegExp(`Pages:\\s+${n}\\n`));

      const res = await fetch(`${svc.base}/f/SaveImages`, { method: 'POST', headers: { 'content-type': 'application/json', ...adminHeaders(svc.base) }, body: JSON.stringify({ id: session, params: { format: 'pdf', binary: true, fileName: 'Relevé n°1' } }) });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/pdf');
      assert.equal(res.headers.get('content-disposition'), `attachment; filename="Relev_ n_1.pdf"; filename*=UTF-8''Relev%C3%A9%20n%C2%B01.pdf`);
      assert.equal(res.headers.get('x-scanbridge-pages'), String(n));
      const binary = path.join(dir, 'binary.pdf');
      await writeFile(binary, Buffer.from(await res.arrayBuffer()));
      await tool('qpdf', ['--check', binary]);
      assert.match((await tool('pdfinfo', [binary])).stdout.toString(), new RegExp(`Pages:\\s+${n}\\n`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('binary answers one file only, and only over HTTP', async () => {
    const res = await call('SaveImages', { format: 'jpeg', binary: true });
    assert.equal(res.body.error?.code, 'invalid-params');
    assert.match(res.body.error!.message, /params\.binary answers one file/);
    const ws = new WebSocket(`ws://127.0.0.1:${svc.ports.http}/ws?id=${session}&token=${tokenFor(svc.base)}`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const reply = new Promise<{ error?: { code: string; message: string } }>((resolve) => {
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString());
        if (m.cmdId === 'w1') resolve(m);
      });
    });
    ws.send(JSON.stringify({ id: session, method: 'SaveImages', params: { format: 'pdf', binary: true }, cmdId: 'w1' }));
    const answer = await reply;
    ws.close();
    assert.equal(answer.error?.code, 'invalid-params');
    assert.match(answer.error!.message, /needs HTTP/);
  });

  it('saves into an allowed folder under a safe name, never over an existing file unless asked', async () => {
    const save = (params: object) => ok<SaveResult>('SaveImages', { format: 'pdf', pages: [0], folder: 0, ...params });
    const first = await save({ fileName: '../../etc/evil.pdf' });
    assert.deepEqual([first.files[0]!.name, first.files[0]!.folder], ['evil.pdf', 0]);
    const second = await save({ fileName: 'evil' });
    assert.equal(second.files[0]!.name, 'evil-2.pdf');
    // A link planted under the next free name is not followed.
    await symlink('/etc/passwd', path.join(folder, 'evil-3.pdf'));
    assert.equal((await save({ fileName: 'evil' })).files[0]!.name, 'evil-4.pdf');
    const before = (await readFile(path.join(folder, 'evil.pdf'))).length;
    const replaced = await save({ fileName: 'evil', overwrite: true, pages: [0, 1] });
    assert.equal(replaced.files[0]!.name, 'evil.pdf');
    assert.notEqual((await readFile(path.join(folder, 'evil.pdf'))).length, before);
    assert.ok((await lstat(path.join(folder, 'evil-3.pdf'))).isSymbolicLink(), 'the planted link is untouched');
    assert.deepEqual((await readdir(folder)).sort(), ['evil-2.pdf', 'evil-3.pdf', 'evil-4.pdf', 'evil.pdf']);
    const reserved = await save({ fileName: 'CON' });
    assert.equal(reserved.files[0]!.name, '_CON.pdf');
    const pages = await ok<SaveResult>('SaveImages', { format: 'png', pages: [0, 1], folder: 0, fileName: 'page' });
    assert.deepEqual(pages.files.map((f) => f.name), ['page-1.png', 'page-2.png']);
    await tool('pngtopnm', [path.join(folder, 'page-2.png')]);
  });

  it('refuses folders that are not allowed with path-not-allowed', async () => {
    for (const folderIndex of [1, 2]) {
      const res = await call('SaveImages', { format: 'pdf', folder: folderIndex });
      assert.deepEqual([res.status, res.body.error?.code], [403, 'path-not-allowed']);
    }
  });

  it('survives a few hundred damaged files, each answered 200 or invalid-image, the buffer keeping its pages', async () => {
    const random = prng(99);
    const kinds = [jpeg, (await tool('pnmtopng', [], ppm)).stdout, (await tool('ppmtobmp', [], ppm)).stdout, (await tool('img2pdf', ['-'], jpeg)).stdout];
    const start = await count();
    let accepted = 0;
    for (let i = 0; i < 200; i++) {
      const bytes = Buffer.from(kinds[i % kinds.length]!);
      if (i % 3 === 0) bytes.subarray(8).fill(0, Math.floor(random() * (bytes.length - 8)));
      else for (let f = 0; f < 6; f++) bytes[8 + Math.floor(random() * (bytes.length - 8))] = Math.floor(random() * 256);
      const res = await binaryPost('LoadImages', bytes, { dpi: 36 });
      const body = (await res.json()) as { result?: [PageInfo[]]; error?: { code: string } };
      if (res.status === 200) accepted += body.result![0].length;
      else assert.deepEqual([res.status, body.error?.code], [400, 'invalid-image']);
    }
    assert.equal(await count(), start + accepted);
    assert.equal((await rpc(svc.base, 'fa', 'VersionInfo')).status, 200);
  });
});

describe('saving to disk is off by default', () => {
  it('answers path-not-allowed when SaveFolders is empty', async () => {
    const svc = await startInProcess();
    try {
      const session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
      const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } }).png().toBuffer();
      await rpc(svc.base, 'f', 'LoadImages', { data: png.toString('base64') }, session);
      const res = await rpc(svc.base, 'f', 'SaveImages', { format: 'png', folder: 0 }, session);
      assert.equal(res.status, 403);
      assert.equal(res.body.error?.code, 'path-not-allowed');
      assert.match(res.body.error!.message, /SaveFolders in scanbridge.ini is empty/);
    } finally {
      await svc.close();
    }
  });
});
