/**
 * Thumbnails under a viewer's load (issue 12.6): identical concurrent
 * requests for an uncached page render it once; the per-origin rate limit
 * that blunts a flood of calls neither refuses a page's own <img> requests
 * nor the local administrator, while image requests that fail their checks
 * are limited like calls; a cached thumbnail (served without the framework)
 * is answered exactly as the rendered one was. (Throughput is bench/thumbnails.)
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
/** A second approved origin, whose image bucket a test may empty. */
const OTHER = 'https://other.example';
const EVIL = 'https://evil.example';
let svc: InProcess;
let token: string;
let session: string;
let otherToken: string;
let otherSession: string;

const page = async (path: string, body: object, origin = APP, pageToken = token) => {
  const res = await request(`${svc.base}${path}`, { method: 'POST', anonymous: true, headers: { 'content-type': 'application/json', origin, ...(pageToken ? { [TOKEN_HEADER]: pageToken } : {}) }, body: JSON.stringify(body) });
  return { status: res.status, body: JSON.parse(res.body.toString()) as { result?: unknown[]; error?: { code: string } } };
};

before(async () => {
  svc = await startInProcess({ 'allowed-origins': `${APP},${OTHER}` });
  token = ((await page('/fa/RequestAccess', { params: {} })).body.result![0] as { token: string }).token;
  session = ((await page('/fa/CreateSession', { params: {} })).body.result![0] as { id: string }).id;
  const data = (await sharp({ create: { width: 600, height: 800, channels: 3, background: '#7a9', noise: { type: 'gaussian', mean: 128, sigma: 30 } } }).jpeg().toBuffer()).toString('base64');
  assert.equal((await page('/f/AddImage', { id: session, params: { data } })).status, 200);
  otherToken = ((await page('/fa/RequestAccess', { params: {} }, OTHER, '')).body.result![0] as { token: string }).token;
  otherSession = ((await page('/fa/CreateSession', { params: {} }, OTHER, otherToken)).body.result![0] as { id: string }).id;
  assert.equal((await page('/f/AddImage', { id: otherSession, params: { data } }, OTHER, otherToken)).status, 200);
});
after(async () => {
  await svc.close();
});

/** Empties the bucket of `key` as of 10 s from now: it is refused until then. */
const exhaust = (key: string, limiter = svc.service.ctx.limiter) => {
  while (limiter.take(key, Date.now() + 10_000));
};

/** A signed image URL, as the SDK makes it for a page's <img> (on `base`, by default the API port). */
const imageUrl = (side: number, base = svc.base, id = session, signingToken = token) => {
  const exp = Math.floor(Date.now() / 1000) + 600;
  return `${base}/dwt/dwt_${VERSION_CODE}/img?id=${id}&index=0&width=${side}&height=${side}&ticks=0&exp=${exp}&sig=${encodeURIComponent(imageSignature(tokenHash(signingToken), id, exp))}`;
};
const img = async (side: number) => (await request(imageUrl(side), { anonymous: true, headers: { origin: APP } })).status;
/** As a browser's <img> asks: no Origin header (a no-cors GET carries none), no token. */
const imgAsBrowser = (url: string, headers: Record<string, string> = {}) => request(url, { anonymous: true, headers });
/** An image URL whose signature is wrong, as a page without a token can only guess one. */
const forgedUrl = () => imageUrl(64).replace(/sig=[^&]*/, 'sig=AAAA');

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

it("an approved page's images, sent without an Origin as an <img> sends them, count for the session's origin, not for everyone without one", async () => {
  // A flood of images from elsewhere (anonymous) leaves this page's images alone...
  exhaust('anonymous', svc.service.ctx.imageLimiter);
  assert.equal((await imgAsBrowser(imageUrl(64, svc.base, otherSession, otherToken))).status, 200);
  // ...and the page's own bucket is the one its images use up.
  exhaust(OTHER, svc.service.ctx.imageLimiter);
  const refused = await imgAsBrowser(imageUrl(64, svc.base, otherSession, otherToken));
  assert.equal(refused.status, 429);
  assert.equal((JSON.parse(refused.body.toString()) as { error: { code: string } }).error.code, 'too-many-requests');
});

