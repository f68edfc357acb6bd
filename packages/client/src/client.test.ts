/** The SDK against a real service, from Node: connect, typed calls, validation, error mapping, scan jobs, images. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { METHOD_NAMES, ScanbridgeError, type MethodName } from '@scanbridge/protocol';
import { startInProcess, type InProcess } from '@scanbridge/service/dist/test-support/service-harness.js';
import { pnmSize } from '@scanbridge/service/dist/test-support/net.js';
import type { ScanbridgeClient } from './client.js';
import type { JobProgress } from './scan-job.js';
import { connectNode, nextEvent } from './test-support/node-client.js';

describe('client', () => {
  let svc: InProcess;
  let client: ScanbridgeClient;
  const requests: string[] = [];

  before(async () => {
    svc = await startInProcess();
    client = await connectNode({
      httpPort: svc.ports.http,
      fetch: (input, init) => {
        requests.push(String(input));
        return fetch(input, init);
      },
    });
  });
  after(async () => {
    await client?.close();
    await svc?.close();
  });

  it('connects: finds the service, checks its version and opens a session', async () => {
    assert.equal(client.base, `http://127.0.0.1:${svc.ports.http}`);
    assert.equal(client.state, 'connected');
    assert.equal(client.service.ports.http, svc.ports.http);
    assert.match(client.sessionId, /^[0-9a-f]{32}$/);
    assert.equal(svc.service.ctx.sessions.has(client.sessionId), true);
  });

  it('has one camelCase method per protocol method', () => {
    for (const method of METHOD_NAMES) {
      const name = method.charAt(0).toLowerCase() + method.slice(1);
      assert.equal(typeof (client as unknown as Record<string, unknown>)[name], 'function', name);
    }
  });

  it('calls methods with and without a session and unwraps one-element results', async () => {
    assert.deepEqual(await client.getImageCount(), 0);
    const devices = await client.listDevices();
    assert.ok(devices.some((d) => d.id === 'demo:scanner'));
    const caps = await client.getCapabilities({ device: 'demo:scanner' });
    assert.deepEqual(caps.sources, ['flatbed', 'feeder']);
    const version = await client.versionInfo();
    assert.equal(version.length, 3);
  });

  it('checks arguments before sending and names the wrong one', async () => {
    const sent = requests.length;
    await assert.rejects(client.moveImage({ page: 0, to: -1 }), (err: unknown) => {
      assert.ok(err instanceof ScanbridgeError);
      assert.equal(err.code, 'invalid-params');
      assert.match(err.message, /^params\.to: /);
      return true;
    });
    await assert.rejects(client.startScan({ device: 'demo:scanner', settings: { dpi: 1.5 } }), /params\.settings\.dpi: expected int/);
    await assert.rejects(client.getImagesInfo({ pages: [0], extra: 1 } as never), /params: unknown key "extra"/);
    for (const name of ['NoSuchMethod', 'toString', '__proto__']) {
      await assert.rejects(client.call(name as MethodName), (err: unknown) => err instanceof ScanbridgeError && err.code === 'unknown-method', name);
    }
    assert.equal(requests.length, sent, 'nothing reached the service');
  });

  it('turns protocol errors into ScanbridgeError with the code and message of the service', async () => {
    await assert.rejects(client.getImagesInfo({ pages: [7] }), (err: unknown) => {
      assert.ok(err instanceof ScanbridgeError);
      assert.equal(err.code, 'page-not-found');
      assert.equal(err.status, 404);
      assert.match(err.message, /7/);
      return true;
    });
    await assert.rejects(client.getCapabilities({ device: 'nope:scanner' }), (err: unknown) => err instanceof ScanbridgeError && err.code === 'unknown-device' && /nope:scanner/.test(err.message));
    await assert.rejects(client.scan({ device: 'demo:scanner', settings: { dpi: 250 } }), (err: unknown) => err instanceof ScanbridgeError && err.code === 'invalid-settings' && /250/.test(err.message));
  });

  it('scans: pages arrive in order through the job, buffer events and the iterator', async () => {
    const bufferEvents: string[] = [];
    const off = client.on('buffer', (e) => bufferEvents.push(e.action));
    const before = await client.getImageCount();
    const job = await client.scan({ device: 'demo:scanner', settings: { source: 'feeder', dpi: 75, mode: 'gray', options: { sheets: 3 } } });
    const announced: string[] = [];
    job.on('page', (p) => announced.push(p.id));
    const pages = [];
    for await (const page of job.pages()) pages.push(page);
    const info = await job.done;
    off();
    assert.equal(info.state, 'done');
    assert.deepEqual(pages.map((p) => p.id), info.pageIds);
    assert.deepEqual(announced, info.pageIds);
    assert.deepEqual(pages.map((p) => p.index), [before, before + 1, before + 2]);
    assert.equal(pages[0]!.mode, 'gray');
    assert.equal(bufferEvents.filter((a) => a === 'add').length, 3);
    // A second iterator replays from the first page.
    const again = [];
    for await (const page of job.pages()) again.push(page.id);
    assert.deepEqual(again, info.pageIds);
  });

  it('replays the events a job emitted before a listener attached; progress numbers pages from 1, as the scanner does', async () => {
    const job = await client.scan({ device: 'demo:scanner', settings: { source: 'feeder', dpi: 75, mode: 'gray', options: { sheets: 2, pageDelay: 100 } } });
    // Listeners attached only after the job ended: every event came before them.
    await job.done;
    const progress: JobProgress[] = [];
    const pages: string[] = [];
    const ends: string[] = [];
    job.on('progress', (p) => progress.push(p));
    job.on('page', (p) => pages.push(p.id));
    job.on('end', (info) => ends.push(info.state));
    assert.deepEqual([progress.length, pages.length, ends.length], [0, 0, 0], 'replayed after on() returns, never from inside it');
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(progress[0], { page: 1, fraction: 0, bytes: 0, lines: 0 });
    assert.deepEqual([...new Set(progress.map((p) => p.page))], [1, 2]);
    assert.deepEqual(progress.at(-1)?.fraction, 1);
    assert.deepEqual(pages, job.info.pageIds);
    assert.deepEqual(ends, ['done']);
    // A second listener gets the events from now on only.
    const late: JobProgress[] = [];
    job.on('progress', (p) => late.push(p));
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(late, []);
  });

  it('a paper jam ends the iterator and done with a typed error; pages before it stay', async () => {
    const before = await client.getImageCount();
    const job = await client.scan({ device: 'demo:scanner', settings: { source: 'feeder', dpi: 75, options: { sheets: 5, jamAfter: 2 } } });
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const page of job.pages()) seen.push(page.id);
      })(),
      (err: unknown) => err instanceof ScanbridgeError && err.code === 'paper-jam',
    );
    await assert.rejects(job.done, (err: unknown) => err instanceof ScanbridgeError && err.code === 'paper-jam' && (err.details?.job as { pages: number }).pages === 2);
    assert.equal(seen.length, 2);
    assert.equal(await client.getImageCount(), before + 2);
  });

  it('builds image URLs the image endpoint answers, fitted into the box', async () => {
    const [first] = await client.getImagesInfo({ pages: [0] });
    const url = client.imageUrl(first!, 120, 170);
    assert.match(url, new RegExp(`^http://127\\.0\\.0\\.1:${svc.ports.http}/dwt/dwt_\\d+/img\\?id=${client.sessionId}&page=${first!.id}&width=120&height=170&ticks=${first!.version}&exp=\\d+&sig=[\\w-]{43}$`));
    // An <img> sends no token: the URL's own signature is what lets it through.
    const res = await fetch(url);
    assert.equal(res.status, 200);
    const size = await pnmSize(Buffer.from(await res.arrayBuffer()), res.headers.get('content-type') === 'image/png' ? 'png' : 'jpeg');
    assert.ok(size.width <= 120 && size.height <= 170 && (size.width === 120 || size.height === 170), `${size.width}x${size.height}`);
    assert.match(client.imageUrl(3, 10, 10), /[?&]index=3&/);
    const forged = url.replace(/sig=[\w-]+/, `sig=${'A'.repeat(43)}`);
    assert.notEqual((await fetch(forged)).status, 200);
    const expired = new URL(url);
    expired.searchParams.set('exp', String(Math.floor(Date.now() / 1000) - 10));
    assert.notEqual((await fetch(expired)).status, 200, 'the signature covers the expiry');
  });

  it('delivers buffer events for edits made by anyone on the session', async () => {
    const moved = nextEvent(client, 'buffer', (e) => e.action === 'move');
    const order = await client.moveImage({ page: 0, to: 1 });
    const event = await moved;
    assert.ok(event.action === 'move');
    assert.deepEqual(event.order, order);
  });
});
