/**
 * Inputs for the fuzz suite (security/fuzz.test.ts), drawn from a seeded PRNG
 * so that a failing run replays exactly: HTTP requests with random and
 * mutated request lines, headers (Host, Origin, token, Content-Type,
 * Content-Length) and bodies (random JSON, mutated valid envelopes, broken
 * and non-UTF-8 bytes, bodies at and over the limit), and WebSocket messages.
 * Credentials come from a small set: none, garbage, another origin's, mutated
 * ones, and (sometimes) a valid pair of the second approved origin ("other"),
 * so that authorised code paths are fuzzed too.
 */
import type { RawRequest } from './raw-exchange.js';

/** mulberry32: tiny, fast, and good enough to spread inputs; seeded so a run replays. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Identity {
  origin: string;
  token: string;
  session: string;
}

export interface FuzzTargets {
  api: number;
  welcome: number;
  /** The legitimate client: its credentials appear only stolen or mutated. */
  app: Identity;
  /** A second approved origin: the fuzzer's own credentials. */
  other: Identity;
  admin: string;
  /** A valid image signature of the app's session. */
  signed: { exp: number; sig: string };
  versionCode: string;
  maxBody: number;
  methods: readonly string[];
  /** Methods served under /f/ (on a session); the others are under /fa/. */
  sessionMethods: ReadonlySet<string>;
  /** A small PNG, base64. */
  png: string;
}

export const EVIL = 'https://evil.example';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Values that break assumptions: wrong types, edges, huge, prototype names, traversal, markup. */
const ODD_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, -0.5, 1e21, -1e21, 2 ** 53, '', '0', 'x'.repeat(300), [], {}, [null], [[[]]], { __proto__: null }, '\u0000', '../../etc/passwd', '<script>alert(1)</script>', 'constructor', '__proto__', '\ud800', 'demo:scanner'];

