/**
 * The attack suite, connection level: what a caller can do to the service
 * before it ever holds a token. Unauthenticated bodies are refused after
 * their headers, unread (memory stays flat); another account's connections
 * are closed when accepted, and no owner or origin can take every connection;
 * slow clients are cut after seconds. Each case asserts the typed refusal and
 * that the user's own calls are still answered.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { rpc, startChild, startInProcess, tempHome, tokenFor, type ChildService, type InProcess } from '../test-support/service-harness.js';
import { request } from '../test-support/net.js';

const NOBODY = 65534;
const MB = 1024 * 1024;

/** The status line and the error code of an answer in `text` (latin1), once its head and JSON body are complete. */
function parseAnswer(text: string): { status: number; code: string | null } | null {
  const head = text.indexOf('\r\n\r\n');
  if (head < 0) return null;
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  const length = Number(/\r\ncontent-length: *(\d+)/i.exec(text.slice(0, head))?.[1] ?? -1);
  const body = text.slice(head + 4);
  if (length >= 0 && body.length < length) return null;
  let code: string | null = null;
  try {
    code = (JSON.parse(body) as { error?: { code: string } }).error?.code ?? null;
  } catch {
    code = null;
  }
  return { status, code };
}

interface BigPost {
  status: number;
  code: string | null;
  /** Body bytes the kernel took from us before the answer arrived (or the server closed). */
  sentBeforeAnswer: number;
  /** From the end of the headers to the answer (reported, not asserted). */
  ms: number;
}

/**
 * Headers of a `size`-byte POST, then the body in 64 KiB pieces as fast as the
 * server takes them, until the answer arrives or the server closes.
 */
