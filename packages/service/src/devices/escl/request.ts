/**
 * The one way the eSCL driver talks to a network scanner: an HTTP(S)
 * request with a connect timeout, a read timeout (the longest silence while
 * waiting for the answer or inside it), a bound on the answer's size and a
 * few retries for idempotent requests that could not connect. Plain HTTP is
 * allowed (LAN scanners rarely offer more); HTTPS accepts the self-signed
 * certificates scanners have and pins it on first use, checked before a
 * byte of the request is sent.
 *
 * Transport failures become typed errors naming the scanner; any HTTP status
 * is answered as it is (503 busy, 409, 404 are the driver's to map).
 */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { ScanbridgeError } from '@scanbridge/protocol';
import type { CertificatePins } from './certificate-pins.js';

export interface EsclDevice {
  /** The eSCL root, e.g. `https://192.168.1.20:443/eSCL` (EsclEndpoint.url). */
  url: string;
  name: string;
  uuid?: string | undefined;
}

export interface EsclRequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
  /** TCP connect plus TLS handshake; default 5 s. */
  connectTimeoutMs?: number;
  /** Longest silence while waiting for or reading the answer; default 30 s (a scanner warming its lamp answers NextDocument late). */
  readTimeoutMs?: number;
  /** Largest answer body accepted; default 128 MiB (a multi-page PDF at 600 dpi). XML callers pass less. */
  maxBytes?: number;
  /** More attempts when the connection could not be made; default 2 for GET, HEAD and DELETE, 0 otherwise (a POST may have been taken). */
  retries?: number;
  /** Required for https devices: where certificates are pinned. */
  pins?: CertificatePins | null;
}

export interface EsclResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const DEFAULTS = { connectTimeoutMs: 5000, readTimeoutMs: 30_000, maxBytes: 128 * 1024 * 1024 };
const RETRY_DELAY_MS = 300;

/** A failure worth another attempt: nothing reached the scanner. */
class ConnectFailure extends Error {}

/** `path` relative to the device's root (`ScanJobs`), or absolute on the same origin (a Location header). */
export function resolveDeviceUrl(device: EsclDevice, path: string): URL {
  const root = new URL(device.url);
  const url = /^[a-z]+:\/\//i.test(path) ? new URL(path) : path.startsWith('/') ? new URL(path, root) : new URL(`${root.pathname.replace(/\/$/, '')}/${path}`, root);
  if (url.origin !== root.origin) {
    throw new ScanbridgeError('io-error', `${device.name} (${device.url}) pointed to ${url.origin}, another host than its own; refused`);
  }
  return url;
}

/** SHA-256 of a certificate as colon-separated upper-case hex. */
export const fingerprintOf = (cert: tls.PeerCertificate): string => cert.fingerprint256;

function connect(device: EsclDevice, url: URL, opts: EsclRequestOptions): Promise<net.Socket> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const timeoutMs = opts.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
  return new Promise((resolve, reject) => {
    const socket =
      url.protocol === 'https:'
        ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] })
        : net.connect({ host, port });
    const onAbort = () => fail(cancelled(device, opts, url));
    const fail = (err: Error) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new ConnectFailure(`no connection within ${timeoutMs / 1000} s`)), timeoutMs);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', (err) => fail(new ConnectFailure(err.message)));
    socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

/** Pins or checks the scanner's certificate; a change ends the connection before anything is sent. */
async function checkCertificate(device: EsclDevice, socket: tls.TLSSocket, pins: CertificatePins): Promise<void> {
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.fingerprint256) {
    socket.destroy();
    throw new ScanbridgeError('io-error', `${device.name} (${device.url}) presented no TLS certificate`);
  }
  const fingerprint = fingerprintOf(cert);
  const result = await pins.check(device, fingerprint);
  if (result.state === 'changed') {
    socket.destroy();
    throw new ScanbridgeError(
      'device-certificate-changed',
      `the TLS certificate of ${device.name} (${device.url}) changed: pinned SHA-256 ${result.pinned.fingerprint} (first seen ${result.pinned.pinnedAt.slice(0, 10)}), now presented SHA-256 ${fingerprint}. ` +
        `Someone may be impersonating the scanner; if it was reset or got a new certificate, run \`scanbridge devices unpin ${device.url}\` and connect again`,
      { device: device.url, pinned: result.pinned.fingerprint, presented: fingerprint },
    );
  }
}

