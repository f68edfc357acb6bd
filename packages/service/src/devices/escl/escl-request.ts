/**
 * Every HTTP request to a network scanner goes through `esclRequest`: one
 * place for timeouts (no answer, and a body that stops arriving), bounded
 * retries when the device says 503 + Retry-After, a size limit on what is
 * read, cancellation, and the TLS options of an HTTPS device (where
 * certificate pinning plugs in: `EsclTransport.tlsOptions`). Failures come
 * out as ScanbridgeErrors with the device's URL and the request in the
 * message.
 */
import http from 'node:http';
import https from 'node:https';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { EsclEndpoint } from './endpoints.js';

export interface EsclTransport {
  /** TLS options for an HTTPS device (e.g. a pinned certificate's check); plain HTTP ignores them. */
  tlsOptions?(endpoint: EsclEndpoint): https.RequestOptions;
  /** No answer (status line and headers) within this long: io-error. Default 15 s. */
  answerTimeoutMs?: number;
  /** A body that stops arriving for this long: device-protocol-error. Default 30 s. */
  stallTimeoutMs?: number;
  /** 503 answers retried (Retry-After honoured, at most 10 s each) before device-busy. Default 3: a scanner busy for someone else is said so within seconds. */
  busyRetries?: number;
}

export interface EsclRequestInit {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: string;
  /** Largest body read (default 256 KiB, the XML limit; documents pass their own). */
  maxBytes?: number;
  signal?: AbortSignal;
  /** Answer 503 as it is instead of retrying (NextDocument has its own loop). */
  noRetry?: boolean;
  /** Answer timeout of this request (NextDocument waits for the scanner). */
  answerTimeoutMs?: number;
}

export interface EsclResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const DEFAULT_MAX_BYTES = 256 * 1024;

/** The request met a kept-alive connection the device had just closed. */
class StaleConnection extends Error {}
const MAX_RETRY_AFTER_MS = 10_000;

/** `path` is relative to the scanner's eSCL root (`ScannerStatus`), or absolute on its host (`/eSCL/ScanJobs/1/NextDocument`). */
export function esclUrl(endpoint: EsclEndpoint, path: string): URL {
  const root = new URL(endpoint.url.endsWith('/') ? endpoint.url : `${endpoint.url}/`);
  return new URL(path, root);
}

const what = (endpoint: EsclEndpoint, method: string, url: URL) => `${method} ${url.pathname} on the scanner "${endpoint.name}" (${url.origin})`;

function cancelled(signal: AbortSignal): ScanbridgeError {
  const reason: unknown = signal.reason;
  return reason instanceof ScanbridgeError ? reason : new ScanbridgeError('job-cancelled', 'the job was cancelled');
}

