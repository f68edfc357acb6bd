/**
 * Upload jobs: pages of a session go to the application's server as a
 * multipart POST, a PUT or a tus upload. Network failures and 5xx answers are
 * retried with capped exponential back-off; a 4xx answer ends the job at once
 * with the server's answer attached. The pages stay in the buffer whatever
 * happens.
 *
 * A POST streams: the pages are encoded while they are sent (chunked), never
 * whole in memory nor on disk, and a retry encodes them again from the
 * buffer. A PUT and a tus upload send a temporary file in `upload/`, encoded
 * first (see encodeToFile for why); it goes when the job ends, and a tus
 * upload goes on from the server's offset, also after the service restarts.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { OcrEvent, ParsedParamsOf, UploadEvent, UploadInfo, UploadResponse } from '@scanbridge/protocol';
import type { ImageBuffer } from '../../buffer/image-buffer.js';
import { bufferPages, leasedBufferPages } from '../../formats/buffer-io.js';
import type { PageSource, SaveOptions } from '../../formats/encode.js';
import { lazyImport } from '../../util/lazy-import.js';
import { NO_RECOGNIZER, recognisedCounter, withText, type PageRecognizer } from '../../formats/page-recognizer.js';
import { defaultBaseName, safeBaseName } from '../../formats/save-folder.js';
import { pageGroups } from '../../documents/page-groups.js';
import { toScanbridgeError } from '../../jobs/job-manager.js';
import { checkDestination } from './destinations.js';
import { NetworkError, send } from './http-send.js';
import { multipartBody, type StreamedFile } from './multipart.js';
import { UploadRecords, type FilePart, type UploadRecord } from './upload-records.js';
import { createUpload, patchChunk, serverOffset, TusAnswer } from './tus.js';

/** The file encoders (PDF, TIFF, ZIP... about 30 modules), loaded with the first upload rather than at start. */
const encoders = lazyImport(() => import('../../formats/encode.js'));

export type StartUploadParams = ParsedParamsOf<'StartUpload'>;

const BACKOFF_FIRST_MS = 500;
const BACKOFF_CAP_MS = 30_000;
/** Ended jobs stay queryable this long. */
const KEEP_ENDED_MS = 10 * 60_000;
const PROGRESS_EVERY_MS = 200;
/** Headers the service sets itself, or that would let a page reach beyond its upload. */
const FORBIDDEN_HEADERS = /^(cookie|cookie2|host|content-length|transfer-encoding|connection|keep-alive|upgrade|te|trailer|expect|proxy-.*|tus-resumable|upload-.*)$/i;

/** A failure worth another try: no answer, or a 5xx. */
class Retryable extends Error {
  constructor(
    message: string,
    readonly response: UploadResponse | null,
  ) {
    super(message);
  }
}

interface Job {
  record: UploadRecord;
  controller: AbortController;
  done: Promise<void>;
}

/** What the pages become: read from the buffer again for every pass (a POST's every try). */
interface Encoding {
  /**
   * One file set per group: the pages named, or each document (eachDocument).
   * `lease`: a source of leased pages for one pass of a POST (see leasedBufferPages).
   */
  groups: { source: PageSource; base: string; lease?: (() => { source: PageSource; close(): void }) | undefined }[];
  opts: SaveOptions;
}

export interface UploadManagerEvents {
  upload: [sessionId: string, event: UploadEvent];
}

function checkHeaders(headers: Record<string, string> | undefined, also: RegExp | null): void {
  for (const [name, value] of Object.entries(headers ?? {})) {
    const path = `params.destination.headers.${name}`;
    if (FORBIDDEN_HEADERS.test(name) || also?.test(name)) throw new ScanbridgeError('invalid-params', `${path}: the service sets this header itself (or never sends it: cookies never leave the service)`);
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch {
      throw new ScanbridgeError('invalid-params', `${path}: not a valid HTTP header name or value`);
    }
  }
}

function answerDetails(res: UploadResponse): Record<string, unknown> {
  return { status: res.status, headers: res.headers, body: res.body, truncated: res.truncated };
}

export class UploadManager extends EventEmitter<UploadManagerEvents> {
  private readonly jobs = new Map<string, Job>();
  private readonly records: UploadRecords;

  constructor(
    dir: string,
    private readonly prefixes: readonly string[],
  ) {
    super();
    this.records = new UploadRecords(dir);
  }

  /** Cleans `upload/` of what no job claims, and sends on the tus uploads a stop or crash interrupted. */
  async restore(): Promise<void> {
    for (const record of await this.records.recover()) this.run(record, null);
  }

