/**
 * The fuzz suite: a few thousand random and mutated requests thrown at a
 * service running in its own process (see test-support/fuzz-inputs.ts for
 * what is drawn), from a seeded PRNG: the seed is printed, and
 * SCANBRIDGE_FUZZ_SEED=<seed> replays a run. Throughout and at the end:
 *  - the service never exits, and answers VersionInfo and the legitimate
 *    client's calls at intervals;
 *  - nothing is accepted without the credentials it needs (`violation()`
 *    says exactly what counts as accepting), nothing answers 5xx, and no
 *    log line is an error or holds a token;
 *  - the approvals are unchanged and the legitimate session's pages are
 *    byte-identical at the end.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomInt } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseQuery } from 'node:querystring';
import sharp from 'sharp';
import WebSocket from 'ws';
import { METHOD_NAMES, METHODS, TOKEN_HEADER, type PageInfo } from '@scanbridge/protocol';
import { rpc, startChild, tempHome, tokenFor, type ChildService } from '../test-support/service-harness.js';
import { exchange, type RawAnswer, type RawRequest } from '../test-support/raw-exchange.js';
import { EVIL, FuzzInputs, seeded, type FuzzTargets, type Identity } from '../test-support/fuzz-inputs.js';
import { VERSION_CODE } from '../version.js';
import { imageSignature } from './image-signature.js';
import { tokenHash } from './secrets.js';

const APP = 'https://app.example.com';
const OTHER = 'https://other.example.com';
const MAX_BODY = 1024 * 1024;
const HTTP_REQUESTS = 5000;
const PARALLEL = 8;
const UPGRADES = 300;
const WS_MESSAGES = 1200;
/** Every this many requests: is the service up, and does the legitimate client still work? */
const CHECK_EVERY = 200;

const PUBLIC_METHODS = new Set(['VersionInfo', 'RequestAccess']);
const ADMIN_METHODS = new Set(['ListOrigins', 'AllowOrigin', 'RevokeOrigin', 'ListNetworkScanners', 'AddNetworkScanner', 'RemoveNetworkScanner']);

const seed = Number(process.env.SCANBRIDGE_FUZZ_SEED ?? randomInt(2 ** 31));
console.log(`fuzz seed ${seed} (replay with SCANBRIDGE_FUZZ_SEED=${seed})`);

type Credentials = 'app' | 'other' | 'admin' | 'none';
interface Envelope {
  id?: unknown;
  method?: unknown;
  result?: unknown;
  error?: { code?: unknown };
  cmdId?: unknown;
}

/** The protocol's answer envelope in a body or frame (a result, or an error with a code), or null. */
function envelopeOf(bytes: Buffer): Envelope | null {
  try {
    const value = JSON.parse(bytes.toString('utf8')) as Envelope | null;
    if (value === null || typeof value !== 'object') return null;
    return Array.isArray(value.result) || typeof value.error?.code === 'string' ? value : null;
  } catch {
    return null;
  }
}

/** Who the service takes the caller for, by the rules of security/principal.ts and gate.ts (Node trims header values and joins duplicates). */
function credentialsOf(req: Pick<RawRequest, 'headers' | 'target'>, t: FuzzTargets): Credentials {
  const values = (name: string) => req.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v.replace(/^[ \t]+|[ \t]+$/g, ''));
  const origins = values('origin');
  const origin = origins.length ? origins.join(', ') : undefined;
  const tokens = values(TOKEN_HEADER);
  let token = tokens.length ? tokens.join(', ') : undefined;
  if (token === undefined && req.target.startsWith('/ws?')) token = new URLSearchParams(req.target.slice(4)).get('token') ?? undefined;
  if (token === undefined || token === '') return 'none';
  if (origin === undefined) return token === t.admin ? 'admin' : 'none';
  if (origin === t.app.origin && token === t.app.token) return 'app';
  if (origin === t.other.origin && token === t.other.token) return 'other';
  return 'none';
}

