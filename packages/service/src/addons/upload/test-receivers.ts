/**
 * Real servers on loopback for the upload tests and the bench: a multipart
 * receiver (Fastify + @fastify/multipart), a raw PUT receiver (node:http) and
 * the tus reference server (@tus/server + @tus/file-store). Each records what
 * arrived as SHA-256 digests, so tests compare bytes without keeping them.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Fastify from 'fastify';
import multipart from '@fastify/multipart';
import { Server as TusServer } from '@tus/server';
import { FileStore } from '@tus/file-store';

export interface ReceivedFile {
  field: string;
  filename: string;
  mimetype: string;
  size: number;
  sha256: string;
}

export interface Received {
  path: string;
  fields: Record<string, string>;
  files: ReceivedFile[];
  headers: http.IncomingHttpHeaders;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export interface MultipartReceiver {
  url: string;
  received: Received[];
  /** Requests seen per path (answered 503 or not). */
  hits: Map<string, number>;
  close(): Promise<void>;
}

/** POST /ok stores; /flaky answers 503 to its first two requests; /small answers 413 past 1000 bytes. */
export async function multipartReceiver(): Promise<MultipartReceiver> {
  const app = Fastify({ bodyLimit: 1 << 30 });
  await app.register(multipart, { limits: { fileSize: 1 << 30, files: 10000 } });
  const received: Received[] = [];
  const hits = new Map<string, number>();
  app.post('/:name', async (req, reply) => {
    const name = (req.params as { name: string }).name;
    const hit = (hits.get(name) ?? 0) + 1;
    hits.set(name, hit);
    if (name === 'flaky' && hit <= 2) return reply.code(503).send({ error: 'try later' });
    const entry: Received = { path: name, fields: {}, files: [], headers: req.headers };
    for await (const part of req.parts()) {
      if (part.type === 'field') {
        entry.fields[part.fieldname] = String(part.value);
        continue;
      }
      const bytes = await part.toBuffer();
      if (name === 'small' && bytes.length > 1000) return reply.code(413).send({ error: 'file too large', limit: 1000 });
      entry.files.push({ field: part.fieldname, filename: part.filename, mimetype: part.mimetype, size: bytes.length, sha256: sha(bytes) });
    }
    received.push(entry);
    return { stored: entry.files.length };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, hits, close: () => app.close() };
}

export interface PutReceiver {
  url: string;
  received: Received[];
  hits: Map<string, number>;
  close(): Promise<void>;
}

/**
 * PUT /<name> stores the body. /drop cuts its first connection half-way
 * through the body; /garbage answers bytes that are not HTTP; /away redirects
 * to another host.
 */
export async function putReceiver(): Promise<PutReceiver> {
  const received: Received[] = [];
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const name = (req.url ?? '/').slice(1);
    const hit = (hits.get(name) ?? 0) + 1;
    hits.set(name, hit);
    if (name === 'garbage') {
      req.socket.end('SPAM SPAM SPAM\r\n\r\n');
      return;
    }
    if (name === 'away') {
      res.writeHead(307, { location: 'http://203.0.113.9/elsewhere' }).end();
      return;
    }
    const total = Number(req.headers['content-length']);
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      parts.push(chunk);
      size += chunk.length;
      if (name === 'drop' && hit === 1 && size > total / 2) req.socket.destroy();
    });
    req.on('end', () => {
      const bytes = Buffer.concat(parts);
      received.push({ path: name, fields: {}, files: [{ field: '', filename: name, mimetype: req.headers['content-type'] ?? '', size: bytes.length, sha256: sha(bytes) }], headers: req.headers });
      res.writeHead(201, { 'content-type': 'application/json', 'set-cookie': 'a=b', etag: '"v1"' }).end(JSON.stringify({ size: bytes.length }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface TusReceiver {
  url: string;
  /** Resolves with the SHA-256 and size of each finished upload, in order. */
  finished: Array<{ sha256: string; size: number; metadata: Record<string, string | null> }>;
  /** PATCH requests seen. */
  patches(): number;
  /** While set, each PATCH waits this long before it is handled (to catch an upload half-way). */
  delayMs: number;
  close(): Promise<void>;
}

export async function tusReceiver(dir: string): Promise<TusReceiver> {
  const finished: TusReceiver['finished'] = [];
  let patches = 0;
  const tus = new TusServer({
    path: '/files',
    datastore: new FileStore({ directory: dir }),
    async onUploadFinish(_req, upload) {
      const bytes = await readFile(path.join(dir, upload.id));
      finished.push({ sha256: sha(bytes), size: bytes.length, metadata: { ...(upload.metadata ?? {}) } });
      return {};
    },
  });
  const receiver: TusReceiver = { url: '', finished, patches: () => patches, delayMs: 0, close: async () => undefined };
  const server = http.createServer((req, res) => {
    if (req.method === 'PATCH') patches++;
    const go = () => void tus.handle(req, res);
    if (req.method === 'PATCH' && receiver.delayMs > 0) setTimeout(go, receiver.delayMs);
    else go();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}/files`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
