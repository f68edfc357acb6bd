/**
 * Files as HTTP bodies instead of base64 inside JSON, both ways:
 *  - in: a POST to a method that takes a binary body (LoadImages) whose
 *    content type is application/octet-stream, application/pdf or image/*
 *    carries the file as its body and the envelope in the query
 *    (`?id=<session>&params=<JSON>&cmdId=...`);
 *  - out: a handler may answer a file instead of JSON (SaveImages with
 *    `binary: true`); it is streamed with its content type and a download
 *    name. Errors found before the first byte are the usual JSON envelope;
 *    a failure while streaming ends the response early.
 */
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { METHOD_TABLE, SESSION_HEADER, ScanbridgeError } from '@scanbridge/protocol/core';

export interface BinaryAnswer {
  contentType: string;
  fileName: string;
  pages: number;
  body: Readable;
}

/** Where an HTTP handler leaves a file answer; absent on the WebSocket. */
export class BinarySlot {
  answer: BinaryAnswer | undefined;
}

const BINARY_TYPES = /^(application\/octet-stream|application\/pdf|image\/[a-z0-9.+-]+)\s*(;|$)/i;

export interface BinaryRequest {
  envelope: Record<string, unknown>;
  body: Buffer;
}

/** The envelope and file of a binary POST, or undefined for a JSON request. */
export function binaryRequest(req: FastifyRequest, method: string): BinaryRequest | undefined {
  const type = req.headers['content-type'];
  if (req.method !== 'POST' || typeof type !== 'string' || !BINARY_TYPES.test(type)) return undefined;
  if (!Object.hasOwn(METHOD_TABLE, method) || !METHOD_TABLE[method as keyof typeof METHOD_TABLE].binaryBody) {
    throw new ScanbridgeError('invalid-request', `${method.slice(0, 64)} takes a JSON body (Content-Type: application/json), not ${type.slice(0, 60)}`);
  }
  const query = req.query as Record<string, unknown>;
  const envelope: Record<string, unknown> = {};
  const id = typeof query.id === 'string' ? query.id : req.headers[SESSION_HEADER];
  if (typeof id === 'string') envelope.id = id;
  if (typeof query.cmdId === 'string') envelope.cmdId = query.cmdId;
  if (query.params !== undefined) {
    if (typeof query.params !== 'string') throw new ScanbridgeError('invalid-request', 'query.params: expected one JSON object');
    try {
      envelope.params = JSON.parse(query.params);
    } catch (err) {
      throw new ScanbridgeError('invalid-json', `query.params is not valid JSON: ${(err as Error).message}`);
    }
  }
  return { envelope, body: (req.body as Buffer | undefined) ?? Buffer.alloc(0) };
}

/** RFC 6266: an ASCII fallback and the UTF-8 name. */
function disposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function sendBinary(reply: FastifyReply, answer: BinaryAnswer): FastifyReply {
  return reply
    .code(200)
    .header('content-type', answer.contentType)
    .header('content-disposition', disposition(answer.fileName))
    .header('x-scanbridge-pages', String(answer.pages))
    .header('access-control-expose-headers', 'content-disposition, x-scanbridge-pages')
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .send(answer.body);
}
