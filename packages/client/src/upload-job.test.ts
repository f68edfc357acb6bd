/** client.upload() against a real service and a real HTTP server: progress, the server's answer, errors, cancel, missed events. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScanbridgeError, type UploadInfo } from '@scanbridge/protocol';
import { startInProcess, type InProcess } from '@scanbridge/service/dist/test-support/service-harness.js';
import type { ScanbridgeClient } from './client.js';
import { connectNode } from './test-support/node-client.js';
import { UploadJob } from './upload-job.js';

/** PUT /ok stores the body's digest; /teapot answers 418; /slow never answers until released. */
async function server() {
  const digests: string[] = [];
  const held: http.ServerResponse[] = [];
  const srv = http.createServer((req, res) => {
    const hash = createHash('sha256');
    req.on('data', (chunk: Buffer) => hash.update(chunk));
    req.on('end', () => {
      if (req.url === '/teapot') return void res.writeHead(418, { 'content-type': 'text/plain' }).end('no coffee here');
      if (req.url === '/slow') return void held.push(res);
      digests.push(hash.digest('hex'));
      res.writeHead(201, { 'content-type': 'application/json', 'x-stored-as': 'doc-1' }).end('{"id":"doc-1"}');
    });
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    digests,
    close: () => {
      held.forEach((r) => r.destroy());
      return new Promise<void>((resolve) => srv.close(() => resolve()));
    },
  };
}

describe('client.upload()', () => {
  let svc: InProcess;
  let client: ScanbridgeClient;
  let receiver: Awaited<ReturnType<typeof server>>;

  before(async () => {
    receiver = await server();
    svc = await startInProcess({ 'upload-destinations': `${receiver.url}/` });
    client = await connectNode({ httpPort: svc.ports.http });
    const job = await client.scan({ device: 'demo:scanner', settings: { source: 'feeder', dpi: 100, options: { sheets: 3 } } });
    await job.done;
  });
  after(async () => {
    await client?.close();
    await svc?.close();
    await receiver?.close();
  });

  it("reports progress and resolves with the server's answer; the bytes are the document SaveImages makes", async () => {
    const upload = await client.upload({ format: 'tiff', compression: 'lzw', destination: { method: 'put', url: `${receiver.url}/ok` } });
    const progress: UploadInfo[] = [];
    upload.on('progress', (info) => progress.push(info));
    const done = await upload.done;
    assert.equal(done.state, 'done');
    assert.equal(done.pages, 3);
    assert.deepEqual([done.response?.status, done.response?.headers['x-stored-as'], done.response?.body], [201, 'doc-1', '{"id":"doc-1"}']);
    assert.equal(upload.ended, true);
    assert.ok(progress.every((p, i) => i === 0 || p.bytesSent >= progress[i - 1]!.bytesSent), 'progress never goes back');
    const [saved] = await client.save({ format: 'tiff', compression: 'lzw' });
    const bytes = Buffer.from(await saved!.blob.arrayBuffer());
    assert.deepEqual(receiver.digests.at(-1), createHash('sha256').update(bytes).digest('hex'));
    assert.equal(done.bytesTotal, bytes.length);
  });

  it("rejects with upload-failed carrying the server's answer when the server refuses; the pages stay", async () => {
    const upload = await client.upload({ format: 'pdf', destination: { method: 'post', url: `${receiver.url}/teapot` } });
    await assert.rejects(upload.done, (err: unknown) => {
      assert.ok(err instanceof ScanbridgeError);
      assert.equal(err.code, 'upload-failed');
      assert.match(err.message, /418/);
      const details = err.details as { status: number; body: string; upload: UploadInfo };
      assert.deepEqual([details.status, details.body, details.upload.state], [418, 'no coffee here', 'failed']);
      return true;
    });
    assert.equal(await client.getImageCount(), 3);
  });

  it('refuses a destination nobody allowed before anything is sent', async () => {
    await assert.rejects(client.upload({ format: 'pdf', destination: { method: 'post', url: 'http://127.0.0.1:9/elsewhere' } }), (err: unknown) => {
      assert.ok(err instanceof ScanbridgeError);
      assert.equal(err.code, 'destination-not-allowed');
      return true;
    });
  });

  it('cancel() ends the upload as job-cancelled', async () => {
    const upload = await client.upload({ format: 'pdf', destination: { method: 'put', url: `${receiver.url}/slow` } });
    const ended = new Promise<UploadInfo>((resolve) => upload.on('end', resolve));
    const info = await upload.cancel();
    assert.equal(info.state, 'cancelled');
    assert.equal((await ended).state, 'cancelled');
    await assert.rejects(upload.done, (err: unknown) => err instanceof ScanbridgeError && err.code === 'job-cancelled');
  });

  it('ends without any socket event: the long poll answers', async () => {
    // A job the client does not route events to: only WaitUpload can tell it how the upload went.
    const [info] = await client.call('StartUpload', { format: 'jpeg', pages: [1], destination: { method: 'put', url: `${receiver.url}/ok` } });
    const job = new UploadJob(info, {
      waitUpload: async (id) => (await client.call('WaitUpload', { upload: id }))[0],
      cancelUpload: async (id) => (await client.call('CancelUpload', { upload: id }))[0],
      closed: false,
    });
    let events = 0;
    job.on('progress', () => events++);
    const done = await job.done;
    assert.equal(done.state, 'done');
    assert.equal(done.response?.status, 201);
    assert.equal(events, 0);
  });
});
