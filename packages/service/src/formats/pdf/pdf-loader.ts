/**
 * Loads a PDF through the load worker: one worker for the service, started
 * on first use and ended after a minute without work, one document at a time.
 * Every request has a time limit; a worker that overruns it, crashes or runs
 * out of memory is terminated (and replaced for the next load), and the load
 * fails with invalid-image naming the page.
 */
import { Worker } from 'node:worker_threads';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { StoredImage } from '../../buffer/types.js';
import { imageMemory } from '../../util/memory-budget.js';
import { trimMemory } from '../../util/trim-memory.js';
import { invalidImage } from '../invalid.js';
import { LOAD_LIMITS } from '../limits.js';
import { storeJpegAsIs } from '../raster-decoder.js';
import type { FromWorker, ToWorker } from './pdf-load-messages.js';

const IDLE_MS = 60_000;

/**
 * The claim of one page on the shared image memory: a band's canvas, its
 * pixel copy and its scanlines, and pdf.js' own working memory. Pages that
 * are one JPEG are checked in strips, within the same claim.
 */
const PAGE_BYTES = 4 * LOAD_LIMITS.pdfBandBytes;

class LoadWorker {
  readonly worker: Worker;
  #pending: { resolve: (m: FromWorker) => void; reject: (e: Error) => void } | undefined;
  #dead: Error | undefined;

  constructor() {
    this.worker = new Worker(new URL('./pdf-load-worker.js', import.meta.url), {
      // Bounds the JavaScript heap; canvases are bounded by the page pixel limit.
      resourceLimits: { maxOldGenerationSizeMb: 1024 },
    });
    // Not capturing the worker's stdout: a captured stream would keep the service's process alive.
    // pdf.js is told to report nothing (verbosity 0) instead.
    this.worker.on('message', (m: FromWorker) => {
      const p = this.#pending;
      this.#pending = undefined;
      p?.resolve(m);
    });
    const die = (err: Error) => {
      this.#dead ??= err;
      const p = this.#pending;
      this.#pending = undefined;
      p?.reject(err);
    };
    this.worker.on('error', (err: Error & { code?: string }) => die(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new Error('rendering it needs more memory than allowed') : err));
    this.worker.on('exit', (code) => die(new Error(`the PDF worker stopped (exit code ${code})`)));
    // After the listeners: attaching a message listener references the worker again.
    this.worker.unref();
  }

  get dead(): boolean {
    return this.#dead !== undefined;
  }

  request(message: ToWorker, timeoutMs: number, what: string, transfer: ArrayBuffer[] = []): Promise<FromWorker> {
    if (this.#dead) return Promise.reject(this.#dead);
    return new Promise<FromWorker>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#dead ??= new Error(`${what} took longer than ${timeoutMs / 1000} s`);
        void this.worker.terminate();
      }, timeoutMs);
      this.#pending = {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(this.#dead ?? e);
        },
      };
      this.worker.postMessage(message, transfer);
    });
  }
}

let shared: LoadWorker | undefined;
let idleTimer: NodeJS.Timeout | undefined;
let queue: Promise<void> = Promise.resolve();
/** Set when the current document had a large page: pdf.js' caches have grown, so the worker is not kept. */
let recycle = false;

/** Pages past this many pixels make the worker end with its document (its heap is returned). */
const RECYCLE_PIXELS = 40_000_000;

async function endWorker(): Promise<void> {
  const w = shared;
  shared = undefined;
  if (!w) return;
  await w.worker.terminate();
  await trimMemory().catch(() => undefined);
}

function worker(): LoadWorker {
  if (!shared || shared.dead) shared = new LoadWorker();
  return shared;
}

/**
 * One document at a time: resolves with a release function once the worker is
 * free. Release ends the worker at once after a large page (before the load
 * answers, so its memory is back by then), else after IDLE_MS without work.
 */
function acquire(): Promise<() => Promise<void>> {
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const turn = queue.then(() => {
    clearTimeout(idleTimer);
    return async () => {
      if (recycle) {
        recycle = false;
        // Ended before the next document may start, which then gets a new worker.
        await endWorker();
        release();
        return;
      }
      release();
      idleTimer = setTimeout(() => void endWorker(), IDLE_MS);
      idleTimer.unref();
    };
  });
  queue = queue.then(() => mine);
  return turn;
}

export interface PdfLoadOptions {
  dpi: number;
  password?: string | undefined;
}

export interface OpenPdf {
  pageCount: number;
  pages(): AsyncGenerator<StoredImage>;
  close(): Promise<void>;
}

function failure(m: FromWorker, page?: number): ScanbridgeError {
  if (m.type === 'error' && m.kind === 'password') {
    const reason = m.given ? `${m.reason}` : `${m.reason}: pass it as params.password`;
    return new ScanbridgeError('pdf-password-required', `PDF: ${reason}`, { format: 'pdf', reason: m.reason, passwordGiven: m.given ?? false });
  }
  return invalidImage('pdf', m.type === 'error' ? m.reason : `unexpected answer "${m.type}" from the PDF worker`, page);
}

/** One page: a single JPEG as it is when it decodes whole, else rendered by pdf.js. */
async function renderPage(w: LoadWorker, index: number, pageCount: number): Promise<StoredImage> {
  const page = pageCount > 1 ? index : undefined;
  const ask = async (raster: boolean) => {
    try {
      return await w.request({ type: 'page', index, raster }, LOAD_LIMITS.pdfPageMs, `rendering page ${index + 1}`);
    } catch (err) {
      throw invalidImage('pdf', (err as Error).message, page);
    }
  };
  let m = await ask(false);
  if (m.type === 'jpeg') {
    const stored = await storeJpegAsIs(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.length), m.xdpi, m.ydpi).catch(() => undefined);
    if (stored) return stored;
    // A JPEG that does not decode cleanly is left to pdf.js, which renders what it can.
    m = await ask(true);
  }
  if (m.type !== 'png') throw failure(m, page);
  if (m.width * m.height > RECYCLE_PIXELS) recycle = true;
  const bytes = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.length);
  return { format: 'png', bytes, width: m.width, height: m.height, xdpi: m.dpi, ydpi: m.dpi, mode: m.channels === 1 ? 'gray' : 'color', bitDepth: 8 };
}

export async function openPdf(bytes: Buffer, opts: PdfLoadOptions): Promise<OpenPdf> {
  const release = await acquire();
  const w = worker();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      if (!w.dead) await w.request({ type: 'close' }, LOAD_LIMITS.pdfOpenMs, 'closing the PDF');
    } catch {
      // A worker that cannot close is replaced on the next load.
    } finally {
      await release();
    }
  };
  let pageCount: number;
  try {
    const opened = await w.request(
      { type: 'open', bytes: new Uint8Array(bytes), password: opts.password, dpi: opts.dpi, maxPages: LOAD_LIMITS.pages, maxPixels: LOAD_LIMITS.pixels, maxSide: LOAD_LIMITS.side, bandBytes: LOAD_LIMITS.pdfBandBytes },
      LOAD_LIMITS.pdfOpenMs,
      'opening the PDF',
    );
    if (opened.type !== 'opened') throw failure(opened);
    pageCount = opened.pageCount;
  } catch (err) {
    await close();
    throw err instanceof ScanbridgeError ? err : invalidImage('pdf', (err as Error).message);
  }
  return {
    pageCount,
    close,
    async *pages() {
      for (let index = 0; index < pageCount; index++) {
        yield await imageMemory.run(PAGE_BYTES, () => renderPage(w, index, pageCount));
      }
    },
  };
}
