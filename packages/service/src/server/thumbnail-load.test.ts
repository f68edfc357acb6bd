/**
 * Thumbnails under a viewer's load (issue 12.6): identical concurrent
 * requests for an uncached page render it once, and the per-origin rate
 * limit that blunts a flood of calls neither refuses a page's own <img>
 * requests nor the local administrator. (Throughput is bench/thumbnails.)
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { TOKEN_HEADER } from '@scanbridge/protocol';
import { adminHeaders, rpc, startInProcess, type InProcess } from '../test-support/service-harness.js';
import { request } from '../test-support/net.js';
import { imageSignature } from '../security/image-signature.js';
import { LOCAL_ORIGIN } from '../security/origin-check.js';
import { tokenHash } from '../security/secrets.js';
import { VERSION_CODE } from '../version.js';

const APP = 'https://viewer.example';
let svc: InProcess;
let token: string;
let session: string;

const page = async (path: string, body: object) => {
  const res = await request(`${svc.base}${path}`, { method: 'POST', anonymous: true, headers: { 'content-type': 'application/json', origin: APP, ...(token ? { [TOKEN_HEADER]: token } : {}) }, body: JSON.stringify(body) });
  return { status: res.status, body: JSON.parse(res.body.toString()) as { result?: unknown[]; error?: { code: string } } };
};

before(async () => {
  svc = await startInProcess({ 'allowed-origins': APP });
  token = ((await page('/fa/RequestAccess', { params: {} })).body.result![0] as { token: string }).token;
  session = ((await page('/fa/CreateSession', { params: {} })).body.result![0] as { id: string }).id;
  const data = (await sharp({ create: { width: 600, height: 800, channels: 3, background: '#7a9', noise: { type: 'gaussian', mean: 128, sigma: 30 } } }).jpeg().toBuffer()).toString('base64');
  assert.equal((await page('/f/AddImage', { id: session, params: { data } })).status, 200);
});
after(async () => {
  await svc.close();
});

/** Empties the bucket of `key` as of 10 s from now: it is refused until then. */
const exhaust = (key: string) => {
  while (svc.service.ctx.limiter.take(key, Date.now() + 10_000));
};

/** As the page's <img> asks: a signed URL, the page's Origin, no token header. */
const imageUrl = (side: number) => {
  const exp = Math.floor(Date.now() / 1000) + 600;
  return `${svc.base}/dwt/dwt_${VERSION_CODE}/img?id=${session}&index=0&width=${side}&height=${side}&exp=${exp}&sig=${encodeURIComponent(imageSignature(tokenHash(token), session, exp))}`;
};
const img = async (side: number) => (await request(imageUrl(side), { anonymous: true, headers: { origin: APP } })).status;

it('sixteen identical concurrent requests for an uncached thumbnail render it once, and all get it', async () => {
  // The page takes a while to load (as one from the disk cache may), so the requests overlap.
  const buffer = svc.service.ctx.sessions.get(session).buffer;
  const getImage = buffer.getImage.bind(buffer);
  buffer.getImage = async (ref) => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return getImage(ref);
  };
  const before = svc.service.ctx.images.renders;
  const statuses = await Promise.all(Array.from({ length: 16 }, () => img(123)));
  assert.deepEqual(new Set(statuses), new Set([200]));
  assert.equal(svc.service.ctx.images.renders, before + 1);
  // A different size is another render; the same size again is the cache.
  await Promise.all([img(124), img(124), img(123)]);
  assert.equal(svc.service.ctx.images.renders, before + 2);
  buffer.getImage = getImage;
});

it("a page whose calls reached the origin's rate limit still gets its thumbnails, and its calls are still limited", async () => {
  exhaust(APP);
  const refused = await page('/f/GetImageCount', { id: session, params: {} });
  assert.equal(refused.body.error?.code, 'too-many-requests');
  const statuses: number[] = [];
  for (let i = 0; i < 200; i++) statuses.push(await img(64));
  assert.deepEqual(new Set(statuses), new Set([200]), 'every thumbnail answered');
});

it('the local administrator is not rate-limited', async () => {
  exhaust(LOCAL_ORIGIN);
  const res = await rpc(svc.base, 'f', 'GetImageCount', {}, session);
  assert.equal(res.status, 200, JSON.stringify(res.body.error));
  const thumb = await request(`${svc.base}/dwt/dwt_${VERSION_CODE}/img?id=${session}&index=0&width=64&height=64`, { anonymous: true, headers: adminHeaders(svc.base) });
  assert.equal(thumb.status, 200);
});
