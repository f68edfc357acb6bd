/**
 * Worker processes by key (one per device): started on first use, shared by
 * concurrent uses, stopped when released or after an idle timeout, and
 * forgotten when they exit, so that the next use after a crash starts a
 * fresh one.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { WorkerMethods } from './worker-messages.js';
import type { WorkerProcess } from './worker-process.js';

export interface WorkerPoolOptions<M extends WorkerMethods> {
  /** A worker nobody has used for this long is stopped. */
  idleTimeoutMs: number;
  /** Start (and prepare, e.g. open the device in) the worker for a key. */
  start(key: string): Promise<WorkerProcess<M>>;
}

interface Entry<M extends WorkerMethods> {
  worker: Promise<WorkerProcess<M>>;
  uses: number;
  idleTimer: NodeJS.Timeout | undefined;
}

export class WorkerPool<M extends WorkerMethods> {
  private readonly entries = new Map<string, Entry<M>>();
  /**
   * Workers taken out of the pool that have not exited yet: the next worker
   * of the key starts only after the old one is gone, so that two processes
   * never hold one device.
   */
  private readonly dying = new Map<string, Promise<void>>();
  private closed = false;

  constructor(private readonly options: WorkerPoolOptions<M>) {}

  /** Run `fn` with the key's worker, starting it if needed; the idle clock runs only while nobody uses it. */
  async use<T>(key: string, fn: (worker: WorkerProcess<M>) => Promise<T>): Promise<T> {
    if (this.closed) throw new ScanbridgeError('service-stopping', 'the service is stopping');
    const entry = this.entries.get(key) ?? this.create(key);
    entry.uses++;
    clearTimeout(entry.idleTimer);
    try {
      return await fn(await entry.worker);
    } finally {
      entry.uses--;
      if (entry.uses === 0 && this.entries.get(key) === entry) {
        entry.idleTimer = setTimeout(() => void this.release(key), this.options.idleTimeoutMs);
        entry.idleTimer.unref();
      }
    }
  }

  /** Whether a worker runs (or is starting) for the key. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Stop the key's worker (it closes its device first). */
  async release(key: string, reason?: ScanbridgeError): Promise<void> {
    const entry = this.take(key);
    if (!entry) return;
    const worker = await entry.worker.catch(() => null);
    await worker?.stop(reason);
  }

  /** Kill the key's worker at once: a device that is gone cannot be closed politely. */
  async kill(key: string, reason: ScanbridgeError): Promise<void> {
    const entry = this.take(key);
    if (!entry) return;
    const worker = await entry.worker.catch(() => null);
    worker?.kill(reason);
    await worker?.whenExited();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.keys().map((key) => this.release(key)));
  }

  private take(key: string): Entry<M> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    clearTimeout(entry.idleTimer);
    const gone = entry.worker.then(
      (worker) => worker.whenExited().then(() => undefined),
      () => undefined,
    );
    const dying = Promise.all([this.dying.get(key), gone]).then(() => {
      if (this.dying.get(key) === dying) this.dying.delete(key);
    });
    this.dying.set(key, dying);
    return entry;
  }

  private create(key: string): Entry<M> {
    const previous = this.dying.get(key) ?? Promise.resolve();
    const entry: Entry<M> = { worker: previous.then(() => this.options.start(key)), uses: 0, idleTimer: undefined };
    this.entries.set(key, entry);
    entry.worker.then(
      (worker) => {
        // A worker we kill or stop (a cancelled call that did not end in time) leaves the pool at
        // once: the next use gets a fresh one, never the old one's error.
        worker.once('ending', () => {
          if (this.entries.get(key) === entry) this.take(key);
        });
        worker.once('exit', () => {
          if (this.entries.get(key) === entry) this.take(key);
        });
        if (worker.ending && this.entries.get(key) === entry) this.take(key);
      },
      () => {
        if (this.entries.get(key) === entry) this.take(key);
      },
    );
    return entry;
  }
}
