/**
 * The attack suite: each rule of the security model against the requests a
 * hostile page (or a local program pretending to be one) can send. Every case
 * asserts the refusal and its code, and that the legitimate client's buffer is
 * untouched and still served.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import WebSocket from 'ws';
import { TOKEN_HEADER, type AccessGrant } from '@scanbridge/protocol';
import { runCli, startChild, startInProcess, rpc, tempHome, tokenFor, type InProcess } from '../test-support/service-harness.js';
import { request, type RawResponse } from '../test-support/net.js';
import { VERSION_CODE } from '../version.js';
import { imageSignature } from './image-signature.js';
import { tokenHash } from './secrets.js';

const APP = 'https://app.example.com';
const OTHER = 'https://other.example.com';
const EVIL = 'https://evil.example';

const json = (res: RawResponse) => JSON.parse(res.body.toString()) as { result?: unknown[]; error?: { code: string; message: string } };

describe('attack suite', () => {
  let svc: InProcess;
  let appToken: string;
  let otherToken: string;
  let session: string;

  /** A call as a browser page of `origin` would send it. */
  const page = (origin: string | undefined, path: string, body: object | string, headers: Record<string, string> = {}) =>
    request(`${svc.base}${path}`, {
      method: 'POST',
      anonymous: true,
      headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}), ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const grant = async (origin: string) => {
    const res = await page(origin, '/fa/RequestAccess', { params: {} });
    assert.equal(res.status, 200, res.body.toString());
    return json(res).result![0] as AccessGrant;
  };
  const count = async () => (await rpc(svc.base, 'f', 'GetImageCount', {}, session)).body.result![0];

  before(async () => {
    svc = await startInProcess({ 'allowed-origins': APP });
    assert.equal((await rpc(svc.base, 'fa', 'AllowOrigin', { origin: OTHER })).status, 200);
    const a = await grant(APP);
    const o = await grant(OTHER);
    assert.equal(a.state, 'approved');
    assert.equal(o.state, 'approved');
    appToken = (a as { token: string }).token;
    otherToken = (o as { token: string }).token;
    const created = await page(APP, '/fa/CreateSession', { params: {} }, { [TOKEN_HEADER]: appToken });
    session = (json(created).result![0] as { id: string }).id;
    const data = (await sharp({ create: { width: 40, height: 40, channels: 3, background: '#345' } }).png().toBuffer()).toString('base64');
    await page(APP, '/f/AddImage', { id: session, params: { data } }, { [TOKEN_HEADER]: appToken });
    assert.equal(await count(), 1);
  });
  after(() => svc.close());

  it('origin variants are refused before anything else: null, look-alikes, user info, paths, case, default ports, dots', async () => {
    const variants = ['null', `${APP}/`, `${APP}/path`, 'https://APP.example.com', 'https://app.example.com:443', 'https://app.example.com.', 'https://user@app.example.com', 'https://app.example.com@evil.example', 'file://', 'javascript:alert(1)', 'https://app.example.com evil', 'http://0x7f000001', ''];
    for (const origin of variants) {
      const res = await page(origin, '/fa/CreateSession', { params: {} }, { [TOKEN_HEADER]: appToken });
      assert.equal(res.status, 403, origin);
      assert.ok(['origin-not-allowed', 'token-invalid'].includes(json(res).error!.code), `${origin}: ${json(res).error!.code}`);
    }
  });

  it('prefix, suffix and IP look-alike origins of an approved one get no token and no CORS', async () => {
    for (const origin of ['https://app.example.com.evil.example', 'https://evilapp.example.com', 'https://app.example.co', 'http://app.example.com', 'http://127.0.0.1.evil.example']) {
      const res = await page(origin, '/fa/RequestAccess', { params: {} });
      assert.equal(res.status, 200, origin);
      assert.equal((json(res).result![0] as AccessGrant).state, 'pending', origin);
      const call = await page(origin, '/fa/ListDevices', { params: {} }, { [TOKEN_HEADER]: appToken });
      assert.equal(call.status, 403, origin);
      assert.equal(json(call).error!.code, 'token-invalid');
    }
  });

  it('simple-request CSRF (form posts, text/plain, no token) changes nothing', async () => {
    for (const [type, body] of [
      ['application/x-www-form-urlencoded', `id=${session}`],
      ['text/plain', JSON.stringify({ id: session })],
      ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="id"\r\n\r\n${session}\r\n--x--`],
    ] as const) {
      for (const origin of [EVIL, APP, undefined]) {
        const res = await page(origin, '/f/RemoveAllImages', body, { 'content-type': type });
        assert.equal(res.status, 403, `${type} from ${origin}`);
        assert.equal(json(res).error!.code, 'token-invalid');
      }
    }
    // GET (an <img>, a link, sendBeacon's cousin) never changes state, even with a token.
    const get = await request(`${svc.base}/f/RemoveAllImages?id=${session}`, { headers: { origin: APP, [TOKEN_HEADER]: appToken }, anonymous: true });
    assert.equal(get.status, 405);
    assert.equal(await count(), 1);
  });

  it("another origin's token is refused, and another origin's session does not exist for it", async () => {
    const stolen = await page(EVIL, '/f/GetImageCount', { id: session }, { [TOKEN_HEADER]: appToken });
    assert.equal(stolen.status, 403);
    assert.equal(json(stolen).error!.code, 'token-invalid');
    const foreign = await page(OTHER, '/f/RemoveAllImages', { id: session }, { [TOKEN_HEADER]: otherToken });
    assert.equal(foreign.status, 404);
    assert.equal(json(foreign).error!.code, 'unknown-session');
    const noOrigin = await page(undefined, '/f/GetImageCount', { id: session }, { [TOKEN_HEADER]: appToken });
    assert.equal(json(noOrigin).error!.code, 'token-invalid', 'a page token without its Origin is not the administrator token');
    const forged = await page(APP, '/fa/ListDevices', { params: {} }, { [TOKEN_HEADER]: tokenFor(svc.base)! });
    assert.equal(json(forged).error!.code, 'token-invalid', 'the administrator token is not accepted from a page');
    assert.equal(await count(), 1);
  });

  it('administrator-only methods refuse page tokens', async () => {
    // A page must not point the service at hosts of its choosing either (network scanners).
    for (const method of ['ListOrigins', 'AllowOrigin', 'RevokeOrigin', 'ListNetworkScanners', 'AddNetworkScanner', 'RemoveNetworkScanner']) {
      const params = method.startsWith('List') ? {} : method.endsWith('NetworkScanner') ? { url: 'http://192.0.2.7/eSCL' } : { origin: EVIL };
      const res = await page(APP, `/fa/${method}`, { params }, { [TOKEN_HEADER]: appToken });
      assert.equal(res.status, 403, method);
      assert.equal(json(res).error!.code, 'token-invalid');
    }
  });

  it('WebSocket flood: messages beyond the rate or the waiting limit are answered too-many-requests; the socket and the service stay up', async () => {
    const FLOOD = 'https://flood.example';
    assert.equal((await rpc(svc.base, 'fa', 'AllowOrigin', { origin: FLOOD })).status, 200);
    const { token } = (await grant(FLOOD)) as { token: string };
    const ws = new WebSocket(`ws://127.0.0.1:${svc.ports.http}/ws?token=${encodeURIComponent(token)}`, { headers: { origin: FLOOD } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const N = 3000;
    const codes = new Map<string, number>();
    const answered = new Promise<void>((resolve) => {
      let n = 0;
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString()) as { result?: unknown; error?: { code: string } };
        const key = m.result ? 'result' : m.error!.code;
        codes.set(key, (codes.get(key) ?? 0) + 1);
        if (++n === N) resolve();
      });
    });
    for (let i = 0; i < N; i++) ws.send(JSON.stringify({ method: 'VersionInfo', params: {}, cmdId: String(i) }));
    await answered;
    assert.deepEqual([...codes.keys()].sort(), ['result', 'too-many-requests'], JSON.stringify([...codes]));
    assert.equal(ws.readyState, WebSocket.OPEN);
    ws.close();
    assert.equal(await count(), 1, "the page's buffer is still served");
  });

  it('WebSocket hijack: no token, a foreign origin, or a token of another origin are refused', async () => {
    const open = (headers: Record<string, string>, query: string) =>
      new Promise<{ code: number; first: string | null; status: number | null }>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${svc.ports.http}/ws?id=${session}${query}`, { headers });
        let first: string | null = null;
        ws.on('message', (d) => (first ??= d.toString()));
        ws.on('close', (code) => resolve({ code, first, status: null }));
        ws.on('unexpected-response', (req, res) => {
          // A refused upgrade leaves the HTTP request open unless it is ended here.
          req.destroy();
          resolve({ code: 0, first: null, status: res.statusCode ?? 0 });
        });
        ws.on('error', () => undefined);
      });
    const noToken = await open({ origin: EVIL }, '');
    assert.equal(noToken.code, 4403);
    assert.equal(JSON.parse(noToken.first!).error.code, 'token-invalid');
    const wrongOrigin = await open({ origin: EVIL }, `&token=${appToken}`);
    assert.equal(wrongOrigin.status, 403);
    const otherSession = await open({ origin: OTHER }, `&token=${otherToken}`);
    assert.equal(otherSession.code, 4404);
    const badHost = await open({ origin: APP, host: `evil.example:${svc.ports.http}` }, `&token=${appToken}`);
    assert.equal(badHost.status, 403);
  });

  it('image URLs: unsigned, foreign-signed and expired signatures are refused; a valid one works', async () => {
    const base = `${svc.base}/dwt/dwt_${VERSION_CODE}/img?id=${session}&index=0&width=20&height=20`;
    const exp = Math.floor(Date.now() / 1000) + 600;
    const ok = await request(`${base}&exp=${exp}&sig=${imageSignature(tokenHash(appToken), session, exp)}`, { anonymous: true });
    assert.equal(ok.status, 200);
    const cases: Array<[string, string]> = [
      ['', 'token-invalid'],
      [`&exp=${exp}&sig=${imageSignature(tokenHash(otherToken), session, exp)}`, 'unknown-session'],
      [`&exp=${exp + 1}&sig=${imageSignature(tokenHash(appToken), session, exp)}`, 'unknown-session'],
      [`&exp=${exp - 1200}&sig=${imageSignature(tokenHash(appToken), session, exp - 1200)}`, 'token-invalid'],
      [`&exp=${exp + 7 * 86400}&sig=${imageSignature(tokenHash(appToken), session, exp + 7 * 86400)}`, 'unknown-session'],
    ];
    for (const [query, code] of cases) {
      const res = await request(`${base}${query}`, { anonymous: true });
      assert.ok(res.status === 403 || res.status === 404, query);
      assert.equal(json(res).error!.code, code, query);
    }
  });

  it('path traversal strings reach nothing', async () => {
    for (const path of ['/dwt/../../etc/passwd', '/sdk/../../package.json', '/sdk/%2e%2e/%2e%2e/package.json', '/demo/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/etc/passwd', '/f/..%2f..%2fetc%2fpasswd']) {
      const res = await request(`${svc.base}${path}`, { anonymous: true });
      assert.ok(res.status === 404 || res.status === 403, `${path}: ${res.status}`);
      assert.doesNotMatch(res.body.toString(), /"name":|root:/, path);
    }
  });

  it('oversized bodies are 413 and slow clients do not stop the service from serving others', async () => {
    const big = await page(APP, '/f/AddImage', JSON.stringify({ id: session, params: { data: 'A'.repeat(80 * 1024 * 1024) } }), { [TOKEN_HEADER]: appToken });
    assert.equal(big.status, 413);
    assert.equal(json(big).error!.code, 'too-large');
    const slow: net.Socket[] = [];
    for (let i = 0; i < 50; i++) {
      const socket = net.connect(svc.ports.http, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(`POST /f/GetImageCount HTTP/1.1\r\nHost: 127.0.0.1:${svc.ports.http}\r\nContent-Length: 100000\r\n\r\n{"id":`);
      slow.push(socket);
    }
    try {
      assert.equal(await count(), 1, 'the legitimate client is still served');
    } finally {
      for (const s of slow) s.destroy();
    }
  });

  it('consent: pending for an unknown origin, the page shows the real origin, decisions only from the consent page, then a token that works until revoked', async () => {
    const origin = 'https://newcomer.example';
    const pending = await grant(origin);
    assert.equal(pending.state, 'pending');
    const { request: id, consentUrl } = pending as { request: string; consentUrl: string };
    assert.equal(consentUrl, `http://127.0.0.1:${svc.ports.welcomeHttp}/consent?request=${id}`);
    const consent = await request(consentUrl, { anonymous: true });
    assert.equal(consent.status, 200);
    assert.equal(consent.headers['x-frame-options'], 'DENY');
    assert.match(String(consent.headers['content-security-policy']), /frame-ancestors 'none'/);
    const html = consent.body.toString();
    assert.match(html, /<p class="origin" id="origin">https:\/\/newcomer\.example<\/p>/);
    const csrf = /name="csrf" value="([0-9a-f]+)"/.exec(html)![1]!;
    const welcome = `http://127.0.0.1:${svc.ports.welcomeHttp}`;
    const decide = (origin: string | undefined, fields: string) =>
      request(`${welcome}/consent/decide`, { method: 'POST', anonymous: true, headers: { 'content-type': 'application/x-www-form-urlencoded', ...(origin ? { origin } : {}) }, body: fields });
    assert.equal((await decide(origin, `request=${id}&csrf=${csrf}&decision=allow`)).status, 403, 'the page cannot approve itself');
    assert.equal((await decide(undefined, `request=${id}&csrf=${csrf}&decision=allow`)).status, 403);
    assert.equal((await decide(welcome, `request=${id}&csrf=${'0'.repeat(32)}&decision=allow`)).status, 403, 'a forged form');
    assert.equal((json(await page(origin, '/fa/RequestAccess', { params: { request: id } })).result![0] as AccessGrant).state, 'pending');
    const allowed = await decide(welcome, `request=${id}&csrf=${csrf}&decision=allow`);
    assert.equal(allowed.status, 200);
    assert.match(allowed.body.toString(), /You allowed <b>https:\/\/newcomer\.example<\/b>/);
    const approved = json(await page(origin, '/fa/RequestAccess', { params: { request: id } })).result![0] as AccessGrant;
    assert.equal(approved.state, 'approved');
    const token = (approved as { token: string }).token;
    assert.ok(Buffer.from(token, 'base64url').length >= 16, 'at least 128 bits');
    assert.equal((await page(origin, '/fa/ListDevices', { params: {} }, { [TOKEN_HEADER]: token })).status, 200);
    assert.equal((await rpc(svc.base, 'fa', 'RevokeOrigin', { origin })).body.result![0], true);
    const after = await page(origin, '/fa/ListDevices', { params: {} }, { [TOKEN_HEADER]: token });
    assert.equal(after.status, 403);
    assert.equal(json(after).error!.code, 'token-invalid');
  });

  it('a denied request ends with origin-not-allowed; asking again (a reload) reuses the pending request, many origins at once are limited', async () => {
    const origin = 'https://pushy.example';
    const first = (await grant(origin)) as { request: string; consentUrl: string };
    const csrf = /name="csrf" value="([0-9a-f]+)"/.exec((await request(first.consentUrl, { anonymous: true })).body.toString())![1]!;
    const welcome = `http://127.0.0.1:${svc.ports.welcomeHttp}`;
    await request(`${welcome}/consent/decide`, { method: 'POST', anonymous: true, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: welcome }, body: `request=${first.request}&csrf=${csrf}&decision=deny` });
    const refused = await page(origin, '/fa/RequestAccess', { params: { request: first.request } });
    assert.equal(refused.status, 403);
    assert.equal(json(refused).error!.code, 'origin-not-allowed');
    // Reloads: the same pending request and consent page every time, and the page still opens.
    const asked: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await page(origin, '/fa/RequestAccess', { params: {} });
      assert.equal(res.status, 200, res.body.toString());
      asked.push((json(res).result![0] as { request: string }).request);
    }
    assert.equal(new Set(asked).size, 1, 'one pending request for all the reloads');
    for (let i = 0; i < 6; i++) assert.equal((await request(`${welcome}/consent?request=${asked[0]}`, { anonymous: true })).status, 200);
    // Abuse: a program forging many origins fills the bounded list, and is refused.
    const codes = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const res = await page(`https://forged-${i}.example`, '/fa/RequestAccess', { params: {} });
      codes.add(res.status === 200 ? 'pending' : json(res).error!.code);
    }
    assert.deepEqual([...codes].sort(), ['pending', 'too-many-requests']);
    assert.equal((json(await page(origin, '/fa/RequestAccess', { params: {} })).result![0] as { request: string }).request, asked[0], 'the waiting page keeps its request');
  });

  it('the legitimate client kept its page through all of it', async () => {
    const res = await page(APP, '/f/GetImagesInfo', { id: session }, { [TOKEN_HEADER]: appToken });
    assert.equal(res.status, 200);
    assert.equal((json(res).result![0] as unknown[]).length, 1);
  });
});

