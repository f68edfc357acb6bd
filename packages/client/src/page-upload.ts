/**
 * Uploads the way a page writes fetch(): a relative destination resolves
 * against the page's address, and `credentials: 'include'` sends the page's
 * cookies, for the page's own origin only. The service never carries cookies
 * (it cannot read HttpOnly ones, and must not hold them), so with
 * credentials the browser itself sends the file: the service encodes it
 * (SaveImages), the page posts it with `credentials: 'include'`. The file
 * passes through the page's memory then, and there is no tus or retry.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { ParamsOf, UploadInfo } from '@scanbridge/protocol';
import type { SavedBlob, SaveOptions } from './client.js';
import { UploadJob } from './upload-job.js';

export interface PageUploadOptions {
  /**
   * 'include': the page's cookies go with the upload, as with fetch's
   * `credentials: 'include'`; only to the page's own origin, by post or put.
   * Default 'omit': the service sends the file, without cookies.
   */
  credentials?: 'omit' | 'include';
}

export type UploadParams = ParamsOf<'StartUpload'> & PageUploadOptions;

/** The destination with its URL resolved against the page's address (unchanged outside a page). */
export function resolveDestination<D extends { url: string }>(destination: D): D {
  if (typeof location === 'undefined' || /^[a-z][a-z0-9+.-]*:/i.test(destination.url)) return destination;
  return { ...destination, url: new URL(destination.url, location.href).href };
}

let sequence = 0;

function byteLength(files: SavedBlob[]): number {
  return files.reduce((sum, file) => sum + file.blob.size, 0);
}

/** Encode with the service, send from the page with the page's cookies; an UploadJob like the service's. */
export function uploadFromPage(params: ParamsOf<'StartUpload'>, save: (options: SaveOptions) => Promise<SavedBlob[]>): UploadJob {
  const { destination } = params;
  if (typeof location === 'undefined') throw new ScanbridgeError('invalid-params', "credentials: 'include' sends the page's cookies: it works only in a page");
  if (destination.method === 'tus') throw new ScanbridgeError('invalid-params', "params.destination.method: credentials: 'include' works with post and put, not tus");
  const target = new URL(destination.url);
  if (target.origin !== location.origin) {
    throw new ScanbridgeError('destination-not-allowed', `credentials: 'include' sends the page's cookies only to its own origin (${location.origin}), not to ${target.origin}`, { url: destination.url, origin: location.origin });
  }
  const controller = new AbortController();
  let info: UploadInfo = {
    id: `page-${++sequence}`,
    state: 'running',
    method: destination.method,
    pages: params.pages?.length ?? 0,
    bytesSent: 0,
    bytesTotal: 0,
    pagesDone: 0,
    attempts: 1,
    response: null,
    error: null,
    startedAt: new Date().toISOString(),
    endedAt: null,
  };
  const ended = (changes: Partial<UploadInfo>): UploadInfo => (info = { ...info, ...changes, endedAt: new Date().toISOString() });
  const finished = (async (): Promise<UploadInfo> => {
    const { destination: _d, retries: _r, ...encoding } = params;
    let files: SavedBlob[];
    try {
      files = await save(encoding);
    } catch (err) {
      const error = err instanceof ScanbridgeError ? err : new ScanbridgeError('internal-error', String(err));
      return ended({ state: 'failed', error: error.toWire() });
    }
    const pages = files.reduce((sum, file) => sum + file.pages, 0);
    info = { ...info, pages, pagesDone: pages, bytesTotal: byteLength(files) };
    if (destination.method === 'put' && files.length !== 1) {
      return ended({ state: 'failed', error: { code: 'invalid-params', message: `params.format: a put sends one file, and ${params.format} made ${files.length}; use post, or a multi-page format` } });
    }
    let body: BodyInit;
    if (destination.method === 'put') body = files[0]!.blob;
    else {
      const form = new FormData();
      for (const [name, value] of Object.entries(destination.fields ?? {})) form.append(name, value);
      for (const file of files) form.append(destination.fieldName ?? 'file', file.blob, file.name);
      body = form;
    }
    try {
      const res = await fetch(target, {
        method: destination.method.toUpperCase(),
        body,
        credentials: 'include',
        headers: destination.method === 'put' ? { 'content-type': files[0]!.blob.type, ...destination.headers } : (destination.headers ?? {}),
        signal: controller.signal,
      });
      const text = await res.text();
      const response = { status: res.status, headers: Object.fromEntries(res.headers), body: text.slice(0, 65536), truncated: text.length > 65536 };
      if (res.ok) return ended({ state: 'done', response, bytesSent: info.bytesTotal });
      return ended({ state: 'failed', response, error: { code: 'upload-failed', message: `${target.host} answered HTTP ${res.status}`, details: { status: res.status, body: response.body } } });
    } catch (err) {
      if (controller.signal.aborted) return ended({ state: 'cancelled', error: { code: 'job-cancelled', message: 'the upload was cancelled' } });
      return ended({ state: 'failed', error: { code: 'upload-failed', message: `${target.host}: ${(err as Error).message}` } });
    }
  })();
  return new UploadJob(info, {
    waitUpload: () => finished,
    cancelUpload: async () => {
      controller.abort();
      return finished;
    },
    closed: false,
  });
}