function bigPost(opts: { port: number; tls?: boolean; path: string; headers: Record<string, string>; size: number; chunked?: boolean }): Promise<BigPost> {
  return new Promise((resolve) => {
    const headers = { host: `127.0.0.1:${opts.port}`, ...opts.headers, ...(opts.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(opts.size) }) };
    const head = `POST ${opts.path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
    const socket: net.Socket = opts.tls ? tls.connect({ port: opts.port, host: '127.0.0.1', rejectUnauthorized: false }) : net.connect(opts.port, '127.0.0.1');
    const piece = Buffer.alloc(64 * 1024, 0x41);
    const framed = opts.chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece;
    let sent = 0;
    let queued = 0;
    let text = '';
    let done = false;
    let headersAt = 0;
    const finish = (status: number, code: string | null) => {
      if (done) return;
      done = true;
      const result = { status, code, sentBeforeAnswer: sent, ms: Date.now() - headersAt };
      socket.destroy();
      resolve(result);
    };
    const pump = () => {
      while (!done && queued < opts.size) {
        queued += piece.length;
        const ok = socket.write(framed, (err) => {
          if (!err && !done) sent += piece.length;
        });
        if (!ok) return;
      }
    };
    socket.once(opts.tls ? 'secureConnect' : 'connect', () => {
      socket.write(head);
      headersAt = Date.now();
      pump();
    });
    socket.on('drain', pump);
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      const answer = parseAnswer(text);
      if (answer) finish(answer.status, answer.code);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => finish(parseAnswer(text)?.status ?? 0, parseAnswer(text)?.code ?? null));
  });
}

async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) * 1024;
}

/**
 * A program running as another account that opens `count` connections to
 * `port` and holds them idle, sending nothing. It prints "ready" once every
 * connection is open and a line for each the server closes (with the error
 * code of the answer, if any).
 */
function holdConnectionsAs(uid: number, port: number, count: number, useTls: boolean) {
  const script = `
    const net = require('net'), tls = require('tls');
    let connected = 0;
    for (let i = 0; i < ${count}; i++) {
      const s = ${useTls} ? tls.connect({ port: ${port}, host: '127.0.0.1', rejectUnauthorized: false }) : net.connect(${port}, '127.0.0.1');
      let text = '';
      s.once('connect', () => ++connected === ${count} && console.log('ready'));
      s.on('data', (d) => { text += d; });
      s.on('error', () => {});
      s.on('close', () => console.log('closed ' + (/"code":"([a-z-]+)"/.exec(text)?.[1] ?? '-')));
    }
    process.stdin.on('end', () => process.exit(0));
    process.stdin.resume();
  `;
  const child = spawn(process.execPath, ['-e', script], { uid, gid: uid, cwd: '/', stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const seen = () => {
    const codes: Record<string, number> = {};
    let closed = 0;
    for (const m of out.matchAll(/^closed (\S+)$/gm)) {
      closed++;
      codes[m[1]!] = (codes[m[1]!] ?? 0) + 1;
    }
    return { ready: out.includes('ready\n'), closed, codes };
  };
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (d) => {
    out += d;
    for (const w of waiters.splice(0)) w();
  });
  const until = (done: (s: ReturnType<typeof seen>) => boolean) =>
    new Promise<ReturnType<typeof seen>>((resolve, reject) => {
      const check = () => (done(seen()) ? resolve(seen()) : child.exitCode !== null ? reject(new Error(`the holder exited: ${out.slice(-500)}`)) : waiters.push(check));
      check();
    });
  return {
    /** Resolves once every connection is open. */
    ready: () => until((s) => s.ready),
    /** Resolves once the server closed `n` of them. */
    closed: (n: number) => until((s) => s.closed >= n),
    stop: () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      return exited;
    },
  };
}

/** The user's own calls, sequential then in parallel, over plain HTTP and HTTPS: all must be answered. */
async function ownCallsAnswered(svc: InProcess, ca: string): Promise<void> {
  for (let i = 0; i < 10; i++) {
    assert.equal((await rpc(svc.base, 'fa', 'VersionInfo')).status, 200);
    assert.equal((await request(`https://127.0.0.1:${svc.ports.https}/fa/ServiceInfo`, { ca })).status, 200);
  }
  const parallel = await Promise.all(Array.from({ length: 20 }, () => rpc(svc.base, 'fa', 'ListDevices', {}, undefined, { headers: { 'content-type': 'application/json', 'x-scanbridge-token': tokenFor(svc.base)!, connection: 'close' } }).then((r) => r.status)));
  assert.deepEqual(new Set(parallel), new Set([200]));
}

