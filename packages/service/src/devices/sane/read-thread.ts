/**
 * The SANE worker's reads of page data, on a thread of its own that calls
 * sane_read synchronously in a loop. Backends hand data over in small
 * pieces (SANE's test backend: 64 KB, the size of its pipe; 400 reads for an
 * A4 page at 300 dpi in colour), and each of koffi's asynchronous calls
 * costs about 40 µs of CPU and 85 µs of latency (a hop to libuv's thread
 * pool and back to the event loop, plus the promise and the stall timer
 * around it): 35 ms a page, as long as `scanimage` took for the whole page.
 * Here one hop fills up to a megabyte.
 *
 * The worker's event loop stays free as before: while the thread blocks in
 * the driver, the previous page is encoded and handed over, and a cancel
 * reaches sane_cancel (which makes the blocked read return).
 *
 * The thread reads straight into the page's memory, which is therefore
 * shared (page-assembler.ts allocates it so); a target that is not, or a
 * thread that could not start, is read with one asynchronous sane_read.
 */
import { Worker } from 'node:worker_threads';

/** A fill answers once it holds data this old, full or not: progress and the stall watch stay close to the device. */
export const FILL_MS = 100;

export interface FillRequest {
  id: number;
  handle: bigint;
  buffer: SharedArrayBuffer;
  offset: number;
  length: number;
  budgetMs: number;
}

export type FillAnswer = { id: number; status: number; length: number } | { id: number; error: string };

export interface FillResult {
  /** The status of the last sane_read: GOOD, or what ended the data (EOF, CANCELLED, an error). */
  status: number;
  /** Bytes read into the target, also when a later read of the same fill ended with another status. */
  length: number;
}

export class ReadThread {
  #worker: Worker | null = null;
  #started: Promise<boolean> | null = null;
  #next = 0;
  readonly #pending = new Map<number, { resolve: (r: FillResult) => void; reject: (e: Error) => void }>();

  constructor(private readonly library: string) {}

  /**
   * Starts the thread (once) and resolves when it has loaded libsane; false
   * when it could not. Called before the driver starts a page: loading a
   * native library while a backend creates and cancels its reader threads
   * once deadlocked the worker (acquire.ts).
   */
  start(): Promise<boolean> {
    this.#started ??= new Promise<boolean>((resolve) => {
      const worker = new Worker(new URL('./read-thread-main.js', import.meta.url), { workerData: { library: this.library } });
      worker.on('message', (message: FillAnswer | { ready: true }) => {
        if ('ready' in message) {
          this.#worker = worker;
          worker.unref();
          resolve(true);
          return;
        }
        const waiter = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (this.#pending.size === 0) worker.unref();
        if ('error' in message) waiter?.reject(new Error(`the SANE read thread failed: ${message.error}`));
        else waiter?.resolve({ status: message.status, length: message.length });
      });
      const gone = (why: string): void => {
        this.#worker = null;
        resolve(false);
        for (const waiter of this.#pending.values()) waiter.reject(new Error(`the SANE read thread ended (${why})`));
        this.#pending.clear();
      };
      worker.on('error', (err) => gone(err.message));
      worker.on('exit', (code) => gone(`exit code ${code}`));
    });
    return this.#started;
  }

  /** Whether fills go through the thread (started and alive). */
  get running(): boolean {
    return this.#worker !== null;
  }

  /** sane_read into `into` (shared memory) until it is full, the status is not GOOD, or `budgetMs` passed with data in hand. */
  fill(handle: bigint, into: Uint8Array, budgetMs = FILL_MS): Promise<FillResult> {
    const worker = this.#worker;
    if (!worker || !(into.buffer instanceof SharedArrayBuffer)) return Promise.reject(new Error('the SANE read thread is not running or the target is not shared memory'));
    const id = ++this.#next;
    const request: FillRequest = { id, handle, buffer: into.buffer, offset: into.byteOffset, length: into.byteLength, budgetMs };
    return new Promise<FillResult>((resolve, reject) => {
      // Held while a fill is under way; idle between scans it must not keep the process alive.
      if (this.#pending.size === 0) worker.ref();
      this.#pending.set(id, { resolve, reject });
      worker.postMessage(request);
    });
  }
}

/** Page memory the read thread can write into. */
export function sharedBuffer(size: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(size));
}
