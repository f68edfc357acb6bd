/** Every malformed or hostile request gets its typed error; the service and the buffers stay intact. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { startInProcess, rpc, type InProcess } from '../test-support/service-harness.js';
import { rawStatus, request } from '../test-support/net.js';

describe('bad requests', () => {
  let svc: InProcess;
  let session: string;

  before(async () => {
    svc = await startInProcess({ 'max-body-mb': '1' });
    session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    const data = (await sharp({ create: { width: 20, height: 20, channels: 3, background: '#888' } }).png().toBuffer()).toString('base64');
    await rpc(svc.base, 'f', 'AddImage', { data }, session);
  });
  after(() => svc.close());

  const post = (path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    request(`${svc.base}${path}`, { method: 'POST', headers, body });
  const json = (res: { body: Buffer }) => JSON.parse(res.body.toString());

  it('malformed JSON is 400 invalid-json with the method echoed', async () => {
    const res = await post('/f/GetImageCount', '{"id": ');
    assert.equal(res.status, 400);
    assert.equal(json(res).error.code, 'invalid-json');
    assert.equal(json(res).method, 'GetImageCount');
  });

  it('a body that is not an object is 400 invalid-request', async () => {
    for (const body of ['[1,2]', '"text"', '42', 'null']) {
      const res = await post('/fa/VersionInfo', body);
      assert.equal(res.status, 400, body);
      assert.equal(json(res).error.code, 'invalid-request', body);
    }
  });

  it('unknown method is 404 unknown-method', async () => {
    const res = await post('/f/FormatHardDisk', JSON.stringify({ id: session }));
    assert.equal(res.status, 404);
    assert.equal(json(res).error.code, 'unknown-method');
    assert.match(json(res).error.message, /FormatHardDisk/);
  });

  it('wrong parameter types name the path', async () => {
    const res = await rpc(svc.base, 'f', 'MoveImage', { page: 0, to: 'last' }, session);
    assert.equal(res.status, 400);
    assert.equal(res.body.error!.code, 'invalid-params');
    assert.match(res.body.error!.message, /^params\.to: /);
    const extra = await rpc(svc.base, 'f', 'GetImageCount', { surprise: 1 }, session);
    assert.equal(extra.body.error!.code, 'invalid-params');
    assert.match(extra.body.error!.message, /unknown key "surprise"/);
    const envelope = await post('/f/GetImageCount', JSON.stringify({ id: session, params: [], extra: true }));
    assert.equal(json(envelope).error.code, 'invalid-request');
  });

  it('unknown session is 404 unknown-session; a session method without one is 400 session-required', async () => {
    const res = await rpc(svc.base, 'f', 'GetImageCount', {}, 'not-a-session');
    assert.equal(res.status, 404);
    assert.equal(res.body.error!.code, 'unknown-session');
    const none = await rpc(svc.base, 'f', 'GetImageCount', {});
    assert.equal(none.status, 400);
    assert.equal(none.body.error!.code, 'session-required');
  });

  it('index out of range is 404 page-not-found and changes nothing', async () => {
    const res = await rpc(svc.base, 'f', 'RemoveImages', { pages: [0, 5] }, session);
    assert.equal(res.status, 404);
    assert.equal(res.body.error!.code, 'page-not-found');
    assert.deepEqual((await rpc(svc.base, 'f', 'GetImageCount', {}, session)).body.result, [1]);
  });

  it('a body over the limit is 413 too-large', async () => {
    const res = await post('/f/AddImage', JSON.stringify({ id: session, params: { data: 'A'.repeat(2 * 1024 * 1024) } }));
    assert.equal(res.status, 413);
    assert.equal(json(res).error.code, 'too-large');
    assert.match(json(res).error.message, /MaxBodyMB/);
  });

  it('a corrupt image is 400 invalid-image and the buffer keeps its pages', async () => {
    const png = await sharp({ create: { width: 50, height: 50, channels: 3, background: '#123456' } }).png().toBuffer();
    for (const data of [Buffer.from('not an image'), png.subarray(0, 60), Buffer.from('GIF89a....')]) {
      const res = await rpc(svc.base, 'f', 'AddImage', { data: data.toString('base64') }, session);
      assert.equal(res.status, 400);
      assert.equal(res.body.error!.code, 'invalid-image');
    }
    assert.deepEqual((await rpc(svc.base, 'f', 'GetImageCount', {}, session)).body.result, [1]);
  });

  it('GET never changes state: a state-changing method over GET is 405', async () => {
    const res = await request(`${svc.base}/f/RemoveAllImages?id=${session}`);
    assert.equal(res.status, 405);
    assert.equal(json(res).error.code, 'method-not-allowed');
    const created = await request(`${svc.base}/fa/CreateSession`);
    assert.equal(created.status, 405);
    assert.deepEqual((await rpc(svc.base, 'f', 'GetImageCount', {}, session)).body.result, [1]);
  });

  it('the gate refuses foreign, missing, duplicated Host headers and absolute-form targets', async () => {
    const port = svc.ports.http;
    const cases: Array<{ headers?: Record<string, string | string[]>; path?: string; setHost?: boolean }> = [
      { headers: { host: `evil.example:${port}` } },
      { headers: { host: `127.0.0.1:${port + 1}` } },
      { headers: { host: '127.0.0.1' } },
      { headers: { host: `localhost.:${port}` } },
      { setHost: false },
    ];
    for (const c of cases) {
      const res = await request(`${svc.base}/fa/VersionInfo`, { ...(c.headers ? { headers: c.headers } : {}), setHost: c.setHost ?? !c.headers });
      assert.equal(res.status, 403, JSON.stringify(c));
      assert.equal(json(res).error.code, 'host-not-allowed');
    }
    const duplicated = `GET /fa/VersionInfo HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: evil.example:${port}\r\nConnection: close\r\n\r\n`;
    assert.equal(await rawStatus(port, duplicated), 403);
    const absolute = `GET http://evil.example/fa/VersionInfo HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`;
    assert.equal(await rawStatus(port, absolute), 403);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      const ok = await request(`${svc.base}/fa/VersionInfo`, { headers: { host }, setHost: false });
      assert.equal(ok.status, 200, host);
    }
  });

  it('unknown paths are 404 not-found in the envelope', async () => {
    for (const path of ['/nothing', '/../../etc/passwd', '/dwt/evil/img', '/f/x/y']) {
      const res = await request(`${svc.base}${path}`);
      assert.equal(res.status, 404, path);
      assert.equal(json(res).error.code, 'not-found', path);
    }
  });

  it('after all of that the service still answers and the page is intact', async () => {
    const info = await rpc(svc.base, 'f', 'GetImagesInfo', {}, session);
    assert.equal((info.body.result![0] as unknown[]).length, 1);
  });
});