/** The request names this service: one Host header, one of its loopback names and this port, and an origin-form target (gate.ts). */
function hostOk(req: RawRequest): boolean {
  const hosts = req.headers.filter(([n]) => n.toLowerCase() === 'host').map(([, v]) => v.toLowerCase());
  return hosts.length === 1 && ['127.0.0.1', 'localhost', '[::1]'].some((name) => hosts[0] === `${name}:${req.port}`) && req.target.startsWith('/');
}

/** The image URL carries the app session's valid signature, exactly as the service reads the query. */
function validlySigned(target: string, t: FuzzTargets): boolean {
  const query = parseQuery(target.slice(target.indexOf('?') + 1));
  return query.id === t.app.session && query.exp === String(t.signed.exp) && query.sig === t.signed.sig;
}

function pathOf(target: string): string {
  const raw = target.split('?')[0]!;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Errors a call can get before the access check (the gate, the router) or from it. */
const REFUSED_AT_THE_DOOR = new Set(['token-invalid', 'origin-not-allowed', 'host-not-allowed', 'too-many-requests', 'not-found']);
/** Errors of a well-formed call's envelope: on the WebSocket they come before the access check. */
const BEFORE_ACCESS = new Set([...REFUSED_AT_THE_DOOR, 'invalid-request', 'invalid-json', 'unknown-method', 'method-not-allowed', 'too-large']);
/** Errors a session call can get before its session is looked up, or from the lookup. */
const BEFORE_THE_SESSION = new Set([...BEFORE_ACCESS, 'session-required', 'service-stopping', 'unknown-session']);
/** Errors the image endpoint gives only once it has let the caller see the session's pages (image-route.ts). */
const IMAGE_AFTER_AUTHORIZATION = new Set(['invalid-params', 'page-not-found']);

/**
 * What counts as accepting (or letting through) a call that was not authorised:
 *  - without credentials: an RPC method other than VersionInfo and
 *    RequestAccess answered with a result, or with an error only a handler
 *    gives (invalid-params, unknown-session...: the call got past the access
 *    check); image bytes, a 304, or an error that comes after the signature
 *    check (invalid-params, page-not-found) for a URL without the app
 *    session's valid signature; a file download; a consent decision or a
 *    revocation answered 2xx/3xx (only the service's own pages hold the secret
 *    those forms need);
 *  - with the other origin's credentials: a result on the app's session, or
 *    an error that comes after the session lookup for it (the call got past
 *    the ownership check); the same for the app's images; an administrator
 *    method answered with anything but token-invalid;
 *  - the same rules for every frame after a WebSocket upgrade;
 * plus, for everyone: no 5xx (a request that makes the service fail).
 */
function violation(req: RawRequest, creds: Credentials, answer: RawAnswer, t: FuzzTargets, approved: ReadonlySet<string>): string | null {
  if (answer.status >= 500) return `answered ${answer.status}: ${answer.body.toString('utf8').slice(0, 200)}`;
  const origins = req.headers.filter(([n]) => n.toLowerCase() === 'origin').map(([, v]) => v.trim());
  const allowOrigin = answer.headers['access-control-allow-origin'];
  if (allowOrigin !== undefined) {
    if (origins.length !== 1 || allowOrigin !== origins[0]) return `CORS allowed ${allowOrigin} for Origin ${origins.join(', ')}`;
    if (!approved.has(allowOrigin) && req.target.split('?')[0] !== '/fa/RequestAccess') return `CORS allowed ${allowOrigin}, which is not approved`;
  }
  if (answer.headers['access-control-allow-private-network'] !== undefined && !(origins.length === 1 && approved.has(origins[0]!))) return `Private Network Access granted to ${origins.join(', ')}`;
  const envelopes: Envelope[] = [];
  if (answer.status === 101) {
    for (const frame of answer.frames) {
      const env = frame.opcode === 1 ? envelopeOf(frame.payload) : null;
      if (env && !('event' in env)) envelopes.push(env);
    }
  } else {
    const env = envelopeOf(answer.body);
    if (env) envelopes.push(env);
  }
  const path = pathOf(req.target);
  const imageRoute = /^\/dwt\/[^/]*\/img$/.test(path);
  const query = parseQuery(req.target.slice(req.target.indexOf('?') + 1));
  const accepted = answer.status >= 200 && answer.status < 400;
  const image = accepted && (/^image\//.test(answer.headers['content-type'] ?? '') || (answer.status === 304 && imageRoute));
  const code = (env: Envelope) => (typeof env.error?.code === 'string' ? env.error.code : null);
  if (!hostOk(req)) {
    // DNS rebinding: whoever calls, a request for another host is refused before anything else.
    if (accepted || answer.status === 101) return `a request for another Host was answered ${answer.status}`;
    const passed = envelopes.find((env) => code(env) !== 'host-not-allowed');
    if (passed) return `a request for another Host got past the Host check (${code(passed) ?? 'a result'})`;
  }
  if (creds === 'none') {
    for (const env of envelopes) {
      if (PUBLIC_METHODS.has(String(env.method)) || env.method === 'img') continue;
      if (Array.isArray(env.result)) return `${String(env.method)} answered a result without credentials`;
      if (env.method !== '' && code(env) !== null && !REFUSED_AT_THE_DOOR.has(code(env)!)) return `${String(env.method)} got past the access check without credentials (${code(env)})`;
    }
    if (image && !validlySigned(req.target, t)) return 'an image was served without a valid signature or token';
    if (imageRoute && !validlySigned(req.target, t) && envelopes.some((env) => IMAGE_AFTER_AUTHORIZATION.has(code(env) ?? ''))) return `an image request without a valid signature got past the signature check (${code(envelopes[0]!)})`;
    if (accepted && answer.headers['content-disposition']) return 'a file was served without credentials';
    if (accepted && req.method === 'POST' && /^\/(consent\/decide|origins\/revoke)\/?$/.test(path)) return 'a consent decision or revocation was accepted from outside the welcome pages';
  }
  if (creds === 'other') {
    for (const env of envelopes) {
      if (ADMIN_METHODS.has(String(env.method)) && (Array.isArray(env.result) || !BEFORE_ACCESS.has(code(env) ?? ''))) return `the other origin got ${String(env.method)} past the administrator check (${code(env) ?? 'a result'})`;
      // The id of an error envelope echoes the request's; only session methods use it.
      if (env.id !== t.app.session || !t.sessionMethods.has(String(env.method))) continue;
      if (Array.isArray(env.result)) return `the other origin got a result of ${String(env.method)} on the app's session`;
      if (code(env) !== null && !BEFORE_THE_SESSION.has(code(env)!)) return `the other origin got ${String(env.method)} past the session's ownership check (${code(env)})`;
    }
    if (imageRoute && query.id === t.app.session && !validlySigned(req.target, t)) {
      if (image) return "the other origin was served an image of the app's session";
      if (envelopes.some((env) => IMAGE_AFTER_AUTHORIZATION.has(code(env) ?? ''))) return "the other origin got past the ownership check of the app's images";
    }
  }
  return null;
}

/** A request as text for a failure message: enough to see what it was, short enough to read. */
function describeRequest(req: RawRequest): string {
  const headers = req.headers.map(([n, v]) => `${n}: ${v.length > 80 ? `${v.slice(0, 80)}…(${v.length})` : v}`).join(' | ');
  const body = req.body.length > 120 ? `${req.body.subarray(0, 120).toString('latin1')}…(${req.body.length} bytes)` : req.body.toString('latin1');
  return `${req.method} ${req.target.slice(0, 200)} ${req.version} [${headers}] ${JSON.stringify(body)}`;
}

describe(`fuzz (seed ${seed})`, () => {
  let home: string;
  let svc: ChildService;
  let t: FuzzTargets;
  let inputs: FuzzInputs;
  let pagesBefore: PageInfo[];
  let bytesBefore: string[];
  let approvalsBefore: string[];
  const violations: string[] = [];
  const statuses = new Map<number, number>();
  /** Origins CORS may answer: the approved ones and the service's own welcome pages. */
  let approved: Set<string>;
  const stats = { appTokenRenewals: 0, otherRenewals: 0, wsAnswers: 0, wsCloses: 0 };

  /** A call as a page of `who` makes it; a refused token is renewed the way the SDK does (RequestAccess), and a rate limit waited out. */
  async function call(who: Identity, scope: 'fa' | 'f', method: string, params: object = {}): Promise<{ status: number; body: Envelope }> {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${svc.base}/${scope}/${method}`, {
        method: 'POST',
        headers: { origin: who.origin, 'content-type': 'application/json', [TOKEN_HEADER]: who.token },
        body: JSON.stringify({ ...(scope === 'f' ? { id: who.session } : {}), params }),
      });
      const body = (await res.json()) as Envelope;
      const code = body.error?.code;
      if (attempt < 100 && code === 'too-many-requests') {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      if (attempt < 100 && code === 'token-invalid') {
        // RequestAccess by fuzz requests with this Origin issued newer tokens; only the newest few stay valid.
        who.token = await grant(who.origin);
        if (who === t.app) {
          stats.appTokenRenewals++;
          t.signed.sig = imageSignature(tokenHash(who.token), who.session, t.signed.exp);
        } else stats.otherRenewals++;
        continue;
      }
      return { status: res.status, body };
    }
  }

  async function grant(origin: string): Promise<string> {
    const res = await fetch(`${svc.base}/fa/RequestAccess`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: '{"params":{}}' });
    const body = (await res.json()) as { result: [{ state: string; token: string }] };
    assert.equal(body.result[0].state, 'approved', JSON.stringify(body));
    return body.result[0].token;
  }

  async function png(colour: string, width: number): Promise<string> {
    return (await sharp({ create: { width, height: 30, channels: 3, background: colour } }).png().toBuffer()).toString('base64');
  }

  /** The service is up, and the legitimate client's session is served with its pages. */
  async function alive(stage: string): Promise<void> {
    assert.equal(svc.child.exitCode, null, `the service exited during ${stage} (seed ${seed}):\n${svc.output().slice(-4000)}`);
    const version = await rpc(svc.base, 'fa', 'VersionInfo');
    assert.equal(version.status, 200, `VersionInfo during ${stage} (seed ${seed})`);
    const count = await call(t.app, 'f', 'GetImageCount');
    assert.equal(count.status, 200, `the legitimate client during ${stage} (seed ${seed}): ${JSON.stringify(count.body)}`);
    assert.deepEqual(count.body.result, [pagesBefore.length], `the legitimate client's pages during ${stage} (seed ${seed})`);
    // The fuzzer's own identity may have lost its session (CloseSession) or its token: give it back, so authorised paths stay fuzzed.
    const resumed = await call(t.other, 'f', 'ResumeSession');
    if (resumed.body.error?.code === 'unknown-session') {
      t.other.session = ((await call(t.other, 'fa', 'CreateSession')).body.result as [{ id: string }])[0].id;
      await call(t.other, 'f', 'AddImage', { data: t.png });
    }
  }

  function record(req: RawRequest, creds: Credentials, answer: RawAnswer): void {
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    const problem = violation(req, creds, answer, t, approved);
    if (problem && violations.length < 60) violations.push(`${problem}\n    request (${creds}): ${describeRequest(req)}`);
  }

  before(async () => {
    home = await tempHome('scanbridge-fuzz-');
    svc = await startChild(home, ['--allowed-origins', APP, '--max-body-mb', String(MAX_BODY / 1048576), '--demo-feeder-sheets', '1', '--sane-scanners', 'false', '--log-level', 'warn']);
    const admin = tokenFor(svc.base)!;
    assert.equal((await rpc(svc.base, 'fa', 'AllowOrigin', { origin: OTHER })).status, 200);
    const small = await png('#cde', 24);
    t = {
      api: svc.ports.http,
      welcome: svc.ports.welcomeHttp,
      app: { origin: APP, token: await grant(APP), session: '' },
      other: { origin: OTHER, token: await grant(OTHER), session: '' },
      admin,
      signed: { exp: Math.floor(Date.now() / 1000) + 3600, sig: '' },
      versionCode: VERSION_CODE,
      maxBody: MAX_BODY,
      methods: METHOD_NAMES,
      sessionMethods: new Set(METHOD_NAMES.filter((m) => METHODS[m].session)),
      png: small,
    };
    t.app.session = ((await call(t.app, 'fa', 'CreateSession')).body.result as [{ id: string }])[0].id;
    t.other.session = ((await call(t.other, 'fa', 'CreateSession')).body.result as [{ id: string }])[0].id;
    t.signed.sig = imageSignature(tokenHash(t.app.token), t.app.session, t.signed.exp);
    for (const [colour, width] of [['#123', 40], ['#e94', 50]] as const) assert.equal((await call(t.app, 'f', 'AddImage', { data: await png(colour, width) })).status, 200);
    assert.equal((await call(t.other, 'f', 'AddImage', { data: small })).status, 200);
    pagesBefore = ((await call(t.app, 'f', 'GetImagesInfo')).body.result as [PageInfo[]])[0];
    bytesBefore = [];
    for (const page of pagesBefore) {
      const image = ((await call(t.app, 'f', 'GetImage', { page: page.id })).body.result as [{ data: string }])[0];
      bytesBefore.push(createHash('sha256').update(image.data).digest('hex'));
    }
    approvalsBefore = ((await rpc(svc.base, 'fa', 'ListOrigins')).body.result![0] as Array<{ origin: string; by: string }>).map((a) => `${a.origin} ${a.by}`).sort();
    const names = ['127.0.0.1', 'localhost', '[::1]'];
    approved = new Set([APP, OTHER, ...names.map((n) => `http://${n}:${svc.ports.welcomeHttp}`), ...names.map((n) => `https://${n}:${svc.ports.welcomeHttps}`)]);
    inputs = new FuzzInputs(seeded(seed), t);
  });
  after(async () => {
    if (svc?.child.exitCode === null) await svc.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it(`${HTTP_REQUESTS} random and mutated HTTP requests: headers, paths, methods, bodies, framing, upgrades`, async () => {
    const earlier = violations.length;
    const probe = JSON.stringify({ method: 'GetImageCount', id: t.app.session, params: {}, cmdId: 'probe' });
    for (let sent = 0; sent < HTTP_REQUESTS; sent += PARALLEL) {
      const batch: Array<{ req: RawRequest; creds: Credentials }> = [];
      while (batch.length < PARALLEL) {
        const req = inputs.request();
        const creds = credentialsOf(req, t);
        // The legitimate client's and the administrator's valid credentials stay out of the fuzz: they may do anything.
        if (creds === 'app' || creds === 'admin') continue;
        if (req.target.startsWith('/ws')) req.probe = probe;
        batch.push({ req, creds });
      }
      const answers = await Promise.all(batch.map(({ req }) => exchange(req)));
      answers.forEach((answer, i) => record(batch[i]!.req, batch[i]!.creds, answer));
      if ((sent + PARALLEL) % CHECK_EVERY < PARALLEL) await alive(`HTTP request ${sent + PARALLEL}`);
    }
    await alive('the HTTP fuzz');
    console.log(`fuzz seed ${seed}: HTTP statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
    assert.deepEqual(violations.slice(earlier), [], `seed ${seed}`);
    // The fuzz reached the service's code, not only Node's parser: refusals of every kind, and authorised answers.
    for (const status of [200, 400, 403, 404, 405, 413]) assert.ok((statuses.get(status) ?? 0) > 0, `no request answered ${status} (seed ${seed})`);
    assert.ok((statuses.get(101) ?? 0) > 0, `no WebSocket upgrade went through (seed ${seed})`);
  });

  it(`${UPGRADES} WebSocket connections with random origins, tokens and sessions get no result they are not entitled to`, async () => {
    const earlier = violations.length;
    for (let i = 0; i < UPGRADES; i++) {
      const pair = inputs.chance(0.15);
      const origin = pair ? t.other.origin : inputs.origin();
      const token = pair ? t.other.token : inputs.token();
      const session = inputs.session();
      const query = [session !== undefined ? `id=${encodeURIComponent(session)}` : '', token !== undefined ? `token=${encodeURIComponent(token)}` : ''].filter(Boolean).join('&');
      const target = `/ws?${query}`;
      const headers: Array<[string, string]> = [['host', `127.0.0.1:${t.api}`], ...(origin !== undefined ? [['origin', origin] as [string, string]] : [])];
      const creds = credentialsOf({ headers, target }, t);
      if (creds === 'app' || creds === 'admin') continue;
      const outcome = await new Promise<{ status: number; messages: string[] }>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${t.api}${target}`, { headers: origin !== undefined ? { origin } : {} });
        const messages: string[] = [];
        ws.on('open', () => {
          ws.send(JSON.stringify({ method: 'GetImagesInfo', id: t.app.session, params: {}, cmdId: 'a' }));
          ws.send(JSON.stringify({ method: 'ListDevices', params: {}, cmdId: 'b' }));
          ws.send(JSON.stringify({ method: 'ListOrigins', params: {}, cmdId: 'c' }));
        });
        ws.on('message', (data) => {
          messages.push(data.toString());
          // An authorised socket answers all three calls; then this connection has said what it can.
          if (messages.filter((m) => /"cmdId":"[abc]"/.test(m)).length === 3) ws.close();
        });
        ws.on('close', () => resolve({ status: 101, messages }));
        ws.on('unexpected-response', (req, res) => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, messages });
        });
        ws.on('error', () => undefined);
      });
      const answer: RawAnswer = { status: outcome.status, headers: {}, body: Buffer.alloc(0), frames: outcome.messages.map((m) => ({ opcode: 1, payload: Buffer.from(m) })) };
      record({ port: t.api, method: 'GET', target, version: 'HTTP/1.1', headers, body: Buffer.alloc(0), halfClose: false }, creds, answer);
      if (creds === 'none') assert.ok(outcome.status === 101 || (outcome.status >= 400 && outcome.status < 500), `upgrade answered ${outcome.status} (seed ${seed})`);
    }
    await alive('the WebSocket connections');
    assert.deepEqual(violations.slice(earlier), [], `seed ${seed}`);
  });

  it(`${WS_MESSAGES} WebSocket messages on an authorised socket: mutated envelopes, random JSON, binary, invalid UTF-8, frames at and over the limit`, async () => {
    const open = () =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${t.api}/ws?id=${t.other.session}&token=${encodeURIComponent(t.other.token)}`, { headers: { origin: t.other.origin } });
        ws.once('open', () => resolve(ws));
        ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
        ws.on('error', () => undefined);
      });
    const earlier = violations.length;
    let ws = await open();
    for (let i = 0; i < WS_MESSAGES; i++) {
      const message = inputs.wsMessage();
      const outcome = await new Promise<{ answer?: string; closed?: number }>((resolve) => {
        const onMessage = (data: WebSocket.RawData) => {
          const text = data.toString();
          // Events of the session (pages added by the fuzz) are not answers.
          if (/^\{"event":/.test(text)) return;
          done({ answer: text });
        };
        const onClose = (code: number) => done({ closed: code });
        const done = (value: { answer?: string; closed?: number }) => {
          ws.off('message', onMessage);
          ws.off('close', onClose);
          resolve(value);
        };
        ws.on('message', onMessage);
        ws.on('close', onClose);
        ws.send(message.data, { binary: message.binary });
      });
      if (outcome.closed === 4403) {
        // The fuzz's RequestAccess calls issued newer tokens to the other origin, and only the newest few stay valid: the service closed the socket of a dropped token.
        const renewals = stats.otherRenewals;
        ws.terminate();
        await alive(`WebSocket message ${i}`);
        assert.equal(stats.otherRenewals, renewals + 1, `the socket was closed as token-invalid while its token was valid (seed ${seed})`);
        ws = await open();
        continue;
      }
      if (outcome.closed === 4404) {
        // The fuzz closed the other origin's session (CloseSession) and the socket was reopened on it.
        const session = t.other.session;
        ws.terminate();
        await alive(`WebSocket message ${i}`);
        assert.notEqual(t.other.session, session, `the socket was closed as unknown-session while its session existed (seed ${seed})`);
        ws = await open();
        continue;
      }
      const frames = outcome.answer === undefined ? [] : [{ opcode: 1, payload: Buffer.from(outcome.answer) }];
      const sent: RawRequest = { port: t.api, method: 'WS', target: `/ws?id=${t.other.session}`, version: '', headers: [['host', `127.0.0.1:${t.api}`], ['origin', t.other.origin]], body: message.data, halfClose: false };
      record(sent, 'other', { status: 101, headers: {}, body: Buffer.alloc(0), frames });
      if (message.expect === 'answer') {
        assert.ok(outcome.answer !== undefined, `no answer but close ${outcome.closed} to ${describeRequest(sent)} (seed ${seed})`);
        const env = envelopeOf(Buffer.from(outcome.answer));
        assert.ok(env && (Array.isArray(env.result) || typeof env.error?.code === 'string'), `not an envelope: ${outcome.answer.slice(0, 200)} (seed ${seed})`);
        assert.notEqual(env.error?.code, 'internal-error', `${outcome.answer.slice(0, 300)}\n    to ${describeRequest(sent)} (seed ${seed})`);
        stats.wsAnswers++;
      } else {
        // Invalid UTF-8 is 1007; a frame over MaxBodyMB is 1009, or a dropped connection (1006) when the service closes while the frame is still being sent.
        const codes = message.expect === 'close-1007' ? [1007] : [1009, 1006];
        assert.ok(codes.includes(outcome.closed ?? 0), `expected ${message.expect}, got ${JSON.stringify(outcome).slice(0, 200)} (seed ${seed})`);
        stats.wsCloses++;
      }
      if (ws.readyState !== WebSocket.OPEN) {
        ws.terminate();
        await alive(`WebSocket message ${i}`);
        ws = await open();
      }
      if ((i + 1) % CHECK_EVERY === 0) await alive(`WebSocket message ${i + 1}`);
    }
    ws.close();
    await alive('the WebSocket messages');
    assert.deepEqual(violations.slice(earlier), [], `seed ${seed}`);
    assert.ok(stats.wsAnswers > WS_MESSAGES / 2 && stats.wsCloses > 0, JSON.stringify(stats));
  });

  it("afterwards: approvals unchanged, the legitimate session's pages byte-identical, no error and no token in the log", async () => {
    await alive('the end');
    const pages = ((await call(t.app, 'f', 'GetImagesInfo')).body.result as [PageInfo[]])[0];
    assert.deepEqual(pages, pagesBefore);
    for (const [i, page] of pages.entries()) {
      const image = ((await call(t.app, 'f', 'GetImage', { page: page.id })).body.result as [{ data: string }])[0];
      assert.equal(createHash('sha256').update(image.data).digest('hex'), bytesBefore[i], `page ${i}`);
    }
    assert.deepEqual((await call(t.app, 'f', 'GetSelectedImages')).body.result, [[]]);
    const approvals = ((await rpc(svc.base, 'fa', 'ListOrigins')).body.result![0] as Array<{ origin: string; by: string }>).map((a) => `${a.origin} ${a.by}`).sort();
    assert.deepEqual(approvals, approvalsBefore);
    assert.ok(!approvals.some((a) => a.startsWith(EVIL)));
    console.log(`fuzz seed ${seed}: ${JSON.stringify(stats)}`);

    assert.equal(await svc.stop(), 0, svc.output().slice(-4000));
    const logDir = path.join(home, 'log');
    const text = (await Promise.all((await readdir(logDir)).map((f) => readFile(path.join(logDir, f), 'utf8')))).join('');
    const lines = text.split('\n').filter(Boolean);
    assert.ok(lines.length > 100, 'refused requests are logged');
    const errors = lines.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    assert.deepEqual(errors.slice(0, 5), [], `seed ${seed}`);
    for (const secret of [t.app.token, t.other.token, t.admin]) assert.ok(!text.includes(secret), 'a token reached the log');
  });
});
