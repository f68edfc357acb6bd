/**
 * A pool of worker threads that each run one task at a time: the barcode
 * reader, the OCR engine and document imaging share it. Work waits in a queue
 * for a free thread. A thread that dies while working (a crash, out of
 * memory) fails its task with the pool's own error and is replaced on the
 * next task; a task given up (its signal aborts: a timeout) terminates its
 * thread, since a running WebAssembly or native call cannot be interrupted
 * otherwise.
 *
 * Threads speak `ThreadReply`; anything else they send goes to `onMessage`.
 * Idle threads are unref'd, so a pool never keeps a process alive.
 */
import { type TransferListItem, Worker } from 'node:worker_threads';
import { ScanbridgeError } from '@scanbridge/protocol/core';

/** What a thread answers to task `id`. */
export type ThreadReply<R> = { id: number; ok: true; result: R } | { id: number; ok: false; message: string; code?: string };

/** A thread as the pool's hooks see it; `current` is false once the pool has let it go. */
export interface PoolThread {
  readonly worker: Worker;
  readonly current: boolean;
}

export interface ThreadPoolSpec {
  /** The thread's script. */
  url: URL;
  size: number;
  /** Names the pool in messages: "The barcode reader". */
  label: string;
  /** The error for a task the thread answered with a failure. */
  failed(reply: { message: string; code?: string }): ScanbridgeError;
  /** The error for a task whose thread died under it. */
  died(why: string): ScanbridgeError;
  /** A message that is not a reply; return true when it was handled. */
  onMessage?(thread: PoolThread, message: unknown): boolean;
  /** The thread is being ended or has died: what it started must end too. */
  onEnd?(thread: PoolThread): void;
}

interface Job {
  id: number;
  task: object;
  transfer: TransferListItem[];
  resolve(result: unknown): void;
  reject(err: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

interface Slot {
  worker: Worker | null;
  job: Job | null;
}

export class ThreadPool<Task extends object, Result> {
  readonly size: number;
  readonly #spec: ThreadPoolSpec;
  readonly #slots: Slot[];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;
  /** Threads started so far (replacements included); for tests and the bench. */
  started = 0;

  constructor(spec: ThreadPoolSpec) {
    this.#spec = spec;
    this.size = Math.max(1, spec.size);
    this.#slots = Array.from({ length: this.size }, () => ({ worker: null, job: null }));
  }

  /** Closed pools refuse work: the service's shared pools are made again after one (a service started again in one process). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `task` on every thread at once, so the first real tasks are not slowed by start-up. */
  async warm(task: Task): Promise<void> {
    await Promise.all(this.#slots.map(() => this.run(task)));
  }

  /** `transfer`: memory of the task handed to the thread instead of copied (the caller must not use it after). */
  run<R extends Result = Result>(task: Task, signal?: AbortSignal, transfer: TransferListItem[] = []): Promise<R> {
    if (this.#closed) return Promise.reject(new ScanbridgeError('service-stopping', `${this.#spec.label} is closed.`));
    signal?.throwIfAborted();
    return new Promise<R>((resolve, reject) => {
      const job: Job = { id: this.#nextId++, task, transfer, resolve: resolve as (r: unknown) => void, reject, signal, onAbort: () => this.#abort(job) };
      signal?.addEventListener('abort', job.onAbort, { once: true });
      this.#queue.push(job);
      this.#pump();
    });
  }

  /** Terminates every thread; queued and running tasks fail with service-stopping. */
  async close(): Promise<void> {
    this.#closed = true;
    const stopping = new ScanbridgeError('service-stopping', `${this.#spec.label} is closing.`);
    for (const job of this.#queue.splice(0)) this.#settle(job, () => job.reject(stopping));
    await Promise.all(
      this.#slots.map(async (slot) => {
        const { job } = slot;
        const worker = this.#letGo(slot);
        if (job) this.#settle(job, () => job.reject(stopping));
        await worker?.terminate();
      }),
    );
  }

  /** Ends the thread running a task, as a crash would (for tests of recovery). */
  killBusyWorkerForTest(): boolean {
    const slot = this.#slots.find((s) => s.job && s.worker);
    if (!slot) return false;
    this.#spec.onEnd?.({ worker: slot.worker!, current: true });
    void slot.worker!.terminate();
    return true;
  }

  /** Empties the slot and tells the hooks its thread is ending; returns that thread. */
  #letGo(slot: Slot): Worker | null {
    const worker = slot.worker;
    slot.worker = null;
    slot.job = null;
    if (worker) this.#spec.onEnd?.({ worker, current: false });
    return worker;
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
    const worker = this.#letGo(slot);
    this.#settle(job, () => job.reject(reason));
    void worker?.terminate();
    this.#pump();
  }

  #spawn(slot: Slot): Worker {
    const worker = new Worker(this.#spec.url);
    this.started++;
    worker.unref();
    const thread: PoolThread = {
      worker,
      get current() {
        return slot.worker === worker;
      },
    };
    worker.on('message', (message: ThreadReply<Result>) => {
      if (this.#spec.onMessage?.(thread, message)) return;
      const job = slot.job;
      if (!thread.current || !job || job.id !== message.id) return;
      slot.job = null;
      worker.unref();
      if (message.ok) this.#settle(job, () => job.resolve(message.result));
      else this.#settle(job, () => job.reject(this.#spec.failed(message)));
      this.#pump();
    });
    const died = (why: string) => {
      if (!thread.current) return; // terminated on purpose (abort, close)
      const job = slot.job;
      this.#letGo(slot);
      if (job) this.#settle(job, () => job.reject(this.#spec.died(why)));
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
      // The task is copied to the thread (the caller may still hold its buffers), but for what it handed over.
      worker.postMessage({ id: job.id, ...job.task }, job.transfer);
    }
  }
}

/** The service's pools, one of each kind: ended when it stops (closeSharedPools). */
const sharedPools = new Map<string, { readonly closed: boolean; close(): Promise<void> }>();

/** The service's one pool of a kind, made on first use, and again after the pools were closed (a service started again in one process). */
export function sharedPool<P extends { readonly closed: boolean; close(): Promise<void> }>(kind: string, make: () => P): P {
  let pool = sharedPools.get(kind) as P | undefined;
  if (!pool || pool.closed) sharedPools.set(kind, (pool = make()));
  return pool;
}

/** Ends the shared pools' threads (and what they started, such as tesseract processes). */
export async function closeSharedPools(): Promise<void> {
  const pools = [...sharedPools.values()];
  sharedPools.clear();
  await Promise.all(pools.map((pool) => pool.close()));
}