it('image requests that fail their checks are limited like calls: an unapproved origin gets no thumbnail-sized bucket', async () => {
  const codeOf = (res: { body: Buffer }) => (JSON.parse(res.body.toString()) as { error: { code: string } }).error.code;
  assert.equal(codeOf(await imgAsBrowser(forgedUrl(), { origin: EVIL })), 'unknown-session');
  exhaust(EVIL);
  assert.equal(codeOf(await imgAsBrowser(forgedUrl(), { origin: EVIL })), 'too-many-requests');
  // The same without an Origin (an unapproved page's <img>): its guesses count with every anonymous call.
  exhaust('anonymous');
  assert.equal(codeOf(await imgAsBrowser(forgedUrl())), 'too-many-requests');
  // A page whose calls are used up still gets its own images (signed URLs do not fail their checks).
  assert.equal((await imgAsBrowser(imageUrl(64))).status, 200);
});

it('a cached thumbnail is answered exactly as the rendered one was (API and welcome ports, with and without Origin), and revalidates to the same 304', async () => {
  const welcome = `http://127.0.0.1:${svc.ports.welcomeHttp}`;
  const cases: Array<[string, string, Record<string, string>]> = [
    ['API port, the page', svc.base, { origin: APP }],
    ['API port, an <img>', svc.base, {}],
    ['API port, another origin showing a leaked URL', svc.base, { origin: EVIL }],
    ['welcome port, an <img>', welcome, {}],
  ];
  const comparable = (headers: Record<string, unknown>) => {
    const { date: _date, ...rest } = headers;
    return rest;
  };
  for (const [side, [name, base, headers]] of cases.map((c, i) => [90 + i, c] as const)) {
    const url = imageUrl(side, base);
    const renders = svc.service.ctx.images.renders;
    const rendered = await imgAsBrowser(url, headers);
    const cached = await imgAsBrowser(url, headers);
    assert.equal(svc.service.ctx.images.renders, renders + 1, name);
    assert.equal(rendered.status, 200, name);
    assert.equal(cached.status, 200, name);
    assert.deepEqual(comparable(cached.headers), comparable(rendered.headers), name);
    assert.ok(cached.body.equals(rendered.body), name);
    const revalidated = await imgAsBrowser(url, { ...headers, 'if-none-match': String(rendered.headers.etag) });
    assert.equal(revalidated.status, 304, name);
    const { 'content-type': _t, 'content-length': _l, 'x-image-width': _w, 'x-image-height': _h, ...unchanged } = comparable(rendered.headers);
    assert.deepEqual(comparable(revalidated.headers), unchanged, name);
  }
});

it('an image URL that worked stops working as soon as its origin is revoked', async () => {
  const USER = 'https://approved-by-user.example';
  const approvals = svc.service.ctx.approvals;
  await approvals.approve(USER, 'user');
  const userToken = await approvals.issue(USER);
  const userSession = ((await page('/fa/CreateSession', { params: {} }, USER, userToken)).body.result![0] as { id: string }).id;
  const data = (await sharp({ create: { width: 40, height: 60, channels: 3, background: '#345' } }).jpeg().toBuffer()).toString('base64');
  assert.equal((await page('/f/AddImage', { id: userSession, params: { data } }, USER, userToken)).status, 200);
  const url = imageUrl(32, svc.base, userSession, userToken);
  assert.equal((await imgAsBrowser(url)).status, 200);
  assert.equal((await imgAsBrowser(url)).status, 200);
  assert.equal(await approvals.revoke(USER), true);
  // With its Origin: the bucket of callers without one was emptied above, and the refusal counts there.
  const refused = await imgAsBrowser(url, { origin: USER });
  assert.equal((JSON.parse(refused.body.toString()) as { error: { code: string } }).error.code, 'unknown-session');
});