function once(device: EsclDevice, url: URL, opts: EsclRequestOptions): Promise<EsclResponse> {
  return (async () => {
    const socket = await connect(device, url, opts);
    if (url.protocol === 'https:') {
      if (!opts.pins) {
        socket.destroy();
        throw new Error(`bug: an https request to ${device.url} without a pin store`);
      }
      await checkCertificate(device, socket as tls.TLSSocket, opts.pins);
    }
    const readTimeoutMs = opts.readTimeoutMs ?? DEFAULTS.readTimeoutMs;
    const maxBytes = opts.maxBytes ?? DEFAULTS.maxBytes;
    const what = `${opts.method ?? 'GET'} ${url.pathname}`;
    return new Promise<EsclResponse>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | null, value?: EsclResponse) => {
        if (settled) return;
        settled = true;
        opts.signal?.removeEventListener('abort', onAbort);
        if (err) {
          req.destroy();
          reject(err);
        } else resolve(value!);
      };
      const onAbort = () => finish(cancelled(device, opts, url));
      const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
      const req = http.request({
        // The connection made (and its certificate checked) above; one request per connection.
        createConnection: () => socket,
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: opts.method ?? 'GET',
        headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...opts.headers },
        // No agent: with one (even `agent: false`) Node opens its own socket and ignores createConnection.
      });
      req.setTimeout(readTimeoutMs, () => finish(new ScanbridgeError('io-error', `${device.name} (${device.url}) stopped answering: nothing for ${readTimeoutMs / 1000} s during ${what}`)));
      req.on('error', (err) => finish(new ScanbridgeError('io-error', `${device.name} (${device.url}) dropped the connection during ${what}: ${err.message}`)));
      req.on('response', (res) => {
        const declared = Number(res.headers['content-length']);
        if (declared > maxBytes) return finish(tooLarge(device, what, maxBytes));
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) return finish(tooLarge(device, what, maxBytes));
          chunks.push(chunk);
        });
        res.on('aborted', () => finish(new ScanbridgeError('io-error', `${device.name} (${device.url}) dropped the connection in the middle of its answer to ${what} (${size} bytes received)`)));
        res.on('error', (err) => finish(new ScanbridgeError('io-error', `${device.name} (${device.url}) dropped the connection in the middle of its answer to ${what}: ${err.message}`)));
        res.on('end', () => {
          if (!res.complete) return finish(new ScanbridgeError('io-error', `${device.name} (${device.url}) ended its answer to ${what} early (${size} bytes received)`));
          finish(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
      });
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      req.end(body);
    });
  })();
}

/** The signal's reason when it is a typed error (the job's own), else job-cancelled. */
const cancelled = (device: EsclDevice, opts: EsclRequestOptions, url: URL): Error =>
  opts.signal?.reason instanceof ScanbridgeError ? opts.signal.reason : new ScanbridgeError('job-cancelled', `${opts.method ?? 'GET'} ${url.pathname} to ${device.name} was cancelled`);

const tooLarge = (device: EsclDevice, what: string, maxBytes: number) =>
  new ScanbridgeError('io-error', `${device.name} (${device.url}) answered more than ${maxBytes} bytes to ${what}; refused`);

/** One request to a scanner (see the module comment). */
export async function esclRequest(device: EsclDevice, path: string, opts: EsclRequestOptions = {}): Promise<EsclResponse> {
  const url = resolveDeviceUrl(device, path);
  const method = opts.method ?? 'GET';
  const retries = opts.retries ?? (method === 'GET' || method === 'HEAD' || method === 'DELETE' ? 2 : 0);
  for (let attempt = 0; ; attempt++) {
    if (opts.signal?.aborted) throw cancelled(device, opts, url);
    try {
      return await once(device, url, opts);
    } catch (err) {
      if (!(err instanceof ConnectFailure)) throw err;
      if (attempt >= retries) {
        throw new ScanbridgeError('device-gone', `${device.name} (${device.url}) does not answer: ${err.message}${attempt ? ` (tried ${attempt + 1} times)` : ''}`, { device: device.url });
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * (attempt + 1)));
    }
  }
}
