/** The SDK file and the demo, served by the service from the browser packages' dist folders. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { startInProcess, type InProcess } from '../test-support/service-harness.js';
import { rawStatus, request } from '../test-support/net.js';
import { registerStaticRoutes } from './static-routes.js';

describe('static routes', () => {
  let svc: InProcess;
  before(async () => {
    svc = await startInProcess();
  });
  after(() => svc?.close());

  const get = (port: number, path: string) => request(`http://127.0.0.1:${port}${path}`, { anonymous: true });

  it('serves the SDK for a <script> tag on every listener', async () => {
    for (const port of [svc.ports.http, svc.ports.welcomeHttp]) {
      const res = await get(port, '/sdk/scanbridge.js');
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'text/javascript; charset=utf-8');
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.match(res.body.toString('utf8', 0, 100), /^"use strict";var scanbridge=/);
    }
    assert.equal((await get(svc.ports.http, '/sdk/scanbridge.js.map')).status, 200);
    assert.equal((await get(svc.ports.http, '/sdk/index.js')).status, 404);
  });

  it('redirects /demo to the demo with the ports of the API, on the welcome ports only', async () => {
    const res = await get(svc.ports.welcomeHttp, '/demo');
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, `/demo/?http=${svc.ports.http}&https=${svc.ports.https}`);
    const page = await get(svc.ports.welcomeHttp, '/demo/?http=1');
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(page.body.toString(), /<scan-viewer id="viewer"/);
    assert.equal((await get(svc.ports.welcomeHttp, '/demo/demo.js')).headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal((await get(svc.ports.welcomeHttp, '/demo/demo.css')).headers['content-type'], 'text/css; charset=utf-8');
    assert.equal((await get(svc.ports.http, '/demo/')).status, 404);
  });

  it('serves nothing outside the dist folder', async () => {
    for (const path of ['/demo/..%2fpackage.json', '/demo/%2e%2e%2f%2e%2e%2fpackage.json', '/demo/.hidden.js', '/demo/e2e', '/demo/tsconfig.tsbuildinfo']) {
      const status = await rawStatus(svc.ports.welcomeHttp, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${svc.ports.welcomeHttp}\r\nConnection: close\r\n\r\n`);
      assert.equal(status, 404, path);
    }
  });

  it('names the build step when the packages are not built', async () => {
    const app = Fastify();
    registerStaticRoutes(app, { ports: svc.ports }, 'welcome', { client: null, demo: '/nonexistent/dist' });
    for (const url of ['/sdk/scanbridge.js', '/demo/']) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 404);
      const body = res.json() as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'not-found');
      assert.match(body.error.message, /is not built \(packages\/(client|demo)\/dist\/(scanbridge\.js|index\.html) is missing\): run `npm run build`/);
    }
    await app.close();
  });
});
