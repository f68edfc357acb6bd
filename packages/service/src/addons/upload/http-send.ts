/**
 * One HTTP request of an upload, over node:http(s) rather than fetch: the
 * body is streamed from the temporary file with a known Content-Length, bytes
 * are counted as they leave (progress), redirects are never followed, and an
 * early answer (a 413 before the body is read) is kept instead of being lost
 * to the write error that follows it.
 */
import http from 'node:http';
import https from 'node:https';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { UploadResponse } from '@scanbridge/protocol';

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
  /** A fresh stream of the body; none for HEAD/POST without body. */
  body?: (() => Readable) | undefined;
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

export function send(url: URL, opts: SendOptions): Promise<UploadResponse> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = client.request(url, { method: opts.method, headers: opts.headers, signal: opts.signal, timeout: IDLE_MS });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.host} for ${IDLE_MS / 1000} s`)));
    req.on('error', (err) => {
      if (answered) return;
      reject(opts.signal.aborted ? opts.signal.reason : new NetworkError(err));
    });
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
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        opts.onBytes?.(chunk.length);
        done(null, chunk);
      },
    });
    // A failure while writing surfaces as the request's own error (or is moot once answered).
    pipeline(opts.body(), count, req).catch((err: Error) => req.destroy(err));
  });
}
