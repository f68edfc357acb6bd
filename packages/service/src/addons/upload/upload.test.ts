/**
 * Uploads against real servers on loopback: multipart (Fastify +
 * @fastify/multipart), raw PUT (node:http) and tus (@tus/server). What the
 * server received must be byte for byte what SaveImages gives for the same
 * pages; failures end typed, with the server's answer, and lose no page. A
 * POST streams the pages as they are encoded (chunked, no temporary file);
 * ZIPs are checked by Info-ZIP's unzip.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import WebSocket from 'ws';
import type { SaveResult, UploadEvent, UploadInfo } from '@scanbridge/protocol';
import { tool, withTempDir } from '../../formats/test-tools.js';
import { rpc, startChild, startInProcess, tempHome, tokenFor, type ChildService, type InProcess } from '../../test-support/service-harness.js';
import { multipartReceiver, putReceiver, tusReceiver, type MultipartReceiver, type PutReceiver, type TusReceiver } from './test-receivers.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The ZIP checked by `unzip -t`, then the names and SHA-256 of its entries as `unzip -p` gives them. */
async function zipEntries(zip: Buffer): Promise<Array<[string, string]>> {
  return withTempDir(async (dir) => {
    const file = path.join(dir, 'upload.zip');
    await writeFile(file, zip);
    assert.match((await tool('unzip', ['-t', file])).stdout.toString(), /No errors detected in compressed data/);
    const names = (await tool('zipinfo', ['-1', file])).stdout.toString().trim().split('\n');
    const out: Array<[string, string]> = [];
    for (const name of names) out.push([name, sha((await tool('unzip', ['-p', file, name])).stdout)]);
    return out;
  });
}
const noisePage = (seed: number) => sharp({ create: { width: 700, height: 500, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 100 + seed, sigma: 60 } } }).jpeg({ quality: 90 }).toBuffer();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function closedPort(): Promise<number> {
  const server = http.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** A session with three noisy JPEG pages, and helpers to save and upload them. */
async function pagesIn(base: string) {
  const session = ((await rpc(base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
  for (let i = 0; i < 3; i++) {
    const res = await rpc(base, 'f', 'LoadImages', { data: (await noisePage(i * 10)).toString('base64') }, session);
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
  const call = (method: string, params: object) => rpc(base, 'f', method, params, session);
  return {
    session,
    call,
    /** SHA-256 of each file SaveImages makes. */
    async saved(params: object): Promise<string[]> {
      const res = await call('SaveImages', params);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return (res.body.result![0] as SaveResult).files.map((f) => sha(Buffer.from(f.data!, 'base64')));
    },
    async start(params: object): Promise<UploadInfo> {
      const res = await call('StartUpload', params);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.result![0] as UploadInfo;
    },
    async upload(params: object): Promise<UploadInfo> {
      const started = await this.start(params);
      const res = await call('WaitUpload', { upload: started.id, timeout: 300 });
      return res.body.result![0] as UploadInfo;
    },
    async count(): Promise<number> {
      return (await call('GetImageCount', {})).body.result![0] as number;
    },
  };
}

describe('uploads', () => {
  let mp: MultipartReceiver;
  let put: PutReceiver;
  let tus: TusReceiver;
  let tusDir: string;
  let svc: InProcess;
  let unreachable: string;
  let pages: Awaited<ReturnType<typeof pagesIn>>;
  let tiffSha: string;

  before(async () => {
    tusDir = await mkdtemp(path.join(tmpdir(), 'scanbridge-tus-'));
    [mp, put, tus] = await Promise.all([multipartReceiver(), putReceiver(), tusReceiver(tusDir)]);
    unreachable = `http://127.0.0.1:${await closedPort()}`;
    svc = await startInProcess({ 'upload-destinations': [`${mp.url}/`, `${put.url}/`, tus.url, `${unreachable}/`].join(';') });
    pages = await pagesIn(svc.base);
    tiffSha = (await pages.saved({ format: 'tiff' }))[0]!;
  });
  after(async () => {
    await svc.close();
    await Promise.all([mp.close(), put.close(), tus.close()]);
    await rm(tusDir, { recursive: true, force: true });
  });

  const uploadDirEmpty = async () => assert.deepEqual(await readdir(path.join(svc.home, 'upload')), []);

  it('posts a multi-page TIFF as multipart with fields and headers, byte for byte, reporting events', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${svc.ports.http}/ws?id=${pages.session}&token=${tokenFor(svc.base)}`);
    await once(ws, 'open');
    const events: UploadEvent[] = [];
    ws.on('message', (d) => {
      const msg = JSON.parse(String(d)) as { event?: string; data: UploadEvent };
      if (msg.event === 'upload') events.push(msg.data);
    });
    const info = await pages.upload({
      format: 'tiff',
      fileName: 'contract',
      destination: { method: 'post', url: `${mp.url}/ok`, fieldName: 'document', fields: { customer: 'ACME', note: 'line 1\r\nline 2' }, headers: { Authorization: 'Bearer s3cret' } },
    });
    assert.equal(info.state, 'done', JSON.stringify(info.error));
    assert.equal(info.response?.status, 200);
    assert.deepEqual(JSON.parse(info.response!.body), { stored: 1 });
    const got = mp.received.at(-1)!;
    assert.deepEqual(got.fields, { customer: 'ACME', note: 'line 1\r\nline 2' });
    assert.equal(got.headers.authorization, 'Bearer s3cret');
    assert.equal(got.headers.cookie, undefined);
    // Streamed as encoded: the size is not known up front.
    assert.deepEqual([got.headers['transfer-encoding'], got.headers['content-length']], ['chunked', undefined]);
    assert.deepEqual([info.bytesSent, info.pagesDone], [info.bytesTotal, 3]);
    assert.deepEqual(got.files.map((f) => [f.field, f.filename, f.mimetype, f.sha256]), [['document', 'contract.tif', 'image/tiff', tiffSha]]);
    while (!events.some((e) => e.type === 'done')) await pause(20);
    ws.close();
    assert.equal(events[0]!.type, 'started');
    const progress = events.filter((e) => e.type === 'progress').map((e) => e.upload.bytesSent);
    assert.ok(progress.length > 0);
    assert.deepEqual(progress, [...progress].sort((a, b) => a - b));
    assert.equal(events.at(-1)!.upload.bytesSent, events.at(-1)!.upload.bytesTotal);
    assert.ok(events.at(-1)!.upload.bytesTotal > got.files[0]!.size, 'the total counts the form around the file');
    const counted = events.map((e) => e.upload.pagesDone);
    assert.deepEqual(counted, [...counted].sort((a, b) => a - b));
    assert.deepEqual([counted[0], counted.at(-1)], [0, 3]);
    await uploadDirEmpty();
  });

  it('streams a POST while the pages are encoded: no temporary file, the total known at the end', async () => {
    const gate = mp.hold();
    const started = await pages.start({ format: 'tiff', destination: { method: 'post', url: `${mp.url}/hold` } });
    await gate.reached;
    const running = (await pages.call('GetUpload', { upload: started.id })).body.result![0] as UploadInfo;
    assert.equal(running.state, 'running');
    assert.equal(running.bytesTotal, 0);
    assert.ok(running.bytesSent > 0 && running.pagesDone > 0, JSON.stringify(running));
    await uploadDirEmpty();
    gate.release();
    const info = (await pages.call('WaitUpload', { upload: started.id, timeout: 300 })).body.result![0] as UploadInfo;
    assert.equal(info.state, 'done', JSON.stringify(info.error));
    assert.equal(info.bytesSent, info.bytesTotal);
    assert.equal(mp.received.at(-1)!.files[0]!.sha256, tiffSha);
  });

  it('posts JPEG pages as one part each, identical to SaveImages', async () => {
    const expected = await pages.saved({ format: 'jpeg' });
    const info = await pages.upload({ format: 'jpeg', fileName: 'scan', destination: { method: 'post', url: `${mp.url}/ok` } });
    assert.equal(info.state, 'done', JSON.stringify(info.error));
    const got = mp.received.at(-1)!;
    assert.deepEqual(got.files.map((f) => [f.field, f.filename, f.sha256]), expected.map((s, i) => ['file', `scan-${i + 1}.jpg`, s]));
  });

  it('posts each document as its own part named after its code (eachDocument), identical to SaveImages of that document', async () => {
    const buffer = svc.service.ctx.sessions.get(pages.session).buffer;
    const [a, b, c] = buffer.list().map((p) => p.id) as [string, string, string];
    const docs = await buffer.splitDocuments([a, b, c], [
      { pageIds: [a, b], barcode: { format: 'Code128', text: 'INV/1', pageId: a } },
      { pageIds: [c], barcode: { format: 'QRCode', text: 'INV-2', pageId: c } },
    ]);
    try {
      // TIFF: byte for byte the same file each time (a PDF carries its creation time).
      const expected = [...(await pages.saved({ format: 'tiff', document: docs[0]!.id })), ...(await pages.saved({ format: 'tiff', document: docs[1]!.id }))];
      const info = await pages.upload({ format: 'tiff', eachDocument: true, destination: { method: 'post', url: `${mp.url}/ok` } });
      assert.equal(info.state, 'done', JSON.stringify(info.error));
      assert.equal(info.pages, 3);
      assert.deepEqual(
        mp.received.at(-1)!.files.map((f) => [f.filename, f.sha256]),
        [
          ['INV_1.tif', expected[0]],
          ['INV-2.tif', expected[1]],
        ],
      );
      // A PUT sends one file: several documents are refused, naming post.
      const res = await pages.call('StartUpload', { format: 'pdf', eachDocument: true, destination: { method: 'put', url: `${put.url}/x.pdf` } });
      assert.equal(res.body.error?.code, 'invalid-params');
      assert.match(res.body.error!.message, /2 documents.*post/);
    } finally {
      await buffer.splitDocuments([a, b, c], []);
    }
  });

  it('posts and puts a ZIP of pages, each page file the one SaveImages makes of that page alone', async () => {
    const alone = async (format: string, i: number) => (await pages.saved({ format, pages: [i] }))[0]!;
    mp.keepBytes = true;
    try {
      const info = await pages.upload({ format: 'zip', pageFormat: 'png', fileName: 'batch.zip', destination: { method: 'post', url: `${mp.url}/ok` } });
      assert.equal(info.state, 'done', JSON.stringify(info.error));
      const file = mp.received.at(-1)!.files[0]!;
      assert.deepEqual([file.filename, file.mimetype], ['batch.zip', 'application/zip']);
      assert.deepEqual(await zipEntries(file.bytes!), [['batch-1.png', await alone('png', 0)], ['batch-2.png', await alone('png', 1)], ['batch-3.png', await alone('png', 2)]]);
    } finally {
      mp.keepBytes = false;
    }
    const saved = await pages.call('SaveImages', { format: 'zip', pageFormat: 'tiff', fileName: 'batch' });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const result = saved.body.result![0] as SaveResult;
    assert.deepEqual([result.format, result.mimeType, result.files.map((f) => [f.name, f.pages])], ['zip', 'application/zip', [['batch.zip', 3]]]);
    const savedEntries = await zipEntries(Buffer.from(result.files[0]!.data!, 'base64'));
    assert.deepEqual(savedEntries, [['batch-1.tif', await alone('tiff', 0)], ['batch-2.tif', await alone('tiff', 1)], ['batch-3.tif', await alone('tiff', 2)]]);
    put.keepBytes = true;
    try {
      const putInfo = await pages.upload({ format: 'zip', pageFormat: 'tiff', fileName: 'batch', destination: { method: 'put', url: `${put.url}/batch.zip` } });
      assert.equal(putInfo.state, 'done', JSON.stringify(putInfo.error));
    } finally {
      put.keepBytes = false;
    }
    const got = put.received.at(-1)!;
    assert.equal(got.headers['content-type'], 'application/zip');
    assert.equal(Number(got.headers['content-length']), got.files[0]!.size);
    assert.deepEqual(await zipEntries(got.files[0]!.bytes!), savedEntries);
  });

  it('refuses a ZIP without a page format, or of PDF, naming what is allowed', async () => {
    const none = await pages.call('StartUpload', { format: 'zip', destination: { method: 'post', url: `${mp.url}/ok` } });
    assert.equal(none.body.error?.code, 'invalid-params');
    assert.match(none.body.error!.message, /^params\.pageFormat: required with format zip .*one of jpeg, png, tiff, bmp$/);
    const pdf = await pages.call('SaveImages', { format: 'zip', pageFormat: 'pdf' });
    assert.equal(pdf.body.error?.code, 'invalid-params');
    assert.match(pdf.body.error!.message, /^params\.pageFormat: expected one of "jpeg", "png", "tiff", "bmp", got "pdf"$/);
    const stray = await pages.call('SaveImages', { format: 'pdf', pageFormat: 'jpeg' });
    assert.match(stray.body.error!.message, /^params\.pageFormat applies to zip output/);
  });

  it('takes compression and quality for a PDF as SaveImages does; g4 for a colour page is refused naming it', async () => {
    const info = await pages.upload({ format: 'pdf', compression: 'jpeg', quality: 50, destination: { method: 'put', url: `${put.url}/doc.pdf` } });
    assert.equal(info.state, 'done', JSON.stringify(info.error));
    assert.equal(put.received.at(-1)!.files[0]!.mimetype, 'application/pdf');
    const refused = await pages.call('StartUpload', { format: 'pdf', compression: 'g4', destination: { method: 'put', url: `${put.url}/doc.pdf` } });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error?.code, 'invalid-params');
    assert.match(refused.body.error!.message, /^params\.compression g4 needs black-and-white \(1-bit\) pages; page 0 \([\w-]+\) is color 8-bit/);
  });

  it('puts the raw file with its content type and answers the server status and headers (no cookies)', async () => {
    const info = await pages.upload({ format: 'tiff', destination: { method: 'put', url: `${put.url}/obj?sig=abc`, headers: { Authorization: 'AWS4 x' } } });
    assert.equal(info.state, 'done', JSON.stringify(info.error));
    assert.equal(info.response?.status, 201);
    assert.equal(info.response?.headers['etag'], '"v1"');
    assert.equal(info.response?.headers['set-cookie'], undefined);
    const got = put.received.at(-1)!;
    assert.equal(got.headers.authorization, 'AWS4 x');
    assert.deepEqual([got.files[0]!.mimetype, got.files[0]!.sha256], ['image/tiff', tiffSha]);
    assert.equal(info.bytesSent, got.files[0]!.size);
    // A presigned object-storage URL needs the exact length and refuses chunked bodies.
    assert.deepEqual([Number(got.headers['content-length']), got.headers['transfer-encoding']], [got.files[0]!.size, undefined]);
  });

  it('survives a server that drops a streamed POST half-way: the pages are encoded again', async () => {
    const info = await pages.upload({ format: 'tiff', destination: { method: 'post', url: `${mp.url}/drop` } });
    assert.equal(info.state, 'done', JSON.stringify(info.error));
    assert.equal(info.attempts, 2);
    assert.equal(mp.hits.get('drop'), 2);
    assert.equal(mp.received.at(-1)!.files[0]!.sha256, tiffSha);
    assert.equal(info.bytesSent, info.bytesTotal);
    await uploadDirEmpty();
  });

  it('survives a server that drops the connection half-way', async () => {
    const info = await pages.upload({ format: 'tiff', destination: { method: 'put', url: `${put.url}/drop` } });
    assert.equal(info.state, 'done', JSON.stringify(info.error));
    assert.equal(info.attempts, 2);
    assert.equal(put.received.filter((r) => r.path === 'drop').at(-1)!.files[0]!.sha256, tiffSha);
  });

  it('survives a server answering 503 twice', async () => {
    const info = await pages.upload({ format: 'tiff', destination: { method: 'post', url: `${mp.url}/flaky` } });
    assert.equal(info.state, 'done', JSON.stringify(info.error));
    assert.equal(info.attempts, 3);
    assert.equal(mp.hits.get('flaky'), 3);
    assert.equal(mp.received.at(-1)!.files[0]!.sha256, tiffSha);
  });

  it('ends at once on a 413 with the server answer attached; the pages stay', async () => {
    const info = await pages.upload({ format: 'tiff', destination: { method: 'post', url: `${mp.url}/small` } });
    assert.equal(info.state, 'failed');
    assert.equal(info.attempts, 1);
    assert.equal(info.error?.code, 'upload-failed');
    const details = info.error?.details as { status: number; body: string };
    assert.equal(details.status, 413);
    assert.deepEqual(JSON.parse(details.body), { error: 'file too large', limit: 1000 });
    assert.equal(info.response?.status, 413);
    assert.equal(await pages.count(), 3);
    await uploadDirEmpty();
  });

  it('ends typed when a page is removed between tries (it is not sent half), and keeps the others', async () => {
    const other = await pagesIn(svc.base);
    mp.onHit = async (name, hit) => {
      if (name === 'flaky-removed' && hit === 1) assert.equal((await other.call('RemoveImages', { pages: [2] })).status, 200);
    };
    try {
      const info = await other.upload({ format: 'pdf', destination: { method: 'post', url: `${mp.url}/flaky-removed` } });
      assert.deepEqual([info.state, info.error?.code, info.attempts], ['failed', 'page-not-found', 2]);
      assert.equal(await other.count(), 2);
    } finally {
      mp.onHit = null;
    }
  });

  it('cancels a streamed POST half-way; the pages stay', async () => {
    const gate = mp.hold();
    const started = await pages.start({ format: 'tiff', destination: { method: 'post', url: `${mp.url}/hold` } });
    await gate.reached;
    const info = (await pages.call('CancelUpload', { upload: started.id })).body.result![0] as UploadInfo;
    gate.release();
    assert.deepEqual([info.state, info.error?.code], ['cancelled', 'job-cancelled']);
    assert.equal(await pages.count(), 3);
    await uploadDirEmpty();
  });

  it('closing the session ends its uploads (job-cancelled), and only its own', async () => {
    const other = await pagesIn(svc.base);
    const gate = mp.hold();
    const started = await other.start({ format: 'tiff', destination: { method: 'post', url: `${mp.url}/hold` } });
    await gate.reached;
    const mine = await pages.start({ format: 'jpeg', pages: [0], destination: { method: 'put', url: `${put.url}/kept.jpg` } });
    // The closed session's uploads are forgotten with it: its last event tells how the upload ended.
    const ended = new Promise<UploadInfo>((resolve) => svc.service.ctx.uploads.on('upload', (_session, e) => e.upload.id === started.id && e.type === 'failed' && resolve(e.upload)));
    assert.equal((await other.call('CloseSession', {})).status, 200);
    gate.release();
    const info = await ended;
    assert.throws(() => svc.service.ctx.uploads.get(other.session, started.id), { code: 'unknown-job' });
    assert.deepEqual([info.state, info.error?.code, info.error?.message], ['cancelled', 'job-cancelled', 'the session was closed']);
    const kept = (await pages.call('WaitUpload', { upload: mine.id, timeout: 60 })).body.result![0] as UploadInfo;
    assert.equal(kept.state, 'done');
    await uploadDirEmpty();
  });

  it('fails typed on a server answering garbage and on an unreachable host, after the retries asked for', async () => {
    const garbage = await pages.upload({ format: 'tiff', retries: 0, destination: { method: 'put', url: `${put.url}/garbage` } });
    assert.deepEqual([garbage.state, garbage.error?.code, garbage.attempts, garbage.response], ['failed', 'upload-failed', 1, null]);
    const down = await pages.upload({ format: 'tiff', retries: 1, destination: { method: 'put', url: `${unreachable}/x` } });
    assert.deepEqual([down.state, down.error?.code, down.attempts], ['failed', 'upload-failed', 2]);
    assert.match(down.error!.message, /ECONNREFUSED/);
    assert.equal(await pages.count(), 3);
    await uploadDirEmpty();
  });

  it('refuses destinations outside the rules', async () => {
    const refused = async (destination: object, message: RegExp) => {
      const res = await pages.call('StartUpload', { format: 'tiff', destination });
      assert.equal(res.status, 403, JSON.stringify(res.body));
      assert.equal(res.body.error?.code, 'destination-not-allowed');
      assert.match(res.body.error!.message, message);
    };
    await refused({ method: 'put', url: 'https://files.example.com/x' }, /neither the page's own origin \(local\) nor under an UploadDestinations prefix/);
    await refused({ method: 'put', url: 'http://files.example.com/x' }, /needs HTTPS/);
    await refused({ method: 'post', url: 'ftp://127.0.0.1/x' }, /expected an http or https URL/);
    await refused({ method: 'put', url: `${mp.url.replace('127.0.0.1', 'localhost')}/ok` }, /UploadDestinations/);
    const cookie = await pages.call('StartUpload', { format: 'tiff', destination: { method: 'put', url: `${put.url}/obj`, headers: { Cookie: 'a=b' } } });
    assert.equal(cookie.body.error?.code, 'invalid-params');
    const many = await pages.call('StartUpload', { format: 'png', destination: { method: 'put', url: `${put.url}/obj` } });
    assert.match(many.body.error!.message, /sends one file, but 3 pages as PNG make 3 files/);
    const redirected = await pages.upload({ format: 'tiff', destination: { method: 'put', url: `${put.url}/away` } });
    assert.deepEqual([redirected.state, redirected.error?.code], ['failed', 'destination-not-allowed']);
  });

  it('uploads with tus in chunks, byte for byte', async () => {
    const before = tus.patches();
    const info = await pages.upload({ format: 'tiff', fileName: 'résumé', destination: { method: 'tus', url: tus.url, chunkSize: 65536, metadata: { case: '42' } } });
    assert.equal(info.state, 'done', JSON.stringify(info.error));
    const done = tus.finished.at(-1)!;
    assert.equal(done.sha256, tiffSha);
    assert.deepEqual(done.metadata, { filename: 'résumé.tif', filetype: 'image/tiff', case: '42' });
    assert.equal(tus.patches() - before, Math.ceil(done.size / 65536));
    await uploadDirEmpty();
  });

  it('cancels a running upload and removes its file', async () => {
    tus.delayMs = 200;
    try {
      const started = await pages.start({ format: 'tiff', destination: { method: 'tus', url: tus.url, chunkSize: 65536 } });
      while ((await pages.call('GetUpload', { upload: started.id })).body.result![0] && tus.patches() === 0) await pause(20);
      const res = await pages.call('CancelUpload', { upload: started.id });
      const info = res.body.result![0] as UploadInfo;
      assert.deepEqual([info.state, info.error?.code], ['cancelled', 'job-cancelled']);
      await uploadDirEmpty();
      assert.equal(await pages.count(), 3);
    } finally {
      tus.delayMs = 0;
    }
  });
});

describe('a tus upload across a crash of the service', () => {
  it('finishes after kill -9 and restart, byte for byte, and start-up clears leftovers', async () => {
    const tusDir = await mkdtemp(path.join(tmpdir(), 'scanbridge-tus-'));
    const tus = await tusReceiver(tusDir);
    const home = await tempHome();
    const args = ['--upload-destinations', tus.url];
    // Cleaned up whatever fails, even the first start: a receiver left listening would keep the test file alive.
    let svc: ChildService | undefined;
    try {
      svc = await startChild(home, args);
      const pages = await pagesIn(svc.base);
      const [expected] = await pages.saved({ format: 'tiff' });
      tus.delayMs = 100;
      await pages.start({ format: 'tiff', destination: { method: 'tus', url: tus.url, chunkSize: 65536 } });
      while (tus.patches() < 3) await pause(20);
      await svc.kill9();
      assert.equal(tus.finished.length, 0);
      tus.delayMs = 0;
      await writeFile(path.join(home, 'upload', 'leftover.tif'), 'x');
      svc = await startChild(home, args);
      while (tus.finished.length === 0) await pause(50);
      assert.equal(tus.finished[0]!.sha256, expected);
      while ((await readdir(path.join(home, 'upload'))).length > 0) await pause(50);
    } finally {
      await svc?.stop();
      await tus.close();
      await rm(tusDir, { recursive: true, force: true });
      await rm(home, { recursive: true, force: true });
    }
  });
});
