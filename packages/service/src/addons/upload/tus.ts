/**
 * The client side of tus 1.0 (https://tus.io/protocols/resumable-upload):
 * create an upload, PATCH the file in chunks, and after a failure ask the
 * server (HEAD) how far it got and continue from there. Written here because
 * tus-js-client targets browsers and buffers chunks through its own file
 * readers; the core protocol is three requests.
 */
import { createReadStream } from 'node:fs';
import type { UploadResponse } from '@scanbridge/protocol';
import { send } from './http-send.js';

export const TUS_VERSION = '1.0.0';

export interface TusFile {
  path: string;
  size: number;
  name: string;
  mimeType: string;
}

/** An answer that ends the step: the caller decides whether to retry (5xx) or fail (4xx, 3xx). */
export class TusAnswer extends Error {
  constructor(
    readonly response: UploadResponse,
    step: string,
  ) {
    super(`tus ${step} answered ${response.status}`);
    this.name = 'TusAnswer';
  }
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** POST to the creation endpoint; answers the upload's URL (Location, resolved against the endpoint). */
export async function createUpload(endpoint: URL, file: TusFile, headers: Record<string, string>, metadata: Record<string, string>, signal: AbortSignal): Promise<URL> {
  const meta = Object.entries({ filename: file.name, filetype: file.mimeType, ...metadata }).map(([k, v]) => `${k} ${b64(v)}`);
  const res = await send(endpoint, {
    method: 'POST',
    headers: { ...headers, 'Tus-Resumable': TUS_VERSION, 'Upload-Length': file.size, 'Upload-Metadata': meta.join(','), 'Content-Length': 0 },
    signal,
  });
  const location = res.headers['location'];
  if (res.status !== 201 || !location) throw new TusAnswer(res, res.status === 201 ? 'creation (no Location)' : 'creation');
  return new URL(location, endpoint);
}

/** HEAD: the offset the server holds. */
export async function serverOffset(upload: URL, headers: Record<string, string>, signal: AbortSignal): Promise<number> {
  const res = await send(upload, { method: 'HEAD', headers: { ...headers, 'Tus-Resumable': TUS_VERSION }, signal });
  const offset = Number(res.headers['upload-offset']);
  if (res.status < 200 || res.status > 299 || !Number.isSafeInteger(offset) || offset < 0) throw new TusAnswer(res, 'offset query');
  return offset;
}

/** PATCH one chunk from `offset`; answers the server's new offset. */
export async function patchChunk(
  upload: URL,
  file: TusFile,
  offset: number,
  chunkSize: number,
  headers: Record<string, string>,
  signal: AbortSignal,
  onBytes: (n: number) => void,
): Promise<number> {
  const end = Math.min(file.size, offset + chunkSize);
  const res = await send(upload, {
    method: 'PATCH',
    headers: { ...headers, 'Tus-Resumable': TUS_VERSION, 'Upload-Offset': offset, 'Content-Type': 'application/offset+octet-stream', 'Content-Length': end - offset },
    body: () => createReadStream(file.path, { start: offset, end: end - 1, highWaterMark: 1024 * 1024 }),
    signal,
    onBytes,
  });
  const next = Number(res.headers['upload-offset']);
  if (res.status !== 204 && res.status !== 200) throw new TusAnswer(res, 'PATCH');
  if (!Number.isSafeInteger(next) || next <= offset || next > file.size) throw new TusAnswer(res, 'PATCH (bad Upload-Offset)');
  return next;
}