  /** Checks everything it can before the job starts (destination, headers, pages, options), then runs it in the background. */
  /** `onRecognised` hears of each page recognised for a searchable PDF (the session's `ocr` events). */
  async start(sessionId: string, buffer: ImageBuffer, caller: string, params: StartUploadParams, recognizer: PageRecognizer = NO_RECOGNIZER, onRecognised?: (event: OcrEvent) => void): Promise<UploadInfo> {
    const { checkSaveOptions, saveOptionsOf, EXTENSION_ALIASES, outputFiles } = await encoders();
    const { destination } = params;
    checkDestination(destination.url, caller, this.prefixes);
    checkHeaders(destination.headers, destination.method === 'post' ? /^content-type$/i : null);
    const opts = saveOptionsOf(params);
    const base = safeBaseName(params.fileName, EXTENSION_ALIASES, defaultBaseName());
    const sets = pageGroups(buffer, params, base).map((g) => {
      const { facts, source: stored } = bufferPages(buffer, g.pages);
      checkSaveOptions(opts, facts);
      return { base: g.base, facts, stored };
    });
    const id = randomBytes(8).toString('hex');
    // Each page recognised is reported once (a retry's pass reads it again, from the cache).
    const recognised = recognisedCounter(buffer, sets.reduce((n, g) => n + g.facts.length, 0), (d) => onRecognised?.({ type: 'progress', method: 'StartUpload', upload: id, ...d }));
    const groups = sets.map(({ base: name, facts, stored }) => {
      // Recognised when first encoded; a retry's pass takes the text from the engine's cache.
      const source = opts.ocr ? withText(stored, facts, buffer, recognizer, opts.ocr.languages, undefined, recognised) : stored;
      // A POST sends every chunk before it asks for the next (http-send.ts), so a PDF's pages
      // from the disk cache can stream through reused buffers; the text layer keeps pages longer.
      const lease = destination.method === 'post' && opts.format === 'pdf' && !opts.ocr ? () => leasedBufferPages(buffer, facts) : undefined;
      return { facts, source, lease, base: name, files: outputFiles(source, opts, name).length };
    });
    const facts = groups.flatMap((g) => g.facts);
    const fileCount = groups.reduce((n, g) => n + g.files, 0);
    if (fileCount > 1 && destination.method !== 'post') {
      const why = groups.length > 1 ? `${groups.length} documents make ${fileCount} files: use post (one part per document)` : `${fileCount} pages as ${opts.format.toUpperCase()} make ${fileCount} files: use post (one part per page), or PDF, TIFF or ZIP`;
      throw new ScanbridgeError('invalid-params', `params.destination.method ${destination.method} sends one file, but ${why}`);
    }
    const info: UploadInfo = {
      id,
      state: 'running',
      method: destination.method,
      pages: facts.length,
      bytesSent: 0,
      bytesTotal: 0,
      pagesDone: 0,
      attempts: 0,
      response: null,
      error: null,
      startedAt: new Date().toISOString(),
      endedAt: null,
    };
    const record: UploadRecord = { sessionId, caller, info, destination, retries: params.retries, files: [] };
    this.run(record, { groups: groups.map((g) => ({ source: g.source, base: g.base, lease: g.lease })), opts });
    return { ...info };
  }

