/** The seed's three URL forms, on all four listeners, with the exact envelope. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { startInProcess, rpc, type InProcess } from '../test-support/service-harness.js';
import { pnmSize, request } from '../test-support/net.js';
import { VERSION_CODE, VERSION_INFO } from '../version.js';

async function png(width: number, height: number, color = '#3366cc'): Promise<string> {
  return (await sharp({ create: { width, height, channels: 3, background: color } }).png().toBuffer()).toString('base64');
}

describe('seed endpoints', () => {
  let svc: InProcess;
  let ca: string;
  let bases: string[];

  before(async () => {
    svc = await startInProcess();
    ca = await readFile(path.join(svc.home, 'cert', 'scanbridge.crt'), 'utf8');
    const p = svc.ports;
    bases = [`http://127.0.0.1:${p.http}`, `https://127.0.0.1:${p.https}`, `http://127.0.0.1:${p.welcomeHttp}`, `https://127.0.0.1:${p.welcomeHttps}`];
  });
  after(() => svc.close());

  it('GET /fa/VersionInfo answers the exact envelope on every port, HTTPS verified against the generated certificate', async () => {
    assert.match(VERSION_INFO, /^\d+, \d+, \d+, \d{4}$/);
    for (const base of bases) {
      const res = await request(`${base}/fa/VersionInfo?ts=1603161807908`, { ca });
      assert.equal(res.status, 200, base);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.equal(res.body.toString(), `{"id":"1","method":"VersionInfo","result":["${VERSION_INFO}","","64"],"cmdId":""}`, base);
    }
  });

  it('/f/RemoveAllImages?<n> empties the named session on every port', async () => {
    for (const base of bases) {
      const created = await rpc(svc.base, 'fa', 'CreateSession');
      const session = (created.body.result![0] as { id: string }).id;
      await rpc(svc.base, 'f', 'AddImage', { data: await png(40, 30) }, session);
      await rpc(svc.base, 'f', 'AddImage', { data: await png(40, 30) }, session);
      const res = await request(`${base}/f/RemoveAllImages?753350643`, {
        method: 'POST',
        ca,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: session }),
      });
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), `{"id":"${session}","method":"RemoveAllImages","result":[true],"cmdId":""}`);
      const count = await rpc(svc.base, 'f', 'GetImageCount', {}, session);
      assert.deepEqual(count.body.result, [0]);
    }
  });

  it('GET /dwt/dwt_<code>/img answers the page fitted inside w x h, aspect kept, for an independent decoder', async () => {
    const session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    await rpc(svc.base, 'f', 'AddImage', { data: await png(1000, 500) }, session);
    await rpc(svc.base, 'f', 'AddImage', { data: await png(300, 900, '#cc3300') }, session);
    for (const base of bases) {
      const wide = await request(`${base}/dwt/dwt_${VERSION_CODE}/img?id=${session}&index=0&width=585&height=513&ticks=1603162807999`, { ca });
      assert.equal(wide.status, 200);
      assert.equal(wide.headers['content-type'], 'image/jpeg');
      assert.deepEqual(await pnmSize(wide.body, 'jpeg'), { kind: 'P6', width: 585, height: 293 });
      const tall = await request(`${base}/dwt/dwt_${VERSION_CODE}/img?id=${session}&index=1&width=585&height=513&ticks=1`, { ca });
      assert.deepEqual(await pnmSize(tall.body, 'jpeg'), { kind: 'P6', width: 171, height: 513 });
    }
    // A box larger than the page never enlarges it.
    const big = await request(`${svc.base}/dwt/dwt_${VERSION_CODE}/img?id=${session}&index=0&width=4000&height=4000&ticks=2`);
    assert.deepEqual(await pnmSize(big.body, 'jpeg'), { kind: 'P6', width: 1000, height: 500 });
  });

  it('image endpoint: 404 page-not-found for a bad index, unknown-session, bad sizes are 400', async () => {
    const session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    await rpc(svc.base, 'f', 'AddImage', { data: await png(10, 10) }, session);
    const bad = await request(`${svc.base}/dwt/dwt_${VERSION_CODE}/img?id=${session}&index=1&width=10&height=10`);
    assert.equal(bad.status, 404);
    const body = JSON.parse(bad.body.toString());
    assert.equal(body.error.code, 'page-not-found');
    assert.match(body.error.message, /1/);
    const unknown = await request(`${svc.base}/dwt/dwt_${VERSION_CODE}/img?id=nope&index=0&width=10&height=10`);
    assert.equal(unknown.status, 404);
    assert.equal(JSON.parse(unknown.body.toString()).error.code, 'unknown-session');
    for (const q of ['width=0&height=10', 'width=abc&height=10', 'width=10&height=-1', 'width=10&height=99999']) {
      const res = await request(`${svc.base}/dwt/dwt_${VERSION_CODE}/img?id=${session}&index=0&${q}`);
      assert.equal(res.status, 400, q);
      assert.equal(JSON.parse(res.body.toString()).error.code, 'invalid-params', q);
    }
    const neg = await request(`${svc.base}/dwt/dwt_${VERSION_CODE}/img?id=${session}&index=-1&width=10&height=10`);
    assert.equal(neg.status, 400);
  });

  it('image caching: ETag per page version, 304 when unchanged, never the old image after a change', async () => {
    const session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    await rpc(svc.base, 'f', 'AddImage', { data: await png(100, 100, '#ff0000') }, session);
    const url = `${svc.base}/dwt/dwt_${VERSION_CODE}/img?id=${session}&index=0&width=50&height=50`;
    const first = await request(url);
    assert.match(String(first.headers['cache-control']), /no-cache/);
    const etag = String(first.headers.etag);
    assert.ok(etag.length > 2);
    const again = await request(url, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    // Put another page in front: index 0 now shows another image with another ETag.
    await rpc(svc.base, 'f', 'AddImage', { data: await png(100, 100, '#0000ff'), index: 0 }, session);
    const changed = await request(url, { headers: { 'if-none-match': etag } });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.etag, etag);
    const { dominant } = await sharp(changed.body).stats();
    assert.ok(dominant.b > 200 && dominant.r < 50, `expected the blue page, got ${JSON.stringify(dominant)}`);
  });
});