function once(endpoint: EsclEndpoint, url: URL, init: EsclRequestInit, transport: EsclTransport): Promise<EsclResponse> {
  const method = init.method ?? 'GET';
  const maxBytes = init.maxBytes ?? DEFAULT_MAX_BYTES;
  const answerMs = init.answerTimeoutMs ?? transport.answerTimeoutMs ?? 15_000;
  const stallMs = transport.stallTimeoutMs ?? 30_000;
  const secure = url.protocol === 'https:';
  return new Promise<EsclResponse>((resolve, reject) => {
    if (init.signal?.aborted) return reject(cancelled(init.signal));
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (err: Error | null, value?: EsclResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      init.signal?.removeEventListener('abort', onAbort);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(value!);
    };
    const arm = (ms: number, error: () => ScanbridgeError) => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(error()), ms);
    };
    const onAbort = () => finish(cancelled(init.signal!));
    const body = init.body === undefined ? undefined : Buffer.from(init.body);
    const options: https.RequestOptions = {
      method,
      headers: { accept: '*/*', ...(body ? { 'content-type': 'text/xml', 'content-length': body.length } : {}) },
      ...(secure ? transport.tlsOptions?.(endpoint) : {}),
    };
    const req = (secure ? https : http).request(url, options, (res) => {
      const parts: Buffer[] = [];
      let size = 0;
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        return finish(new ScanbridgeError('device-protocol-error', `${what(endpoint, method, url)} answered ${declared} bytes, more than the ${maxBytes} bytes allowed`));
      }
      const stalled = () => new ScanbridgeError('device-protocol-error', `${what(endpoint, method, url)} stopped sending its answer for ${stallMs / 1000} s after ${size} bytes`);
      arm(stallMs, stalled);
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) return finish(new ScanbridgeError('device-protocol-error', `${what(endpoint, method, url)} answered more than the ${maxBytes} bytes allowed`));
        parts.push(chunk);
        arm(stallMs, stalled);
      });
      res.on('end', () => {
        if (Number.isFinite(declared) && size !== declared) {
          return finish(new ScanbridgeError('device-protocol-error', `${what(endpoint, method, url)} was cut off after ${size} of ${declared} bytes`));
        }
        finish(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) });
      });
      // A connection dropped mid-body ends in 'aborted'/'error' on the response, or 'close' without 'end'.
      res.on('error', (err) => finish(new ScanbridgeError('device-protocol-error', `${what(endpoint, method, url)} was cut off after ${size} bytes: ${err.message}`)));
      res.on('close', () => {
        if (!res.complete) finish(new ScanbridgeError('device-protocol-error', `${what(endpoint, method, url)} was cut off after ${size} bytes (the connection closed)`));
      });
    });
    arm(answerMs, () => new ScanbridgeError('io-error', `${what(endpoint, method, url)} did not answer within ${answerMs / 1000} s`));
    init.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) => {
      // A kept-alive connection the device closed as this request went out: nothing reached it, ask again on a new one.
      if (req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE') && !settled) {
        settled = true;
        clearTimeout(timer);
        init.signal?.removeEventListener('abort', onAbort);
        return reject(new StaleConnection());
      }
      // A typed refusal from the transport (a pinned certificate that changed) reaches the caller as it is.
      if (err instanceof ScanbridgeError) return finish(err);
      const unreachable = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTDOWN'].includes(err.code ?? '');
      if (unreachable) finish(new ScanbridgeError('device-gone', `the scanner "${endpoint.name}" cannot be reached at ${url.origin} (${err.code}); is it on and on this network?`));
      else if (err.code?.startsWith('ERR_TLS') || err.code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || err.code === 'SELF_SIGNED_CERT_IN_CHAIN' || err.code === 'CERT_HAS_EXPIRED' || err.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE') {
        finish(new ScanbridgeError('access-denied', `the HTTPS certificate of the scanner "${endpoint.name}" at ${url.origin} is refused: ${err.message}`));
      } else finish(new ScanbridgeError('io-error', `${what(endpoint, method, url)} failed: ${err.message}`));
    });
    req.end(body);
  });
}

function retryAfterMs(headers: http.IncomingHttpHeaders): number {
  const value = headers['retry-after'];
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const date = value ? Date.parse(value) : NaN;
  return Number.isFinite(date) ? Math.max(0, Math.min(date - Date.now(), MAX_RETRY_AFTER_MS)) : 1000;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** One eSCL request; a 503 is retried after its Retry-After, at most `busyRetries` times, then answered as device-busy. */
export async function esclRequest(endpoint: EsclEndpoint, path: string, init: EsclRequestInit = {}, transport: EsclTransport = {}): Promise<EsclResponse> {
  const url = esclUrl(endpoint, path);
  const retries = init.noRetry ? 0 : (transport.busyRetries ?? 3);
  let stale = 0;
  for (let attempt = 0; ; attempt++) {
    let res: EsclResponse;
    try {
      res = await once(endpoint, url, init, transport);
    } catch (err) {
      if (!(err instanceof StaleConnection) || ++stale > 2) throw err instanceof StaleConnection ? new ScanbridgeError('io-error', `the scanner "${endpoint.name}" closed the connection (${init.method ?? 'GET'} ${url.pathname})`) : err;
      attempt--;
      continue;
    }
    if (res.status !== 503 || init.noRetry) return res;
    if (attempt >= retries) {
      throw new ScanbridgeError('device-busy', `the scanner "${endpoint.name}" stayed busy (HTTP 503 to ${init.method ?? 'GET'} ${url.pathname}, ${attempt + 1} tries); it may be scanning for someone else`);
    }
    await sleep(retryAfterMs(res.headers), init.signal);
  }
}