/** Another program listening on `host`:`port` (a squatter): it answers every request with "squatter". */
const listenOn = (host: string, port: number) =>
  new Promise<net.Server>((resolve, reject) => {
    const server = net.createServer((socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 8\r\nconnection: close\r\n\r\nsquatter'));
    server.once('error', reject);
    server.listen({ host, port, ipv6Only: host === '::1' }, () => resolve(server));
  });
const closeServer = (server: net.Server) => new Promise((resolve) => server.close(resolve));

describe("attack suite: pages passing for the service's own", () => {
  let svc: InProcess;
  let ca: string;
  const welcomeSpellings = () => [
    ...['127.0.0.1', 'localhost', '[::1]'].map((name) => `http://${name}:${svc.ports.welcomeHttp}`),
    ...['127.0.0.1', 'localhost', '[::1]'].map((name) => `https://${name}:${svc.ports.welcomeHttps}`),
  ];
  const requestAccess = (base: string, origin: string, params: object) =>
    request(`${base}/fa/RequestAccess`, { method: 'POST', anonymous: true, headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ params }) });
  /** The grant the service writes into the demo page it serves at `welcome`. */
  const demoGrant = async (welcome: string) => {
    const res = await request(`${welcome}/demo/`, { anonymous: true, ca });
    assert.equal(res.status, 200);
    const meta = /<meta name="scanbridge-service" content="([^"]+)">/.exec(res.body.toString());
    assert.ok(meta, 'the demo page carries where the API is and its grant');
    return new URLSearchParams(meta[1]!.replace(/&amp;/g, '&')).get('grant')!;
  };

  before(async () => {
    svc = await startInProcess({ 'allowed-origins': APP });
    ca = await readFile(path.join(svc.home, 'cert', 'scanbridge.crt'), 'utf8');
  });
  after(() => svc?.close());

  it('every listener holds its port on IPv4 and IPv6 loopback: another program cannot listen there, and [::1] reaches the service', async () => {
    assert.deepEqual(svc.service.warnings, []);
    for (const [name, port] of Object.entries(svc.ports)) {
      for (const host of ['127.0.0.1', '::1']) {
        await assert.rejects(listenOn(host, port), { code: 'EADDRINUSE' }, `${name} on ${host}`);
      }
      const scheme = name === 'https' || name === 'welcomeHttps' ? 'https' : 'http';
      const res = await request(`${scheme}://[::1]:${port}/fa/VersionInfo`, { anonymous: true, ca });
      assert.equal(res.status, 200, `${name} over [::1]`);
    }
  });

  it("the service's own origins get a token only with the grant written into the page it served (each welcome port, HTTP and HTTPS, each loopback spelling)", async () => {
    const grants = [await demoGrant(`http://127.0.0.1:${svc.ports.welcomeHttp}`), await demoGrant(`https://[::1]:${svc.ports.welcomeHttps}`)];
    assert.equal(grants[0], grants[1]);
    for (const origin of welcomeSpellings()) {
      for (const params of [{}, { grant: 'A'.repeat(43) }]) {
        const res = await requestAccess(svc.base, origin, params);
        assert.equal(res.status, 403, `${origin} ${JSON.stringify(params)}: ${res.body.toString()}`);
        assert.equal(json(res).error!.code, 'origin-not-allowed');
      }
      const granted = await requestAccess(svc.base, origin, { grant: grants[0] });
      const token = (json(granted).result![0] as { token: string }).token;
      const call = await request(`${svc.base}/fa/ListDevices`, { method: 'POST', anonymous: true, headers: { 'content-type': 'application/json', origin, [TOKEN_HEADER]: token }, body: '{"params":{}}' });
      assert.equal(call.status, 200, origin);
    }
    // The grant is no pass for other websites: they still ask the user.
    const other = await requestAccess(svc.base, 'https://grabber.example', { grant: grants[0] });
    assert.equal((json(other).result![0] as AccessGrant).state, 'pending');
  });

  it('loopback origins on the service ports that the service does not hold get nothing, not even a consent page (another address, another name, the API ports)', async () => {
    const { http, https, welcomeHttp, welcomeHttps } = svc.ports;
    const grant = await demoGrant(`http://127.0.0.1:${welcomeHttp}`);
    const impostors = [
      `http://127.0.0.2:${welcomeHttp}`,
      `https://127.0.0.2:${welcomeHttps}`,
      `http://127.1.2.3:${welcomeHttp}`,
      `http://app.localhost:${welcomeHttp}`,
      `http://0.0.0.0:${welcomeHttp}`,
      `http://[::ffff:7f00:2]:${welcomeHttp}`,
      `https://127.0.0.1:${welcomeHttp}`,
      `http://127.0.0.1:${welcomeHttps}`,
      `http://127.0.0.1:${http}`,
      `https://localhost:${https}`,
    ];
    for (const origin of impostors) {
      for (const params of [{}, { grant }]) {
        const res = await requestAccess(svc.base, origin, params);
        assert.equal(res.status, 403, `${origin}: ${res.body.toString()}`);
        assert.equal(json(res).error!.code, 'origin-not-allowed', origin);
        assert.equal(res.headers['access-control-allow-origin'], origin, 'the page may read why');
      }
    }
  });

  it('the welcome ports answer no other origin with CORS, and nothing of theirs can be framed (each page, HTTP and HTTPS, IPv4 and IPv6)', async () => {
    const { request: id } = (json(await requestAccess(svc.base, 'https://framer.example', {})).result![0] as { request: string });
    const paths = ['/', `/consent?request=${id}`, '/demo/', '/demo/demo.js', '/demo/index.html', '/sdk/scanbridge.js', '/fa/VersionInfo', '/fa/RequestAccess', '/nowhere'];
    for (const base of [`http://127.0.0.1:${svc.ports.welcomeHttp}`, `http://[::1]:${svc.ports.welcomeHttp}`, `https://127.0.0.1:${svc.ports.welcomeHttps}`, `https://[::1]:${svc.ports.welcomeHttps}`]) {
      for (const origin of [APP, ...welcomeSpellings(), 'https://framer.example']) {
        for (const path of paths) {
          for (const method of ['GET', 'OPTIONS']) {
            const res = await request(`${base}${path}`, { method, anonymous: true, ca, headers: { origin, ...(method === 'OPTIONS' ? { 'access-control-request-method': 'GET' } : {}) } });
            const what = `${method} ${base}${path} from ${origin}`;
            assert.deepEqual(Object.keys(res.headers).filter((h) => h.startsWith('access-control-')), [], what);
            assert.equal(res.headers['x-frame-options'], 'DENY', what);
            assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/, what);
          }
        }
      }
    }
  });

  it('the demo served by the service takes its API ports from the service, not from its URL', async () => {
    const res = await request(`http://127.0.0.1:${svc.ports.welcomeHttp}/demo/?http=1&https=2`, { anonymous: true });
    const meta = /<meta name="scanbridge-service" content="([^"]+)">/.exec(res.body.toString())!;
    const content = new URLSearchParams(meta[1]!.replace(/&amp;/g, '&'));
    assert.deepEqual([content.get('http'), content.get('https')], [String(svc.ports.http), String(svc.ports.https)]);
    assert.equal(res.headers['cache-control'], 'no-store', 'a page with a grant is not cached');
  });
});

