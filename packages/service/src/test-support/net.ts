/** Raw HTTP(S) requests for tests that need headers fetch() refuses to set (Host) or a pinned CA. */
import http from 'node:http';
import net from 'node:net';
import https from 'node:https';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { adminHeaders } from './service-harness.js';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** By default as the local user (the administrator token of the service at that URL); `anonymous` sends no token. */
export function request(url: string, opts: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string | Buffer; ca?: string; setHost?: boolean; anonymous?: boolean } = {}): Promise<RawResponse> {
  const u = new URL(url);
  const headers = { ...(opts.anonymous ? {} : adminHeaders(u.origin)), ...opts.headers };
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      {
        host: u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method: opts.method ?? 'GET',
        headers,
        setHost: opts.setHost ?? true,
        ...(opts.ca ? { ca: opts.ca, servername: undefined } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/**
 * Decode an image with netpbm (an independent decoder, not libvips) and
 * return its size from the PNM header.
 */
export async function pnmSize(bytes: Buffer, format: 'png' | 'jpeg'): Promise<{ width: number; height: number; kind: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sb-pnm-'));
  try {
    const file = path.join(dir, `in.${format}`);
    await writeFile(file, bytes);
    const { stdout } = await promisify(execFile)(format === 'png' ? 'pngtopnm' : 'jpegtopnm', [file], { encoding: 'buffer', maxBuffer: 1 << 30 });
    const header = stdout.subarray(0, 64).toString('latin1').split(/\s+/);
    return { kind: header[0]!, width: Number(header[1]), height: Number(header[2]) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Send bytes as they are (duplicate headers, absolute-form targets) and return the status code. */
export function rawStatus(port: number, text: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let data = '';
    socket.on('data', (d) => {
      data += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (m) {
        socket.destroy();
        resolve(Number(m[1]));
      }
    });
    socket.on('error', reject);
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)));
  });
}
