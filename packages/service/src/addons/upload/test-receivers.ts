/**
 * Real servers on loopback for the upload tests and the bench: a multipart
 * receiver (Fastify + @fastify/multipart), a raw PUT receiver (node:http) and
 * the tus reference server (@tus/server + @tus/file-store). Each records what
 * arrived as SHA-256 digests, so tests (and the bench's 400 MB) compare bytes
 * without keeping them; `keepBytes` keeps them for tests that open the file.
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
  /** The bytes themselves, while the receiver is asked to keep them. */
  bytes?: Buffer;
}

export interface Received {
  path: string;
  fields: Record<string, string>;
  files: ReceivedFile[];
  headers: http.IncomingHttpHeaders;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export interface Gate {
  /** Resolves once a request has started sending its file and is held. */
  reached: Promise<void>;
  release(): void;
}

export interface MultipartReceiver {
  url: string;
  received: Received[];
  /** Requests seen per path (answered 503 or not). */
  hits: Map<string, number>;
  /** Keep the received bytes (ReceivedFile.bytes), for tests that open the file. */
  keepBytes: boolean;
  /** Awaited when a request arrives, before it is answered. */
  onHit: ((name: string, hit: number) => Promise<void>) | null;
  /** Holds the next request to /hold once its first file bytes have arrived, until released. */
  hold(): Gate;
  close(): Promise<void>;
}

/** The first file bytes /drop takes before it cuts the connection. */
const DROP_AFTER = 64 * 1024;

/**
 * POST /ok stores; /flaky and /flaky-<any> answer 503 to their first two
 * requests; /small answers 413 as soon as a file passes 1000 bytes, without
 * reading the rest; /drop cuts its first connection after 64 KiB of the
 * file; /hold waits, part-way through the file, for a gate (hold).
 */
export async function multipartReceiver(): Promise<MultipartReceiver> {
  const app = Fastify({ bodyLimit: 1 << 30 });
  await app.register(multipart, { limits: { fileSize: 1 << 30, files: 10000 } });
  const received: Received[] = [];
  const hits = new Map<string, number>();
  const gates: Array<{ reached: () => void; released: Promise<void> }> = [];
  const receiver: MultipartReceiver = {
    url: '',
    received,
    hits,
    keepBytes: false,
    onHit: null,
    hold() {
      let reached!: () => void;
      let release!: () => void;
      const gate: Gate = { reached: new Promise((r) => (reached = r)), release: () => release() };
      gates.push({ reached, released: new Promise((r) => (release = r)) });
      return gate;
    },
    close: () => app.close(),
  };
  app.post('/:name', async (req, reply) => {
    const name = (req.params as { name: string }).name;
    const hit = (hits.get(name) ?? 0) + 1;
    hits.set(name, hit);
    const flaky = (name === 'flaky' || name.startsWith('flaky-')) && hit <= 2;
    // A refused try is read to its end first, so that what onHit does (remove a page) falls between tries, never inside one.
    if (flaky) for await (const chunk of req.raw) void chunk;
    await receiver.onHit?.(name, hit);
    if (flaky) return reply.code(503).send({ error: 'try later' });
    const entry: Received = { path: name, fields: {}, files: [], headers: req.headers };
    for await (const part of req.parts()) {
      if (part.type === 'field') {
        entry.fields[part.fieldname] = String(part.value);
        continue;
      }
      const parts: Buffer[] = [];
      let size = 0;
      for await (const chunk of part.file as AsyncIterable<Buffer>) {
        parts.push(chunk);
        size += chunk.length;
        if (name === 'small' && size > 1000) {
          await reply.code(413).send({ error: 'file too large', limit: 1000 });
          // The rest is read and dropped, as servers do: a connection left unread never notices the client going away.
          req.raw.unpipe();
          req.raw.resume();
          return reply;
        }
        if (name === 'drop' && hit === 1 && size > DROP_AFTER) {
          req.raw.socket.destroy();
          return reply;
        }
        if (name === 'hold' && gates.length > 0) {
          const gate = gates.shift()!;
          gate.reached();
          await gate.released;
        }
      }
      const bytes = Buffer.concat(parts);
      entry.files.push({ field: part.fieldname, filename: part.filename, mimetype: part.mimetype, size, sha256: sha(bytes), ...(receiver.keepBytes ? { bytes } : {}) });
    }
    received.push(entry);
    return { stored: entry.files.length };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}`;
  return receiver;
}

export interface PutReceiver {
  url: string;
  received: Received[];
  hits: Map<string, number>;
  /** Keep the received bytes (ReceivedFile.bytes). */
  keepBytes: boolean;
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
  const receiver: PutReceiver = { url: '', received, hits, keepBytes: false, close: async () => undefined };
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
      const file: ReceivedFile = { field: '', filename: name, mimetype: req.headers['content-type'] ?? '', size: bytes.length, sha256: sha(bytes), ...(receiver.keepBytes ? { bytes } : {}) };
      received.push({ path: name, fields: {}, files: [file], headers: req.headers });
      res.writeHead(201, { 'content-type': 'application/json', 'set-cookie': 'a=b', etag: '"v1"' }).end(JSON.stringify({ size: bytes.length }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
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