export class FuzzInputs {
  constructor(
    readonly next: () => number,
    readonly t: FuzzTargets,
  ) {}

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)]!;
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(0, 255);
    return out;
  }

  /** Printable ASCII without space: safe inside a request line. */
  word(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.int(33, 126));
    return s;
  }

  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.int(0, 15)];
    return s;
  }

  /** One character changed, dropped or added. */
  mutateToken(token: string): string {
    const i = this.int(0, token.length - 1);
    switch (this.int(0, 3)) {
      case 0: {
        const replacement = B64URL[(B64URL.indexOf(token[i]!) + this.int(1, 63)) % 64]!;
        return token.slice(0, i) + replacement + token.slice(i + 1);
      }
      case 1:
        return token.slice(0, i) + token.slice(i + 1);
      case 2:
        return token + this.pick(B64URL.split(''));
      default:
        return token.toUpperCase();
    }
  }

  origin(): string | undefined {
    const { app, other, welcome, api } = this.t;
    return this.pick([
      undefined,
      undefined,
      undefined,
      app.origin,
      app.origin,
      other.origin,
      EVIL,
      `http://127.0.0.1:${welcome}`,
      'null',
      `${app.origin}/`,
      `${app.origin}/path`,
      app.origin.toUpperCase(),
      `${app.origin}:443`,
      `${app.origin}.`,
      'https://user@app.example.com',
      'https://app.example.com@evil.example',
      'https://app.example.com.evil.example',
      'http://app.example.com',
      'file://',
      'javascript:alert(1)',
      '',
      'http://0x7f000001',
      `http://127.0.0.1:${api}`,
      `http://localhost:${welcome}`,
      `https://${this.word(8)}.example`,
      this.word(this.int(1, 40)),
    ]);
  }

  token(): string | undefined {
    const { app, other, admin } = this.t;
    return this.pick([
      undefined,
      undefined,
      undefined,
      app.token,
      app.token,
      other.token,
      admin,
      this.mutateToken(app.token),
      this.mutateToken(app.token),
      this.mutateToken(other.token),
      this.mutateToken(admin),
      'x'.repeat(201),
      'x'.repeat(5000),
      '',
      this.word(43),
      `Bearer ${app.token}`,
      ` ${app.token}x`,
    ]);
  }

  session(): string | undefined {
    const { app, other } = this.t;
    return this.pick([app.session, app.session, other.session, other.session, undefined, this.hex(32), '', 'x'.repeat(200), '../../cache', app.session.toUpperCase(), `${app.session} `, '1']);
  }

  methodName(): string {
    const name = this.pick(this.t.methods);
    if (this.chance(0.75)) return name;
    return this.pick([
      name.toLowerCase(),
      name.toUpperCase(),
      `${name}X`,
      `%${name.charCodeAt(0).toString(16)}${name.slice(1)}`,
      `${name}%00`,
      `..%2f${name}`,
      `${name}/`,
      `${name}/..`,
      `${name}?x=1`,
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'x'.repeat(300),
      `${name.slice(0, -1)}\u00fc`,
      '',
    ]);
  }

  /** Params of a plausible call: cheap values (small pages, 75 dpi, one sheet) that mutations then break. */
  params(method: string): Record<string, unknown> {
    const { png, app } = this.t;
    const table: Record<string, Record<string, unknown>> = {
      GetCapabilities: { device: 'demo:scanner' },
      StartScan: { device: 'demo:scanner', settings: { source: 'feeder', dpi: 75, mode: 'gray', options: { sheets: 1 } } },
      GetJob: { job: this.hex(16) },
      WaitJob: { job: this.hex(16), timeout: 0 },
      CancelJob: { job: this.hex(16) },
      GetImage: { page: 0 },
      AddImage: { data: png },
      MoveImage: { page: 0, to: 0 },
      SwapImages: { a: 0, b: 0 },
      SetImageTags: { pages: [0], tags: ['t'] },
      FindImagesByTag: { tag: 't' },
      RotateImages: { pages: [0], angle: 90 },
      CropImages: { pages: [0], x: 0, y: 0, width: 8, height: 8 },
      ResizeImages: { pages: [0], width: 16 },
      SetImagesDpi: { pages: [0], xdpi: 150 },
      ChangeImagesBitDepth: { pages: [0], bitDepth: 8 },
      SaveImages: { format: 'png' },
      RequestAccess: { app: 'fuzz' },
      AllowOrigin: { origin: EVIL },
      RevokeOrigin: { origin: app.origin },
    };
    return structuredClone(Object.hasOwn(table, method) ? table[method]! : method.endsWith('Images') ? { pages: [0] } : {});
  }

  json(depth = 0): unknown {
    const kind = depth > 3 ? this.int(0, 4) : this.int(0, 7);
    switch (kind) {
      case 0:
        return null;
      case 1:
        return this.chance(0.5);
      case 2:
        return this.pick([0, -1, 1.5, 1e308, -1e-308, 2 ** 31, 2 ** 53 + 1, this.int(-1000, 1000)]);
      case 3:
        return this.word(this.int(0, 20));
      case 4:
        return this.odd();
      case 5:
        return Array.from({ length: this.int(0, 4) }, () => this.json(depth + 1));
      default: {
        const obj: Record<string, unknown> = {};
        for (let i = this.int(0, 4); i > 0; i--) obj[this.pick(['id', 'method', 'params', 'cmdId', 'pages', 'data', '__proto__', 'constructor', this.word(5)])] = this.json(depth + 1);
        return obj;
      }
    }
  }

  /** A fresh copy: mutations must never write into the shared list (or make a value contain itself). */
  odd(): unknown {
    return structuredClone(this.pick(ODD_VALUES));
  }

  /** Change one thing in an object tree: drop, replace, retype, add a key. */
  mutate(value: Record<string, unknown>): void {
    const keys = Object.keys(value);
    const key = keys.length ? this.pick(keys) : this.word(4);
    const inner = value[key];
    if (inner !== null && typeof inner === 'object' && !Array.isArray(inner) && this.chance(0.5)) {
      this.mutate(inner as Record<string, unknown>);
      return;
    }
    switch (this.int(0, 3)) {
      case 0:
        delete value[key];
        break;
      case 1:
        value[key] = this.odd();
        break;
      case 2:
        value[key] = this.json(2);
        break;
      default:
        value[this.pick(['__proto__', 'constructor', 'prototype', 'method', 'id', this.word(6)])] = this.odd();
    }
  }

  /** A valid-looking envelope for `method`, then 0..3 mutations. */
  envelope(method: string, forWebSocket: boolean): Record<string, unknown> {
    const envelope: Record<string, unknown> = { params: this.params(method), cmdId: `c${this.int(0, 1e6)}` };
    const id = this.session();
    if (id !== undefined) envelope.id = id;
    if (forWebSocket || this.chance(0.1)) envelope.method = this.chance(0.9) ? method : this.methodName();
    for (let i = this.pick([0, 0, 1, 1, 2, 3]); i > 0; i--) this.mutate(envelope);
    return envelope;
  }

  body(method: string): { bytes: Buffer; type: string | undefined } {
    const json = 'application/json';
    const roll = this.next();
    if (roll < 0.45) return { bytes: Buffer.from(JSON.stringify(this.envelope(method, false))), type: json };
    if (roll < 0.55) return { bytes: Buffer.from(JSON.stringify(this.json())), type: json };
    if (roll < 0.63) {
      const text = JSON.stringify(this.envelope(method, false));
      return { bytes: Buffer.from(text.slice(0, this.int(0, text.length - 1))), type: json };
    }
    if (roll < 0.67) return { bytes: Buffer.concat([Buffer.from('{"id":"'), this.bytes(this.int(1, 40)), Buffer.from('"}')]), type: json };
    if (roll < 0.69) {
      const depth = this.pick([100, 10_000, 200_000]);
      return { bytes: Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`), type: json };
    }
    if (roll < 0.72) {
      const polluted = `{"id":${JSON.stringify(this.session() ?? '')},"__proto__":{"kind":"admin","origin":"local","session":true},"constructor":{"prototype":{"kind":"admin"}},"params":{"__proto__":{"pages":[0]}}}`;
      return { bytes: Buffer.from(polluted), type: json };
    }
    if (roll < 0.78) return this.atLimit();
    if (roll < 0.84) {
      const fields = this.pick([
        `request=${this.hex(32)}&csrf=${this.hex(32)}&decision=allow`,
        `origin=${encodeURIComponent(this.t.other.origin)}&csrf=${this.hex(32)}`,
        `origin=${encodeURIComponent(this.t.app.origin)}`,
        `id=${this.t.app.session}`,
      ]);
      return { bytes: Buffer.from(fields), type: 'application/x-www-form-urlencoded' };
    }
    if (roll < 0.88) return { bytes: this.bytes(this.int(0, 2000)), type: this.pick(['application/octet-stream', 'image/png', 'application/pdf', 'image/x-foo']) };
    if (roll < 0.92) return { bytes: Buffer.from(JSON.stringify(this.envelope(method, false))), type: this.pick(['text/plain', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'APPLICATION/JSON', this.word(12), '']) };
    return { bytes: Buffer.alloc(0), type: this.pick([json, undefined]) };
  }

  /** At and just over the body limit: the largest body the service takes, and the smallest it refuses. */
  atLimit(): { bytes: Buffer; type: string } {
    const size = this.t.maxBody + this.pick([-1, 0, 1, 1]);
    const head = `{"id":"${this.t.other.session}","params":{"data":"`;
    return { bytes: Buffer.from(`${head}${'A'.repeat(Math.max(0, size - head.length - 3))}"}}`), type: 'application/json' };
  }

  imageQuery(): string {
    const { app, other, signed } = this.t;
    const parts: Array<[string, string]> = [];
    const id = this.pick([app.session, app.session, app.session, other.session, this.hex(32), '', undefined]);
    if (id !== undefined) parts.push(['id', id]);
    if (this.chance(0.8)) parts.push(['index', this.pick(['0', '1', '2', '-1', '1.5', 'x', '99999999999', ''])]);
    if (this.chance(0.2)) parts.push(['page', this.pick([this.hex(8), '', '__proto__'])]);
    if (this.chance(0.7)) parts.push(['width', this.pick(['1', '64', '20000', '20001', '0', '-5', 'NaN'])]);
    if (this.chance(0.7)) parts.push(['height', this.pick(['1', '64', '20000', '20001', '0', '-5', '1e3'])]);
    parts.push(['ticks', String(this.int(0, 9))]);
    const exp = String(signed.exp);
    const sig = signed.sig;
    switch (this.int(0, 7)) {
      case 0:
        break;
      case 1:
      case 2:
        parts.push(['exp', exp], ['sig', sig]);
        break;
      case 3:
        parts.push(['exp', String(signed.exp + this.pick([1, -1, 86400 * 2, -86400 * 2]))], ['sig', sig]);
        break;
      case 4:
        parts.push(['exp', exp], ['sig', this.mutateToken(sig)]);
        break;
      case 5:
        parts.push(['exp', exp], ['sig', sig], ['sig', sig]);
        break;
      case 6:
        parts.push(['exp', this.pick(['', 'x', '1e10', '-1', '9'.repeat(13)])], ['sig', sig]);
        break;
      default:
        parts.push(['sig', sig]);
    }
    if (this.chance(0.1)) parts.push(['token', this.t.app.token]);
    const shuffled = parts.sort(() => this.next() - 0.5);
    return shuffled.map(([k, v]) => `${k}=${this.chance(0.1) ? encodeURIComponent(v).replace(/[a-z0-9]/g, (c) => `%${c.charCodeAt(0).toString(16)}`) : encodeURIComponent(v)}`).join('&');
  }

  target(port: number): string {
    const { app, versionCode } = this.t;
    const roll = this.next();
    if (roll < 0.5) {
      const name = this.methodName();
      const natural = this.t.sessionMethods.has(name) ? 'f' : 'fa';
      const scope = this.chance(0.7) ? natural : this.pick(['f', 'fa', 'F', 'FA', 'f/', 'fa/.', '%66', 'dwt']);
      const query = this.chance(0.15) ? `?id=${this.session() ?? ''}${this.chance(0.5) ? `&token=${app.token}` : ''}` : this.chance(0.1) ? `?${this.word(10)}` : '';
      return `/${scope}/${name}${query}`;
    }
    if (roll < 0.65) return `/dwt/dwt_${this.pick([versionCode, versionCode, versionCode, '0', '0', 'x', '../..', '%2e%2e'])}/img?${this.imageQuery()}`;
    if (roll < 0.75) {
      const token = this.pick([undefined, app.token, this.t.other.token, this.mutateToken(app.token), '']);
      const id = this.session();
      return `/ws?${id !== undefined ? `id=${encodeURIComponent(id)}&` : ''}${token !== undefined ? `token=${encodeURIComponent(token)}` : ''}`;
    }
    if (roll < 0.85)
      return this.pick([
        '/',
        '/sdk/scanbridge.js',
        '/sdk/scanbridge.js.map',
        '/sdk/../package.json',
        '/demo',
        '/demo/',
        '/demo/index.html',
        '/consent',
        `/consent?request=${this.hex(32)}`,
        '/consent/decide',
        '/origins/revoke',
        '/favicon.ico',
      ]);
    if (roll < 0.95)
      return this.pick([
        '/../../etc/passwd',
        '/%2e%2e/%2e%2e/etc/passwd',
        '/%252e%252e/%252e%252e/etc/passwd',
        '/sdk/%2e%2e%2f%2e%2e%2fpackage.json',
        '/sdk/..%2f..%2f..%2fpackage.json',
        '/sdk/%252e%252e%252fpackage.json',
        '/sdk/..\\..\\package.json',
        '/demo/%c0%ae%c0%ae/%c0%ae%c0%ae/package.json',
        '/demo/..%5c..%5cpackage.json',
        '/sdk/scanbridge.js%00.png',
        '/demo/%2e%2e',
        '//etc/passwd',
        '/f/..%2f..%2fcert%2fadmin.token',
        '/fa/..%2f..%2fapprovals.json',
        '/dwt/..%2f..%2fcert/img',
        '/cert/admin.token',
        '/approvals.json',
        `/${'a/'.repeat(3000)}`,
        `/fa/${'%41'.repeat(400)}`,
      ]);
    return this.pick([
      `http://127.0.0.1:${port}/fa/ListDevices`,
      `http://evil.example/f/GetImageCount?id=${app.session}`,
      '*',
      'evil.example:443',
      `/${this.word(this.int(1, 60))}`,
      `/${Buffer.from(this.bytes(20).map((b) => (b < 33 || b === 127 ? 65 : b))).toString('latin1')}`,
    ]);
  }

  host(port: number): Array<[string, string]> {
    const valid = `127.0.0.1:${port}`;
    if (this.chance(0.7)) return [['Host', valid]];
    const pick = this.pick<Array<[string, string]>>([
      [],
      [['Host', valid], ['Host', valid]],
      [['Host', valid], ['host', 'evil.example']],
      [['Host', `localhost:${port}`]],
      [['Host', `[::1]:${port}`]],
      [['HOST', `LOCALHOST:${port}`]],
      [['Host', 'evil.example']],
      [['Host', `evil.example:${port}`]],
      [['Host', `127.0.0.1:${port + 1}`]],
      [['Host', '127.0.0.1']],
      [['Host', `127.0.0.1:${port}.`]],
      [['Host', `127.0.0.1.:${port}`]],
      [['Host', `127.0.0.1:${port}@evil.example`]],
      [['Host', '']],
      [['Host', this.word(20)]],
    ]);
    return pick;
  }

  /**
   * Who the request claims to be: anonymous with a well-formed Origin (these
   * reach the access checks behind the gate), the other origin's valid pair
   * (authorised paths), a wrong token (stolen, mutated, garbage), or anything.
   */
  credentials(): { origin: string | undefined; token: string | undefined } {
    const { app, other, admin, welcome } = this.t;
    const roll = this.next();
    if (roll < 0.3) return { origin: this.pick([undefined, app.origin, other.origin, EVIL, `http://127.0.0.1:${welcome}`, `https://${this.hex(6)}.example`]), token: this.pick([undefined, undefined, '']) };
    if (roll < 0.55) return { origin: other.origin, token: other.token };
    if (roll < 0.85) {
      const token = this.pick([app.token, other.token, admin, this.mutateToken(app.token), this.mutateToken(other.token), this.mutateToken(admin), this.word(43), 'x'.repeat(201)]);
      return { origin: this.pick([app.origin, other.origin, EVIL, undefined, `http://127.0.0.1:${welcome}`]), token };
    }
    return { origin: this.origin(), token: this.token() };
  }

  /**
   * One HTTP request: a random target with credentials that are mostly wrong,
   * and 0..3 of its other parts broken (Host, method, version, framing,
   * headers, body, content type, upgrade headers). Breaking everything at
   * once would only test Node's parser; most requests must reach the gate,
   * the router and the handlers.
   */
  request(): RawRequest {
    const { api, welcome } = this.t;
    const port = this.chance(0.8) ? api : welcome;
    const target = this.target(port);
    const broken = new Set<string>();
    const dimensions = ['host', 'method', 'version', 'framing', 'headers', 'body', 'type', 'upgrade'];
    for (let k = this.pick([0, 0, 0, 0, 0, 1, 1, 1, 2, 3]); k > 0; k--) broken.add(this.pick(dimensions));
    const rpcMethod = /^\/(?:f|fa)\/([A-Za-z]+)/.exec(target)?.[1] ?? this.pick(this.t.methods);
    const natural = /^\/(?:f|fa|F|FA)\//.test(target) || /^\/(consent\/decide|origins\/revoke)/.test(target) ? (this.chance(0.75) ? 'POST' : 'GET') : this.chance(0.9) ? 'GET' : 'OPTIONS';
    const method = broken.has('method') ? this.pick(['OPTIONS', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'TRACE', 'CONNECT', 'post', 'G3T', 'X'.repeat(20), natural === 'GET' ? 'POST' : 'GET']) : natural;
    const headers: Array<[string, string]> = broken.has('host') ? this.host(port) : [['Host', `127.0.0.1:${port}`]];

    const { origin, token } = this.credentials();
    if (origin !== undefined) headers.push(['Origin', origin]);
    if (origin !== undefined && this.chance(0.05)) headers.push(['Origin', this.origin() ?? EVIL]);
    if (token !== undefined) headers.push([this.pick(['X-Scanbridge-Token', 'x-scanbridge-token', 'X-SCANBRIDGE-TOKEN']), token]);
    if (token !== undefined && this.chance(0.05)) headers.push(['X-Scanbridge-Token', this.token() ?? '']);

    if (target.startsWith('/ws') && this.chance(0.8)) {
      const wrong = broken.has('upgrade');
      headers.push(['Connection', 'Upgrade'], ['Upgrade', wrong ? this.pick(['WebSocket', 'h2c', '', 'websocket, h2c']) : 'websocket']);
      headers.push(['Sec-WebSocket-Version', wrong ? this.pick(['8', 'x', '13, 13']) : '13']);
      headers.push(['Sec-WebSocket-Key', wrong ? this.pick(['x', '', Buffer.from(this.bytes(15)).toString('base64')]) : Buffer.from(this.bytes(16)).toString('base64')]);
    }
    if (method === 'OPTIONS' && this.chance(0.7)) {
      headers.push(['Access-Control-Request-Method', this.pick(['POST', 'GET', 'DELETE'])], ['Access-Control-Request-Headers', 'content-type, x-scanbridge-token']);
      if (this.chance(0.5)) headers.push(['Access-Control-Request-Private-Network', 'true']);
    }
    const extras: Array<[string, string]> = broken.has('headers')
      ? [
          ['Expect', 'nonsense'],
          ['X-Long', 'v'.repeat(this.pick([20_000, 70_000]))],
          ['Bad Header', 'x'],
          ['X-Ctl', 'a\u0001b'],
          ['X-Nul', 'a\u0000b'],
          ['X-High', '\u00ff\u00fe'],
          ['Content-Type', 'text/plain'],
          ['X-Scanbridge-Session', this.session() ?? ''],
        ]
      : [
          ['X-Scanbridge-Session', this.session() ?? ''],
          ['Expect', '100-continue'],
          ['Connection', 'keep-alive'],
          ['If-None-Match', '*'],
          ['If-None-Match', `"${this.hex(8)}.1.64x64"`],
          ['Cookie', `session=${this.t.app.session}`],
          ['Referer', `${this.t.app.origin}/`],
          ['X-Forwarded-For', '127.0.0.1'],
          ['X-Forwarded-Host', `127.0.0.1:${port}`],
          ['Forwarded', 'for=127.0.0.1;host=127.0.0.1'],
        ];
    for (let i = this.int(broken.has('headers') ? 1 : 0, 2); i > 0; i--) headers.push(this.pick(extras));

    let bytes: Buffer = Buffer.alloc(0);
    let type: string | undefined;
    if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') {
      ({ bytes, type } = broken.has('body') ? this.body(rpcMethod) : this.chance(0.02) ? this.atLimit() : { bytes: Buffer.from(JSON.stringify(this.envelope(rpcMethod, false))), type: 'application/json' });
    } else if (broken.has('body')) ({ bytes, type } = this.body(rpcMethod));
    if (broken.has('type')) type = this.pick([undefined, 'text/plain', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'APPLICATION/JSON', 'image/png', 'application/x-www-form-urlencoded', this.word(12), '']);
    if (type !== undefined) headers.push(['Content-Type', type]);

    let body: Buffer = bytes;
    let halfClose = false;
    if (!broken.has('framing')) {
      if (bytes.length > 0 || method === 'POST') headers.push(['Content-Length', String(bytes.length)]);
    } else {
      switch (this.int(0, 5)) {
        case 0:
          headers.push(['Content-Length', String(Math.max(0, bytes.length - this.int(1, 10)))]);
          break;
        case 1:
          headers.push(['Content-Length', String(bytes.length + this.int(1, 1000))]);
          halfClose = true;
          break;
        case 2:
          headers.push(['Content-Length', this.pick(['-1', 'x', '1e3', ' ', '0x10', '99999999999999999999'])]);
          break;
        case 3:
          headers.push(['Content-Length', String(bytes.length)], ['Content-Length', String(bytes.length + 1)]);
          break;
        case 4:
          headers.push(['Transfer-Encoding', 'chunked']);
          if (this.chance(0.3)) headers.push(['Content-Length', String(bytes.length)]);
          body = Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from(bytes.length ? '\r\n0\r\n\r\n' : '\r\n')]);
          break;
        default:
          headers.push(['Transfer-Encoding', this.pick(['gzip', 'chunked, gzip', 'identity'])]);
      }
    }
    const version = broken.has('version') ? this.pick(['HTTP/1.0', 'HTTP/0.9', 'HTTP/2.0', 'HTTP/1.1x', 'http/1.1']) : 'HTTP/1.1';
    return { port, method, target, version, headers, body, halfClose };
  }

  /** One WebSocket message for an authorised socket, and whether the service should answer it or close. */
  wsMessage(): { data: Buffer; binary: boolean; expect: 'answer' | 'close-1007' | 'close-1009' } {
    const roll = this.next();
    if (roll < 0.55) return { data: Buffer.from(JSON.stringify(this.envelope(this.pick(this.t.methods), true))), binary: false, expect: 'answer' };
    if (roll < 0.67) return { data: Buffer.from(JSON.stringify(this.json())), binary: false, expect: 'answer' };
    if (roll < 0.75) {
      const text = JSON.stringify(this.envelope(this.pick(this.t.methods), true));
      return { data: Buffer.from(text.slice(0, this.int(0, text.length - 1))), binary: false, expect: 'answer' };
    }
    if (roll < 0.83) return { data: this.bytes(this.int(0, 3000)), binary: true, expect: 'answer' };
    if (roll < 0.87) {
      // Invalid UTF-8 in a text frame: an overlong encoding, a lone continuation byte, a surrogate.
      const bad = this.pick([Buffer.from([0xc0, 0xaf]), Buffer.from([0x80]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xff, 0xfe])]);
      return { data: Buffer.concat([Buffer.from('{"method":"'), bad, Buffer.from('"}')]), binary: false, expect: 'close-1007' };
    }
    if (roll < 0.9) {
      const depth = this.pick([100, 10_000, 100_000]);
      return { data: Buffer.from(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`), binary: false, expect: 'answer' };
    }
    if (roll < 0.93) {
      const polluted = `{"method":"GetImageCount","id":${JSON.stringify(this.session() ?? '')},"__proto__":{"kind":"admin","origin":"local"},"params":{"__proto__":{"x":1}},"cmdId":"p"}`;
      return { data: Buffer.from(polluted), binary: false, expect: 'answer' };
    }
    // At and just over the frame limit (MaxBodyMB).
    const over = this.chance(0.4);
    const size = this.t.maxBody + (over ? 1 : 0);
    const head = '{"method":"ListDevices","params":{},"cmdId":"';
    return { data: Buffer.from(`${head}${'a'.repeat(size - head.length - 2)}"}`), binary: false, expect: over ? 'close-1009' : 'answer' };
  }
}
