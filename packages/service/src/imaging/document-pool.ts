/**
 * Threads for document detection and perspective correction, at most two
 * (or one per core when fewer): each task holds a decoded frame and its
 * corrected copy, so more threads would mostly add memory. Tasks wait in a
 * queue for a free thread. A thread that dies (a crash, out of memory) fails
 * its task with `internal-error` and is replaced by the next task. Idle
 * threads are unref'd, so the pool never keeps a process alive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ScanbridgeError } from '@scanbridge/protocol';
import type { DocumentCorners, Pixels } from './analysis/document-corners.js';
import type { CorrectOptions, Corrected } from './edits/perspective.js';
import type { DocumentReply, DocumentTask } from './document-protocol.js';

type Task = { op: 'detect'; pixels: Pixels } | { op: 'correct'; pixels: Pixels; options: CorrectOptions };

interface Job {
  id: number;
  task: Task;
  resolve(result: unknown): void;
  reject(err: unknown): void;
}

interface Slot {
  worker: Worker | null;
  job: Job | null;
}

const WORKER_URL = new URL('./document-worker.js', import.meta.url);

export class DocumentPool {
  readonly #slots: Slot[];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;

  constructor(size = Math.min(2, availableParallelism())) {
    this.#slots = Array.from({ length: Math.max(1, size) }, () => ({ worker: null, job: null }));
  }

  detect(pixels: Pixels): Promise<DocumentCorners> {
    return this.#run({ op: 'detect', pixels }) as Promise<DocumentCorners>;
  }

  correct(pixels: Pixels, options: CorrectOptions): Promise<Corrected> {
    return this.#run({ op: 'correct', pixels, options }) as Promise<Corrected>;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const stopping = new ScanbridgeError('service-stopping', 'Document imaging is closing.');
    for (const job of this.#queue.splice(0)) job.reject(stopping);
    await Promise.all(
      this.#slots.map(async (slot) => {
        const { worker, job } = slot;
        slot.worker = null;
        slot.job = null;
        job?.reject(stopping);
        await worker?.terminate();
      }),
    );
  }

  #run(task: Task): Promise<unknown> {
    if (this.#closed) return Promise.reject(new ScanbridgeError('service-stopping', 'Document imaging is closed.'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, task, resolve, reject });
      this.#pump();
    });
  }

  #spawn(slot: Slot): Worker {
    const worker = new Worker(WORKER_URL);
    worker.unref();
    worker.on('message', (reply: DocumentReply) => {
      const job = slot.job;
      if (slot.worker !== worker || !job || job.id !== reply.id) return;
      slot.job = null;
      worker.unref();
      if (reply.ok) job.resolve(reply.result);
      else job.reject(new ScanbridgeError('internal-error', `Document imaging failed: ${reply.message}`));
      this.#pump();
    });
    const died = (why: string) => {
      if (slot.worker !== worker) return;
      const job = slot.job;
      slot.worker = null;
      slot.job = null;
      job?.reject(new ScanbridgeError('internal-error', `The document imaging thread stopped (${why}); it is replaced on the next call, and the page is unchanged.`));
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
      // The frame's pixels are copied to the thread: the caller may still hold them (a buffer page's decode is its own).
      worker.postMessage({ id: job.id, ...job.task } satisfies DocumentTask);
    }
  }

  /** Ends the thread running a task, as a crash would (for tests of recovery). */
  killBusyWorkerForTest(): boolean {
    const slot = this.#slots.find((s) => s.job && s.worker);
    if (!slot) return false;
    void slot.worker!.terminate();
    return true;
  }
}

let shared: DocumentPool | undefined;

/** The service's one pool, started on first use. */
export function sharedDocumentPool(): DocumentPool {
  shared ??= new DocumentPool();
  return shared;
}
