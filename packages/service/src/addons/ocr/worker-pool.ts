/**
 * A pool of OCR threads, one per core by default. Work waits in
 * a queue for a free thread. A thread that dies while reading (a crash, out
 * of memory) fails its task with `ocr-engine-crashed` and is replaced; a
 * task given up (its signal aborts: a timeout) terminates its thread, since
 * a running WebAssembly call cannot be interrupted otherwise.
 *
 * Idle threads are unref'd, so a pool never keeps a process alive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ScanbridgeError } from '@scanbridge/protocol';
import type { ChildNote, Orientation, RecognizedPage, WorkerReply, WorkerTask } from './worker-protocol.js';

type Task = WorkerTask extends infer T ? (T extends WorkerTask ? Omit<T, 'id'> : never) : never;
type WorkerResult = RecognizedPage | Orientation;

interface Job {
  id: number;
  task: Task;
  resolve(codes: WorkerResult): void;
  reject(err: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

interface Slot {
  worker: Worker | null;
  job: Job | null;
  /** System tesseract processes the thread runs: ended with it, since a thread's end does not end its children. */
  children: Set<number>;
}

function endChildren(slot: Pick<Slot, 'children'>): void {
  for (const pid of slot.children) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  slot.children.clear();
}

const WORKER_URL = new URL('./ocr-worker.js', import.meta.url);

export class OcrPool {
  readonly size: number;
  readonly #slots: Slot[];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;
  /** Threads started so far (replacements included); for tests and the bench. */
  started = 0;

  constructor(size = availableParallelism()) {
    this.size = Math.max(1, size);
    this.#slots = Array.from({ length: this.size }, () => ({ worker: null, job: null, children: new Set<number>() }));
  }

  /** Starts every thread and has each read a tiny page with `task`'s engine and languages, so the first pages are not slowed by start-up. */
  async warm(task: Task): Promise<void> {
    await Promise.all(this.#slots.map(() => this.run(task)));
  }

  run<R extends WorkerResult = WorkerResult>(task: Task, signal?: AbortSignal): Promise<R> {
    if (this.#closed) return Promise.reject(new ScanbridgeError('service-stopping', 'The OCR engine is closed.'));
    signal?.throwIfAborted();
    return new Promise<R>((resolve, reject) => {
      const job: Job = { id: this.#nextId++, task, resolve: resolve as (r: WorkerResult) => void, reject, signal, onAbort: () => this.#abort(job) };
      signal?.addEventListener('abort', job.onAbort, { once: true });
      this.#queue.push(job);
      this.#pump();
    });
  }

  /** Terminates every thread; queued and running tasks fail with service-stopping. */
  async close(): Promise<void> {
    this.#closed = true;
    const stopping = new ScanbridgeError('service-stopping', 'The OCR engine is closing.');
    for (const job of this.#queue.splice(0)) this.#settle(job, () => job.reject(stopping));
    await Promise.all(
      this.#slots.map(async (slot) => {
        const { worker, job } = slot;
        slot.worker = null;
        slot.job = null;
        if (job) this.#settle(job, () => job.reject(stopping));
        endChildren(slot);
        await worker?.terminate();
      }),
    );
  }

  #settle(job: Job, finish: () => void): void {
    job.signal?.removeEventListener('abort', job.onAbort);
    finish();
  }

  #abort(job: Job): void {
    const reason: unknown = job.signal?.reason ?? new Error('aborted');
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      this.#settle(job, () => job.reject(reason));
      return;
    }
    const slot = this.#slots.find((s) => s.job === job);
    if (!slot) return;
    const worker = slot.worker;
    slot.worker = null;
    slot.job = null;
    this.#settle(job, () => job.reject(reason));
    endChildren(slot);
    void worker?.terminate();
    this.#pump();
  }

  #spawn(slot: Slot): Worker {
    const worker = new Worker(WORKER_URL);
    this.started++;
    worker.unref();
    const children = new Set<number>();
    slot.children = children;
    worker.on('message', (reply: WorkerReply | ChildNote) => {
      if ('child' in reply) {
        if (!reply.running) children.delete(reply.child);
        else if (slot.worker === worker) children.add(reply.child);
        // Started by a thread already given up: ended at once.
        else endChildren({ children: new Set([reply.child]) });
        return;
      }
      if (slot.worker !== worker) return;
      const job = slot.job;
      if (!job || job.id !== reply.id) return;
      slot.job = null;
      worker.unref();
      if (reply.ok) this.#settle(job, () => job.resolve(reply.result));
      else this.#settle(job, () => job.reject(new ScanbridgeError(reply.code === 'invalid-image' ? 'invalid-image' : 'ocr-engine-crashed', `The OCR engine failed: ${reply.message}`)));
      this.#pump();
    });
    const died = (why: string) => {
      if (slot.worker !== worker) return; // terminated on purpose (abort, close)
      endChildren(slot);
      const job = slot.job;
      slot.worker = null;
      slot.job = null;
      if (job) this.#settle(job, () => job.reject(new ScanbridgeError('ocr-engine-crashed', `The OCR engine stopped while recognising a page (${why}); it was replaced, recognise the page again.`)));
      this.#pump();
    };
    worker.on('error', (err) => died(err.message));
    worker.on('exit', (code) => died(`exit code ${code}`));
    return worker;
  }

  #pump(): void {
    if (this.#closed) return;
    for (const slot of this.#slots) {
      if (slot.job) continue;
      const job = this.#queue.shift();
      if (!job) return;
      const worker = (slot.worker ??= this.#spawn(slot));
      slot.job = job;
      worker.ref();
      worker.postMessage({ id: job.id, ...job.task } as WorkerTask);
    }
  }

  /** Ends the thread running a task, as a crash would (for tests of recovery). */
  killBusyWorkerForTest(): boolean {
    const slot = this.#slots.find((s) => s.job && s.worker);
    if (!slot) return false;
    endChildren(slot);
    void slot.worker!.terminate();
    return true;
  }
}

let shared: OcrPool | undefined;

/** The service's one pool, started on first use. */
export function sharedOcrPool(): OcrPool {
  shared ??= new OcrPool();
  return shared;
}
