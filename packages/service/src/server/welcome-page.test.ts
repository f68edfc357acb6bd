/** The welcome page on both welcome ports: version, uptime, devices, sessions, documentation links. */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startInProcess, rpc, type InProcess } from '../test-support/service-harness.js';
import { request } from '../test-support/net.js';
import { VERSION } from '../version.js';

let svc: InProcess;
before(async () => {
  svc = await startInProcess();
});
after(() => svc.close());

it('shows version, uptime, devices, sessions, README links and the SDK guide, and cannot be framed', async () => {
  await rpc(svc.base, 'fa', 'CreateSession');
  await rpc(svc.base, 'fa', 'CreateSession');
  const ca = await readFile(path.join(svc.home, 'cert', 'scanbridge.crt'), 'utf8');
  for (const base of [`http://127.0.0.1:${svc.ports.welcomeHttp}`, `https://127.0.0.1:${svc.ports.welcomeHttps}`]) {
    const res = await request(`${base}/`, { ca });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.equal(res.headers['x-frame-options'], 'DENY');
    const html = res.body.toString();
    assert.ok(html.includes(`Version <b>${VERSION}</b>`));
    assert.match(html, /up for <span id="uptime">\d+ min<\/span>/);
    assert.match(html, /<span id="sessions">2<\/span> session/);
    assert.match(html, /<code>demo:scanner<\/code>/);
    assert.match(html, /href="[^"]+#quick-start"/);
    assert.match(html, /href="[^"]+#configuration"/);
    assert.match(html, /<a id="sdk-guide" href="https:\/\/github\.com\/scanbridge\/scanbridge\/blob\/main\/packages\/client\/README\.md">SDK guide<\/a>/);
  }
});

it('the API ports answer / with where the welcome page is', async () => {
  const res = await request(`${svc.base}/`);
  assert.equal(res.status, 200);
  assert.equal(JSON.parse(res.body.toString()).welcome, `http://127.0.0.1:${svc.ports.welcomeHttp}/`);
});