describe('attack suite: a loopback address another program took first', () => {
  let svc: InProcess;
  let squatters: net.Server[];
  let welcomeHttp: number;
  let welcomeHttps: number;

  before(async () => {
    // Another program holds [::1] on both welcome ports before the service starts.
    squatters = [await listenOn('::1', 0), await listenOn('::1', 0)];
    [welcomeHttp, welcomeHttps] = squatters.map((s) => (s.address() as net.AddressInfo).port) as [number, number];
    svc = await startInProcess({ 'allowed-origins': APP, 'welcome-http-port': String(welcomeHttp), 'welcome-https-port': String(welcomeHttps) });
  });
  after(async () => {
    await svc?.close();
    for (const s of squatters ?? []) await closeServer(s);
  });

  it('starts, says which names it does not trust, and trusts neither [::1] nor localhost on those ports', async () => {
    assert.equal(svc.service.warnings.length, 2, svc.service.warnings.join('\n'));
    assert.match(svc.service.warnings[0]!, new RegExp(`^WelcomeHttpPort: cannot listen on \\[::1\\]:${welcomeHttp} \\(another program holds it\\)`));
    assert.match(svc.service.warnings[1]!, new RegExp(`^WelcomeHttpsPort: cannot listen on \\[::1\\]:${welcomeHttps}`));
    const welcome = `http://127.0.0.1:${welcomeHttp}`;
    const demo = (await request(`${welcome}/demo/`, { anonymous: true })).body.toString();
    // Even with the grant (as if it leaked), pages under the names another program holds get nothing.
    const grant = new URLSearchParams(/<meta name="scanbridge-service" content="([^"]+)">/.exec(demo)![1]!.replace(/&amp;/g, '&')).get('grant')!;
    for (const origin of [`http://[::1]:${welcomeHttp}`, `http://localhost:${welcomeHttp}`, `https://[::1]:${welcomeHttps}`, `https://localhost:${welcomeHttps}`]) {
      for (const params of [{}, { grant }]) {
        const res = await request(`${svc.base}/fa/RequestAccess`, { method: 'POST', anonymous: true, headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ params }) });
        assert.equal(res.status, 403, `${origin}: ${res.body.toString()}`);
        assert.equal(json(res).error!.code, 'origin-not-allowed');
      }
      const read = await request(`${svc.base}/fa/ListDevices`, { anonymous: true, headers: { origin } });
      assert.equal(read.headers['access-control-allow-origin'], undefined, `no CORS for ${origin}`);
    }
    // What still works: the address it holds, with the grant.
    const own = await request(`${svc.base}/fa/RequestAccess`, { method: 'POST', anonymous: true, headers: { 'content-type': 'application/json', origin: welcome }, body: JSON.stringify({ params: { grant } }) });
    assert.equal((json(own).result![0] as AccessGrant).state, 'approved');
  });

  it('a consent decision or a revocation posted from those names is refused, even with the right secret', async () => {
    const pending = json(await askAccess(svc, 'https://newcomer.example')).result![0] as { request: string; consentUrl: string };
    const csrf = /name="csrf" value="([0-9a-f]+)"/.exec((await request(pending.consentUrl, { anonymous: true })).body.toString())![1]!;
    for (const origin of [`http://[::1]:${welcomeHttp}`, `http://localhost:${welcomeHttp}`]) {
      const res = await request(`http://127.0.0.1:${welcomeHttp}/consent/decide`, { method: 'POST', anonymous: true, headers: { 'content-type': 'application/x-www-form-urlencoded', origin }, body: `request=${pending.request}&csrf=${csrf}&decision=allow` });
      assert.equal(res.status, 403, origin);
    }
    assert.equal((json(await askAccess(svc, 'https://newcomer.example', pending.request)).result![0] as AccessGrant).state, 'pending');
    assert.equal((await rpc(svc.base, 'fa', 'AllowOrigin', { origin: 'https://kept.example' })).status, 200);
    const revokeSecret = /name="csrf" value="([0-9a-f]+)"/.exec((await request(`http://127.0.0.1:${welcomeHttp}/`, { anonymous: true })).body.toString())![1]!;
    const revoke = await request(`http://127.0.0.1:${welcomeHttp}/origins/revoke`, { method: 'POST', anonymous: true, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: `http://localhost:${welcomeHttp}` }, body: `csrf=${revokeSecret}&origin=https%3A%2F%2Fkept.example` });
    assert.equal(revoke.status, 403);
    assert.ok(((await rpc(svc.base, 'fa', 'ListOrigins')).body.result![0] as Array<{ origin: string }>).some((a) => a.origin === 'https://kept.example'));
  });
});

