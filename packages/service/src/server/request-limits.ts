/**
 * How long a client may take to send a request, and how large it may be.
 * Receiving is bounded in seconds (a loopback client sends a 64 MB file in
 * well under one); answering is not: a long poll (WaitJob, WaitUpload: up to
 * 600 s) or a slow conversion holds its connection until its answer, so no
 * socket-inactivity timeout applies once a request has arrived.
 */
import http from 'node:http';
import type { Server, Socket } from 'node:net';
import { METHOD_TABLE, NO_SESSION_ID, ScanbridgeError } from '@scanbridge/protocol/core';
import { errorEnvelope } from './rpc.js';

/** From the connection (or the end of the previous request) to the end of the request's headers. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** From the start of a request to the last byte of its body. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** An idle keep-alive connection between two requests. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** How often Node looks for requests over their time: the timeouts above are enforced within this. */
export const CHECK_INTERVAL_MS = 1_000;
/** An HTTPS connection must complete its TLS handshake within this. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

/** The body limit of every method that takes no file, and of every other endpoint. */
export const SMALL_BODY_BYTES = 1024 * 1024;
/** The methods that take a file as their body (binary, or base64 in JSON): they may take up to MaxBodyMB. */
export const FILE_METHODS: readonly string[] = Object.entries(METHOD_TABLE)
  .filter(([, spec]) => spec.takesFile === true)
  .map(([name]) => name);

/** Options of Node's HTTP(S) server for the limits above. */
export const RECEIVE_LIMITS = { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: CHECK_INTERVAL_MS };

/** A complete HTTP answer carrying the error's envelope, for a socket no request object owns. */
export function rawAnswer(err: ScanbridgeError): string {
  const { status, body } = errorEnvelope(NO_SESSION_ID, '', '', err);
  const json = JSON.stringify(body);
  return `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(json)}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${json}`;
}

/**
 * Node's clientError for a request past the limits above: answered with its
 * typed error, then the connection closes. Other client errors (bytes that are
 * not HTTP) keep Fastify's answer: they never reached the gate.
 */
export function answerTimeouts(server: Server): void {
  const others = server.listeners('clientError') as Array<(err: NodeJS.ErrnoException, socket: Socket) => void>;
  server.removeAllListeners('clientError');
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code !== 'ERR_HTTP_REQUEST_TIMEOUT') {
      for (const listener of others) listener(err, socket);
      return;
    }
    if (socket.destroyed) return;
    const error = new ScanbridgeError('request-timeout', `the request was not received in time: headers within ${HEADERS_TIMEOUT_MS / 1000} s, the whole request within ${REQUEST_TIMEOUT_MS / 1000} s`);
    // Told only when no answer has started on this connection.
    const pending = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !pending?.headersSent) socket.end(rawAnswer(error));
    socket.destroySoon();
  });
}

/** How long a connection whose request was refused with its body unread stays open after the answer. */
export const LINGER_MS = 1_000;

/**
 * After refusing a request whose body is still coming, Node would read the
 * rest of the body to discard it, then close; closing with unread bytes
 * resets the connection, and a client still sending (over TLS especially)
 * can lose the answer to the reset. So the connection stops reading (the
 * flag Node's HTTP layer keeps a socket paused by), ends after the answer,
 * and is destroyed a second later: time for the client to read the answer,
 * not to send the body.
 */
export function lingerAfterRefusal(socket: Socket): void {
  socket.destroySoon = function (this: Socket & { _paused?: boolean }) {
    this._paused = true;
    this.pause();
    if (this.writable) this.end();
    setTimeout(() => this.destroy(), LINGER_MS);
  };
}