describe('attack suite: connections', () => {
  describe('unauthenticated bodies', () => {
    let home: string;
    let svc: ChildService;
    before(async () => {
      home = await tempHome();
      // A child process, so that its resident memory is its own.
      svc = await startChild(home, ['--sane-scanners', 'false', '--log-level', 'warn']);
    });
    after(async () => {
      await svc?.stop();
      await rm(home, { recursive: true, force: true });
    });

    it('8 parallel 60 MB POSTs without a token are refused after their headers, unread, and memory stays within 20 MB of idle', async (t) => {
      const pid = svc.child.pid!;
      // Idle: started, and every code path the refusals take has run once.
      for (let i = 0; i < 3; i++) {
        assert.equal((await rpc(svc.base, 'fa', 'VersionInfo')).status, 200);
        await bigPost({ port: svc.ports.http, path: '/f/LoadImages?id=x', headers: { origin: 'https://evil.example', 'content-type': 'application/pdf' }, size: 64 * 1024 });
      }
      await new Promise((r) => setTimeout(r, 500));
      const idle = await residentBytes(pid);
      let peak = idle;
      const sampler = setInterval(() => void residentBytes(pid).then((rss) => (peak = Math.max(peak, rss)), () => undefined), 10);
      const SIZE = 60 * MB;
      const { http, https } = svc.ports;
      const cases = [
        { expect: [403, 'token-invalid'], port: http, path: '/f/LoadImages?id=x', headers: { origin: 'https://evil.example', 'content-type': 'application/pdf' } },
        { expect: [403, 'token-invalid'], port: http, path: '/f/LoadImages?id=x', headers: { origin: 'https://evil.example', 'content-type': 'application/octet-stream' }, chunked: true },
        { expect: [403, 'token-invalid'], port: http, path: '/f/AddImage', headers: { 'content-type': 'application/json' } },
        { expect: [403, 'token-invalid'], port: http, path: '/f/AddImage', headers: { origin: 'https://evil.example', 'content-type': 'text/plain' }, chunked: true },
        { expect: [403, 'token-invalid'], port: https, tls: true, path: '/f/LoadImages?id=x', headers: { origin: 'https://evil.example', 'content-type': 'image/png' } },
        { expect: [403, 'token-invalid'], port: svc.ports.welcomeHttp, path: '/fa/ListOrigins', headers: { 'content-type': 'application/json' } },
        // Public methods and unknown endpoints take no large body from anyone.
        { expect: [413, 'too-large'], port: http, path: '/fa/RequestAccess', headers: { origin: 'https://evil.example', 'content-type': 'application/json' } },
        { expect: [404, 'not-found'], port: http, path: '/upload/anything', headers: { 'content-type': 'application/octet-stream' } },
      ] as const;
      const results = await Promise.all(cases.map((c) => bigPost({ ...c, size: SIZE })));
      await new Promise((r) => setTimeout(r, 200));
      clearInterval(sampler);
      peak = Math.max(peak, await residentBytes(pid));
      for (const [i, c] of cases.entries()) {
        const r = results[i]!;
        assert.deepEqual([r.status, r.code], c.expect, `${c.path} ${JSON.stringify(c.headers)}`);
        // What the kernel buffers on both ends, not the body: the server stopped reading after the headers.
        assert.ok(r.sentBeforeAnswer < 16 * MB, `${c.path}: ${(r.sentBeforeAnswer / MB).toFixed(1)} MB were sent before the answer`);
      }
      t.diagnostic(`resident memory idle ${(idle / MB).toFixed(1)} MB, peak ${(peak / MB).toFixed(1)} MB; answers ${results.map((r) => r.ms).join(', ')} ms after the headers; sent before them ${results.map((r) => (r.sentBeforeAnswer / MB).toFixed(1)).join(', ')} MB`);
      assert.ok(peak - idle < 20 * MB, `resident memory went from ${(idle / MB).toFixed(0)} MB to ${(peak / MB).toFixed(0)} MB`);
      assert.equal((await rpc(svc.base, 'fa', 'VersionInfo')).status, 200, 'the user is still served');
    });

    it('JSON methods take 1 MB bodies, methods that take a file up to MaxBodyMB', async () => {
      const token = tokenFor(svc.base)!;
      const json = await bigPost({ port: svc.ports.http, path: '/fa/ListDevices', headers: { 'x-scanbridge-token': token, 'content-type': 'application/json' }, size: 2 * MB });
      assert.deepEqual([json.status, json.code], [413, 'too-large']);
      const chunked = await bigPost({ port: svc.ports.http, path: '/fa/ListDevices', headers: { 'x-scanbridge-token': token, 'content-type': 'application/json' }, size: 2 * MB, chunked: true });
      assert.deepEqual([chunked.status, chunked.code], [413, 'too-large']);
      // A file method reads the whole body (then finds it is no image).
      const session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
      const file = await bigPost({ port: svc.ports.http, path: `/f/LoadImages?id=${session}`, headers: { 'x-scanbridge-token': token, 'content-type': 'application/octet-stream' }, size: 8 * MB });
      assert.deepEqual([file.status, file.code], [400, 'invalid-image']);
    });
  });

  describe('connections of other accounts and of one origin', () => {
    let svc: InProcess;
    let svcHome: string;
    let svcClosed = false;
    let open: InProcess;
    let ca: string;
    before(async () => {
      assert.equal(process.getuid?.(), 0, 'these tests run as root (CI does), to start a process as nobody');
      svcHome = await tempHome();
      svc = await startInProcess({}, svcHome);
      open = await startInProcess({ 'allow-other-users': 'true' });
      ca = await readFile(path.join(svc.home, 'cert', 'scanbridge.crt'), 'utf8');
    });
    after(async () => {
      if (!svcClosed) await svc?.close();
      await open?.close();
      await rm(svcHome, { recursive: true, force: true });
    });

    it("600 idle connections of another account, on HTTP and HTTPS, are closed when accepted and do not stop the user's calls", async () => {
      for (const [port, useTls] of [
        [svc.ports.http, false],
        [svc.ports.https, true],
      ] as const) {
        const holder = holdConnectionsAs(NOBODY, port, 600, useTls);
        try {
          // While another account opens its connections, while they are looked up, and after.
          const calls = ownCallsAnswered(svc, ca);
          await holder.ready();
          // Each is closed: none is left waiting for a timeout. Over plain HTTP the refusal is
          // typed; over TLS it comes before any handshake, so nothing can be said.
          const seen = await holder.closed(600);
          if (!useTls) assert.equal(seen.codes['other-user'], 600, JSON.stringify(seen));
          await calls;
          await ownCallsAnswered(svc, ca);
        } finally {
          await holder.stop();
        }
      }
    });

    it('with AllowOtherUsers, one account may hold only so many connections', async () => {
      const holder = holdConnectionsAs(NOBODY, open.ports.http, 600, false);
      try {
        await holder.ready();
        const seen = await holder.closed(600 - 512);
        assert.equal(seen.codes['too-many-requests'], 600 - 512, JSON.stringify(seen));
        for (let i = 0; i < 10; i++) assert.equal((await rpc(open.base, 'fa', 'VersionInfo')).status, 200);
      } finally {
        await holder.stop();
      }
    });

    it("one origin may hold only so many connections; the user's calls go on", async () => {
      const sockets: net.Socket[] = [];
      const statuses: Array<Promise<{ status: number; code: string | null }>> = [];
      try {
        for (let i = 0; i < 200; i++) {
          const socket = net.connect(svc.ports.http, '127.0.0.1');
          socket.on('error', () => undefined);
          sockets.push(socket);
          statuses.push(
            new Promise((resolve) => {
              let text = '';
              socket.on('data', (d) => {
                text += d.toString('latin1');
                const answer = parseAnswer(text);
                if (answer) resolve(answer);
              });
              socket.on('close', () => resolve(parseAnswer(text) ?? { status: 0, code: null }));
              socket.write(`GET /fa/VersionInfo HTTP/1.1\r\nHost: 127.0.0.1:${svc.ports.http}\r\nOrigin: https://evil.example\r\n\r\n`);
            }),
          );
        }
        const answers = await Promise.all(statuses);
        const ok = answers.filter((a) => a.status === 200).length;
        const refused = answers.filter((a) => a.status === 429 && a.code === 'too-many-requests').length;
        assert.equal(ok, 128, JSON.stringify(answers.filter((a) => a.status !== 200).slice(0, 3)));
        assert.equal(refused, 72);
        await ownCallsAnswered(svc, ca);
      } finally {
        for (const s of sockets) s.destroy();
      }
    });

    it('every connection refused when accepted is in the service log, with its code', async () => {
      await svc.close();
      svcClosed = true;
      const logDir = path.join(svcHome, 'log');
      const lines = (await Promise.all((await readdir(logDir)).map((f) => readFile(path.join(logDir, f), 'utf8')))).join('').split('\n').filter(Boolean);
      const refused = lines.map((l) => JSON.parse(l) as { msg: string; code?: string }).filter((l) => l.msg.startsWith('connection refused'));
      // 600 of another account on HTTP and 600 on HTTPS, in the first test.
      assert.equal(refused.filter((l) => l.code === 'other-user').length, 1200, JSON.stringify(refused.slice(0, 3)));
    });
  });

  describe('slow clients', () => {
    let svc: InProcess;
    before(async () => {
      svc = await startInProcess();
    });
    after(() => svc?.close());

    /** Connect (TLS or not), send `head`, then `line` every second: when (ms) and how the server closed. */
    const trickle = (opts: { port: number; tls?: boolean; head: string; line: string; silent?: boolean }) =>
      new Promise<{ ms: number; status: number; code: string | null }>((resolve) => {
        const started = Date.now();
        // A silent client sends nothing at all, not even a TLS hello.
        const useTls = opts.tls && !opts.silent;
        const socket: net.Socket = useTls ? tls.connect({ port: opts.port, host: '127.0.0.1', rejectUnauthorized: false }) : net.connect(opts.port, '127.0.0.1');
        let text = '';
        let timer: NodeJS.Timeout | undefined;
        socket.once(useTls ? 'secureConnect' : 'connect', () => {
          if (opts.silent) return;
          socket.write(opts.head);
          timer = setInterval(() => socket.write(opts.line), 1000);
        });
        socket.on('data', (d) => (text += d.toString('latin1')));
        socket.on('error', () => undefined);
        socket.on('close', () => {
          clearInterval(timer);
          const answer = parseAnswer(text);
          resolve({ ms: Date.now() - started, status: answer?.status ?? 0, code: answer?.code ?? null });
        });
      });

    it('header and body tricklers, silent and idle connections are closed within seconds, with request-timeout where an answer is possible', async () => {
      const { http, https, welcomeHttp } = svc.ports;
      const token = tokenFor(svc.base)!;
      const headers = (port: number) => `GET /fa/VersionInfo HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`;
      const body = (port: number) => `POST /fa/ListDevices HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Scanbridge-Token: ${token}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"params":{},"cmdId":"`;
      const [headerHttp, headerHttps, headerWelcome, silentHttp, silentTls, bodyHttp, bodyHttps] = await Promise.all([
        trickle({ port: http, head: headers(http), line: 'X-Slow: 1\r\n' }),
        trickle({ port: https, tls: true, head: headers(https), line: 'X-Slow: 1\r\n' }),
        trickle({ port: welcomeHttp, head: headers(welcomeHttp), line: 'X-Slow: 1\r\n' }),
        trickle({ port: http, head: '', line: '', silent: true }),
        trickle({ port: https, head: '', line: '', silent: true }),
        trickle({ port: http, head: body(http), line: 'a' }),
        trickle({ port: https, tls: true, head: body(https), line: 'a' }),
      ]);
      for (const [name, r] of Object.entries({ headerHttp, headerHttps, headerWelcome, silentHttp })) {
        assert.ok(r.ms < 15_000, `${name}: closed after ${r.ms} ms`);
        assert.deepEqual([r.status, r.code], [408, 'request-timeout'], name);
      }
      assert.ok(silentTls.ms < 15_000, `a TLS client that never says hello: closed after ${silentTls.ms} ms`);
      for (const [name, r] of Object.entries({ bodyHttp, bodyHttps })) {
        assert.ok(r.ms < 45_000, `${name}: closed after ${r.ms} ms`);
        assert.deepEqual([r.status, r.code], [408, 'request-timeout'], name);
      }
    });

    it('an idle keep-alive connection is closed within seconds after its answer', async () => {
      const started = Date.now();
      const closed = await new Promise<number>((resolve) => {
        const socket = net.connect(svc.ports.http, '127.0.0.1', () => socket.write(`GET /fa/VersionInfo HTTP/1.1\r\nHost: 127.0.0.1:${svc.ports.http}\r\n\r\n`));
        let answeredAt = 0;
        socket.on('data', () => (answeredAt ||= Date.now()));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(Date.now() - (answeredAt || started)));
      });
      assert.ok(closed < 15_000, `closed ${closed} ms after the answer`);
    });
  });
});