describe('attack suite: `scanbridge run` says which loopback names it leaves untrusted', () => {
  it('prints a warning naming the address another program holds, even with --quiet', async () => {
    const squatter = await listenOn('::1', 0);
    const port = (squatter.address() as net.AddressInfo).port;
    const home = await tempHome();
    try {
      const child = await startChild(home, ['--welcome-http-port', String(port)]);
      const code = await child.stop();
      assert.equal(code, 0, child.output());
      assert.match(child.output(), new RegExp(`scanbridge: warning: WelcomeHttpPort: cannot listen on \\[::1\\]:${port} \\(another program holds it\\): pages reached through \\[::1\\] or localhost on port ${port} are not trusted`));
    } finally {
      await closeServer(squatter);
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('attack suite: `scanbridge status` names a loopback address another program holds', () => {
  it('says which port of the stopped service is taken on [::1], and what that leaves untrusted', async () => {
    const squatter = await listenOn('::1', 0);
    const port = (squatter.address() as net.AddressInfo).port;
    const home = await tempHome();
    try {
      await writeFile(path.join(home, 'scanbridge.ini'), `HttpPort = 0\nHttpsPort = 0\nWelcomeHttpPort = ${port}\nWelcomeHttpsPort = 0\n`);
      const status = await runCli(['status', '--home', home]);
      assert.match(status.stdout, new RegExp(`\\[::1\\]:${port} \\(WelcomeHttpPort\\) is held by another program: scanbridge starts without it, but does not trust its pages reached through \\[::1\\] or localhost`), status.stdout);
    } finally {
      await closeServer(squatter);
      await rm(home, { recursive: true, force: true });
    }
  });
});

function askAccess(svc: InProcess, origin: string, id?: string) {
  return request(`${svc.base}/fa/RequestAccess`, { method: 'POST', anonymous: true, headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ params: id ? { request: id } : {} }) });
}