  /** `encoding` is null for a tus upload resumed after a restart: its file is already there. */
  private run(record: UploadRecord, encoding: Encoding | null): void {
    const { info, sessionId } = record;
    const controller = new AbortController();
    const { signal } = controller;
    let lastProgress = 0;
    const emit = (type: UploadEvent['type']) => this.emit('upload', sessionId, { type, upload: { ...info } });
    const progress = (n: number) => {
      info.bytesSent += n;
      const now = Date.now();
      if (now - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = now;
        emit('progress');
      }
    };
    const persist = () => this.records.save(record);

    let passes = 0;
    /** The document's files, encoded while they are read; pagesDone counts this pass only. close() ends the pass (leased pages go back). */
    const encode = (e: Encoding): { files: StreamedFile[]; close(): void } => {
      const pass = ++passes;
      info.pagesDone = 0;
      // Loaded by start(), the only way an upload gets something to encode.
      const { EXTENSIONS, MIME_TYPES, outputFiles, pageFileName } = encoders.loaded!;
      const ext = EXTENSIONS[e.opts.format];
      const closers: (() => void)[] = [];
      const files = e.groups.flatMap((g) => {
        let source = g.source;
        if (g.lease) {
          const leased = g.lease();
          closers.push(leased.close);
          source = leased.source;
        }
        const counted: PageSource = {
          count: source.count,
          text: source.text && ((i) => source.text!(i, signal)),
          release: source.release,
          get: async (i) => {
            const page = await source.get(i);
            // A page an abandoned pass was still fetching does not count for this one.
            if (pass === passes) {
              info.pagesDone++;
              progress(0);
            }
            return page;
          },
        };
        const files = outputFiles(counted, e.opts, g.base);
        return files.map((f) => ({ name: pageFileName(g.base, files.length, f.first, ext), mimeType: MIME_TYPES[e.opts.format], chunks: f.chunks }));
      });
      return { files, close: () => closers.forEach((close) => close()) };
    };

    const transfer = async () => {
      if (encoding && record.destination.method !== 'post') {
        const { files, close } = encode(encoding);
        try {
          await this.encodeToFile(record, files, signal);
        } finally {
          close();
        }
        if (record.destination.method === 'tus') await persist();
      }
      const stream = encoding ? () => encode(encoding) : null;
      let failures = 0;
      for (;;) {
        info.attempts++;
        const before = info.bytesSent;
        try {
          await this.attempt(record, signal, progress, persist, stream);
          return;
        } catch (err) {
          if (!(err instanceof Retryable && !signal.aborted)) throw err;
          if (record.destination.method === 'tus' && info.bytesSent > before) failures = 0;
          if (err.response) info.response = err.response;
          if (failures >= record.retries) {
            throw new ScanbridgeError('upload-failed', `${new URL(record.destination.url).host}: ${err.message}; gave up after ${info.attempts} tries`, { attempts: info.attempts, ...(err.response ? answerDetails(err.response) : {}) });
          }
          await sleep(Math.min(BACKOFF_CAP_MS, BACKOFF_FIRST_MS * 2 ** failures), undefined, { signal });
          failures++;
        }
      }
    };

    emit('started');
    let keep = false;
    const done = transfer()
      .then(
        () => {
          info.state = 'done';
          info.bytesSent = info.bytesTotal;
        },
        (err: unknown) => {
          const reason: unknown = signal.aborted ? signal.reason : undefined;
          const error = toScanbridgeError(reason instanceof ScanbridgeError ? reason : err);
          // A tus upload interrupted by a stop goes on at the next start: its file and record stay.
          keep = error.code === 'service-stopping' && record.destination.method === 'tus' && info.bytesTotal > 0;
          info.state = error.code === 'job-cancelled' ? 'cancelled' : 'failed';
          info.error = { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
        },
      )
      .finally(async () => {
        info.endedAt = new Date().toISOString();
        if (!keep) await this.records.remove(record).catch(() => undefined);
        emit(info.state === 'done' ? 'done' : 'failed');
        setTimeout(() => this.jobs.delete(info.id), KEEP_ENDED_MS).unref();
      });
    this.jobs.set(info.id, { record, controller, done });
  }

  /**
   * PUT and tus send a file of known size. A presigned object-storage URL
   * (S3, Azure Blob, GCS) needs the exact Content-Length and refuses a chunked
   * body, and tus declares Upload-Length at creation and must resume after a
   * restart with the very same bytes. The size could be learnt by encoding
   * twice, but a PDF's id and date and an encrypted PDF's salts differ from
   * one encoding to the next, and a page edited in between would change it:
   * the temporary file gives a size that is right and retries that send the
   * same bytes, at the cost of a pass through the disk.
   */
  private async encodeToFile(record: UploadRecord, files: StreamedFile[], signal: AbortSignal): Promise<void> {
    const { info } = record;
    for (const [n, file] of files.entries()) {
      const part: FilePart = { path: this.records.fileOf(info.id, n, path.extname(file.name)), name: file.name, size: 0, mimeType: file.mimeType };
      record.files.push(part);
      await pipeline(Readable.from(file.chunks()), createWriteStream(part.path, { mode: 0o600 }), { signal });
      part.size = (await stat(part.path)).size;
    }
    info.bytesTotal = record.files.reduce((n, f) => n + f.size, 0);
  }

  /** One try; throws Retryable for what another try may fix. `stream` encodes the pages afresh (post). */
  private async attempt(record: UploadRecord, signal: AbortSignal, progress: (n: number) => void, persist: () => Promise<void>, stream: (() => { files: StreamedFile[]; close(): void }) | null): Promise<void> {
    const { destination, info, files, caller } = record;
    const url = checkDestination(destination.url, caller, this.prefixes);
    const headers = { ...destination.headers };
    const judge = (res: UploadResponse, target: URL): void => {
      info.response = res;
      if (res.status >= 200 && res.status <= 299) return;
      if (res.status >= 500) throw new Retryable(`the server answered ${res.status}`, res);
      if (res.status >= 300 && res.status <= 399) {
        const location = res.headers['location'];
        const to = location ? new URL(location, target) : null;
        if (to && to.origin !== target.origin) throw new ScanbridgeError('destination-not-allowed', `${target.host} redirected to ${to.origin}: redirects to another host are not followed`, answerDetails(res));
        throw new ScanbridgeError('upload-failed', `${target.host} answered ${res.status} (a redirect, not followed)`, answerDetails(res));
      }
      throw new ScanbridgeError('upload-failed', `${target.host} refused the upload: ${res.status}${res.body ? ` ${res.body.slice(0, 200)}` : ''}`, answerDetails(res));
    };
    const network = (err: unknown): never => {
      if (err instanceof NetworkError) throw new Retryable(`${err.cause.code ?? 'network error'}: ${err.message}`, null);
      throw err;
    };

    if (destination.method === 'post') {
      if (!stream) throw new Error('a post upload encodes its pages as it sends them');
      info.bytesSent = 0;
      info.bytesTotal = 0;
      const pass = stream();
      const body = multipartBody(destination.fields ?? {}, destination.fieldName, pass.files);
      // No Content-Length: the size is known once the last page is encoded, so Node sends the body chunked.
      // The pass ends when the request does (answered, failed or destroyed): its leased pages go back then.
      const res = await send(url, { method: 'POST', headers: { ...headers, 'Content-Type': body.contentType }, body: body.chunks, signal, onBytes: progress })
        .catch(network)
        .finally(pass.close);
      judge(res, url);
      info.bytesTotal = info.bytesSent;
      return;
    }
    const file = files[0]!;
    if (destination.method === 'put') {
      info.bytesSent = 0;
      const typed = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
      const res = await send(url, { method: 'PUT', headers: { ...(typed ? {} : { 'Content-Type': file.mimeType }), ...headers, 'Content-Length': file.size }, body: () => createReadStream(file.path, { highWaterMark: 1024 * 1024 }), signal, onBytes: progress }).catch(network);
      return judge(res, url);
    }
    try {
      let upload: URL;
      let offset: number;
      if (record.tusUrl) {
        upload = new URL(record.tusUrl);
        offset = await serverOffset(upload, headers, signal);
      } else {
        upload = await createUpload(url, file, headers, destination.metadata ?? {}, signal);
        checkDestination(upload.href, caller, this.prefixes, 'the tus Location');
        record.tusUrl = upload.href;
        await persist();
        offset = 0;
      }
      info.bytesSent = offset;
      while (offset < file.size) offset = await patchChunk(upload, file, offset, destination.chunkSize, headers, signal, progress);
      info.bytesSent = offset;
    } catch (err) {
      if (err instanceof TusAnswer) {
        // The upload the server no longer knows (expired, removed) is created again.
        if (record.tusUrl && (err.response.status === 404 || err.response.status === 410)) {
          record.tusUrl = undefined;
          throw new Retryable(`the tus upload is gone (${err.response.status})`, err.response);
        }
        judge(err.response, url);
        throw new ScanbridgeError('upload-failed', `${err.message}, not what a tus 1.0 server answers`, answerDetails(err.response));
      }
      network(err);
    }
  }

  private find(sessionId: string, id: string): Job {
    const job = this.jobs.get(id);
    if (!job || job.record.sessionId !== sessionId) throw new ScanbridgeError('unknown-job', `no upload "${id}" in this session`);
    return job;
  }

  get(sessionId: string, id: string): UploadInfo {
    return { ...this.find(sessionId, id).record.info };
  }

  async wait(sessionId: string, id: string, timeoutMs: number): Promise<UploadInfo> {
    const job = this.find(sessionId, id);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([job.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    return { ...job.record.info };
  }

  async cancel(sessionId: string, id: string): Promise<UploadInfo> {
    const job = this.find(sessionId, id);
    if (job.record.info.state === 'running') {
      job.controller.abort(new ScanbridgeError('job-cancelled', 'the upload was cancelled'));
      await job.done;
    }
    return { ...job.record.info };
  }

  /**
   * Every upload of a session ends (it is closing: its pages go), or every
   * upload (the service is stopping: tus uploads go on at the next start).
   */
  async cancelAll(sessionId?: string, reason = new ScanbridgeError('service-stopping', 'the service is stopping')): Promise<void> {
    const running = [...this.jobs.values()].filter((j) => j.record.info.state === 'running' && (!sessionId || j.record.sessionId === sessionId));
    for (const job of running) job.controller.abort(reason);
    await Promise.all(running.map((j) => j.done));
    // A closing session's uploads have ended (their files and records are removed as each ends): forget them.
    if (sessionId) for (const [id, job] of this.jobs) if (job.record.sessionId === sessionId) this.jobs.delete(id);
  }
}
