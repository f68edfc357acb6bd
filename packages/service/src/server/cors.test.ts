/** CORS answers only allowed origins (AllowedOrigins and the service's own welcome pages), exactly, with Vary: Origin. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SESSION_HEADER, TOKEN_HEADER } from '@scanbridge/protocol';
import { startInProcess, type InProcess } from '../test-support/service-harness.js';
import { request } from '../test-support/net.js';

const APP = 'https://app.example.com';

describe('CORS', () => {
  let svc: InProcess;
  before(async () => {
    svc = await startInProcess({ 'allowed-origins': `${APP},http://localhost:3000` });
  });
  after(() => svc?.close());

  const get = (origin: string | undefined, path = '/fa/VersionInfo', port = svc.ports.http) =>
    request(`http://127.0.0.1:${port}${path}`, { headers: origin ? { origin } : {}, anonymous: true });
  const preflight = (origin: string, headers: Record<string, string> = {}, path = '/f/GetImageCount') =>
    request(`http://127.0.0.1:${svc.ports.http}${path}`, {
      method: 'OPTIONS',
      anonymous: true,
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': `content-type,${SESSION_HEADER}`, ...headers },
    });

  it('names an allowed origin exactly, with Vary: Origin', async () => {
    for (const origin of [APP, 'http://localhost:3000']) {
      const res = await get(origin);
      assert.equal(res.status, 200);
      assert.equal(res.headers['access-control-allow-origin'], origin);
      assert.equal(res.headers.vary, 'Origin');
      assert.match(String(res.headers['access-control-expose-headers']), /etag/);
      assert.equal(res.headers['access-control-allow-private-network'], undefined, 'PNA only on preflights');
    }
  });

  it('allows the welcome pages of the service itself (where /demo runs), in every spelling of loopback', async () => {
    const { welcomeHttp, welcomeHttps } = svc.ports;
    for (const origin of [`http://127.0.0.1:${welcomeHttp}`, `http://localhost:${welcomeHttp}`, `http://[::1]:${welcomeHttp}`, `https://127.0.0.1:${welcomeHttps}`, `https://localhost:${welcomeHttps}`]) {
      assert.equal((await get(origin)).headers['access-control-allow-origin'], origin, origin);
    }
    // ...but not the same host on another port or scheme.
    for (const origin of [`https://127.0.0.1:${welcomeHttp}`, `http://127.0.0.1:${welcomeHttps}`, `http://127.0.0.1:${svc.ports.http}`]) {
      assert.equal((await get(origin)).headers['access-control-allow-origin'], undefined, origin);
    }
  });

  it('gives other origins no CORS header at all', async () => {
    for (const origin of ['https://evil.example', 'http://app.example.com', 'https://app.example.com.evil.example', 'http://localhost:3001']) {
      const res = await get(origin);
      assert.equal(res.headers['access-control-allow-origin'], undefined, origin);
      assert.equal(res.headers['access-control-allow-credentials'], undefined, origin);
      assert.equal(res.headers.vary, 'Origin', 'caches keep answers per origin');
    }
    // Look-alikes of an allowed origin (as browsers never send them) are refused before CORS.
    for (const origin of [`${APP}/`, 'https://APP.example.com', 'https://app.example.com:443', 'null']) {
      assert.equal((await get(origin)).headers['access-control-allow-origin'], undefined, origin);
    }
    assert.equal((await get(undefined)).headers['access-control-allow-origin'], undefined);
  });

  it('answers preflights of allowed origins with 204, methods, headers (the token too) and Private Network Access', async () => {
    const res = await preflight(APP, { 'access-control-request-private-network': 'true' });
    assert.equal(res.status, 204);
    assert.equal(res.body.length, 0);
    assert.equal(res.headers['access-control-allow-origin'], APP);
    assert.equal(res.headers['access-control-allow-methods'], 'GET, POST, OPTIONS');
    const allowedHeaders = String(res.headers['access-control-allow-headers']).split(/,\s*/);
    for (const header of ['content-type', SESSION_HEADER, TOKEN_HEADER]) assert.ok(allowedHeaders.includes(header), `${header} in ${allowedHeaders.join()}`);
    assert.equal(res.headers['access-control-allow-private-network'], 'true');
    assert.ok(Number(res.headers['access-control-max-age']) > 0);
    assert.equal(res.headers.vary, 'Origin');
  });

  it('refuses preflights of other origins: no CORS and no Private Network Access header', async () => {
    const res = await preflight('https://evil.example', { 'access-control-request-private-network': 'true' });
    assert.equal(res.status, 204);
    for (const header of ['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-allow-private-network']) {
      assert.equal(res.headers[header], undefined, header);
    }
  });

  it('lets any origin read the answer of RequestAccess (how a page not approved yet learns where to ask the user)', async () => {
    const res = await preflight('https://new.example', {}, '/fa/RequestAccess');
    assert.equal(res.status, 204);
    assert.equal(res.headers['access-control-allow-origin'], 'https://new.example');
    assert.equal((await preflight('https://new.example', {}, '/fa/ServiceInfo')).headers['access-control-allow-origin'], undefined, 'but nothing else');
  });

  it('covers every endpoint a page uses: RPC errors, images, unknown paths', async () => {
    const post = (path: string, body: object, token?: string) =>
      request(`${svc.base}${path}`, { method: 'POST', anonymous: true, headers: { origin: APP, 'content-type': 'application/json', ...(token ? { [TOKEN_HEADER]: token } : {}) }, body: JSON.stringify(body) });
    const access = await post('/fa/RequestAccess', {});
    assert.equal(access.headers['access-control-allow-origin'], APP);
    const token = (JSON.parse(access.body.toString()) as { result: [{ token: string }] }).result[0].token;
    const session = (JSON.parse((await post('/fa/CreateSession', {}, token)).body.toString()) as { id: string }).id;
    const error = await post('/f/GetImagesInfo', { id: session, params: { pages: [3] } }, token);
    assert.equal(error.status, 404);
    assert.equal(error.headers['access-control-allow-origin'], APP, 'a page can read the error it caused');
    const image = await get(APP, `/dwt/dwt_1/img?id=${session}&index=0`);
    assert.ok(image.status >= 400);
    assert.equal(image.headers['access-control-allow-origin'], APP);
    const unknown = await get(APP, '/no/such/path');
    assert.equal(unknown.headers['access-control-allow-origin'], APP);
  });

  it('a refused Host gets no CORS header even from an allowed origin', async () => {
    const res = await request(`http://127.0.0.1:${svc.ports.http}/fa/VersionInfo`, { headers: { origin: APP, host: `evil.example:${svc.ports.http}` }, setHost: false, anonymous: true });
    assert.equal(res.status, 403);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
  });
});
