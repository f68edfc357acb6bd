/**
 * One HTTP request of an upload, over node:http(s) rather than fetch: the
 * body is written chunk by chunk as its source gives it (pages being encoded,
 * or a temporary file), with backpressure from the socket, bytes counted as
 * they are handed over (progress), redirects never followed, and an early
 * answer (a 413 before the body is read) kept instead of being lost to the
 * write error that follows it. With a Content-Length header the body must be
 * exactly that long; without one, Node sends it chunked.
 */
import http from 'node:http';
import https from 'node:https';
import type { UploadResponse } from '@scanbridge/protocol';
import { drained } from '../../util/drained.js';

/** The part of the server's answer handed back to the page. */
export const MAX_ANSWER_BYTES = 64 * 1024;
/** A connection silent this long is dropped and the attempt retried. */
const IDLE_MS = 60_000;

/** The request never got a complete HTTP answer: refused, reset, timed out, or not HTTP at all. */
export class NetworkError extends Error {
  constructor(override readonly cause: Error & { code?: string }) {
    super(cause.message);
    this.name = 'NetworkError';
  }
}

export interface SendOptions {
  method: string;
  headers: Record<string, string | number>;
  /**
   * A fresh source of the body; none for HEAD/POST without body. Its own
   * failure (a page that cannot be encoded) rejects the request with that
   * error, not a NetworkError: another try would fail the same way.
   */
  body?: (() => AsyncIterable<Buffer>) | undefined;
  signal: AbortSignal;
  /** Called with each chunk's size as it is handed to the socket. */
  onBytes?: ((n: number) => void) | undefined;
}

function answerHeaders(res: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    // Cookies never travel through the service, in either direction.
    if (name === 'set-cookie' || value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function readAnswer(res: http.IncomingMessage): Promise<UploadResponse> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let kept = 0;
    let truncated = false;
    res.on('data', (chunk: Buffer) => {
      const room = MAX_ANSWER_BYTES - kept;
      if (chunk.length > room) truncated = true;
      if (room > 0) {
        parts.push(chunk.subarray(0, room));
        kept += Math.min(room, chunk.length);
      }
    });
    res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: answerHeaders(res), body: Buffer.concat(parts).toString('utf8'), truncated }));
    res.on('error', (err) => reject(new NetworkError(err)));
  });
}

/**
 * Writes the body straight into the request: no stream adapters in between
 * (each would cost a hop per chunk on the thread that also encodes). Stops,
 * closing the source (and so the encoder), as soon as the request is gone.
 */
async function writeBody(req: http.ClientRequest, body: AsyncIterable<Buffer>, onBytes: ((n: number) => void) | undefined): Promise<void> {
  for await (const chunk of body) {
    if (req.destroyed) return;
    onBytes?.(chunk.length);
    // A page leased from the buffer's reused slots (shared memory) changes once its encoder
    // releases it, when we ask for the next chunk: it must have left for the socket first.
    if (chunk.buffer instanceof SharedArrayBuffer) await flushed(req, chunk);
    else if (!req.write(chunk)) await drained(req);
  }
  if (!req.destroyed) req.end();
}

/** Resolves once the socket has taken the chunk, or the request is gone (nothing is sent after that). */
function flushed(req: http.ClientRequest, chunk: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('close', done);
      resolve();
    };
    req.once('close', done);
    req.write(chunk, done);
  });
}

export function send(url: URL, opts: SendOptions): Promise<UploadResponse> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let answered = false;
    let settled = false;
    const fail = (err: unknown) => {
      if (answered || settled) return;
      settled = true;
      reject(err);
    };
    const req = client.request(url, { method: opts.method, headers: opts.headers, signal: opts.signal, timeout: IDLE_MS });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.host} for ${IDLE_MS / 1000} s`)));
    req.on('error', (err) => fail(opts.signal.aborted ? opts.signal.reason : new NetworkError(err)));
    req.on('response', (res) => {
      answered = true;
      readAnswer(res).then((answer) => {
        // An answer before the body was all sent (a 413, a 503) ends the exchange: the rest would only hang on a server that stopped reading.
        if (!req.writableFinished) req.destroy();
        resolve(answer);
      }, reject);
    });
    if (!opts.body) {
      req.end();
      return;
    }
    writeBody(req, opts.body(), opts.onBytes).catch((err: unknown) => {
      fail(opts.signal.aborted ? opts.signal.reason : err);
      req.destroy();
    });
  });
}
