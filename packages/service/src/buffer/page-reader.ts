/**
 * Page files read back from the disk cache without allocating per page on
 * the service's thread (issue 12.4). A 500-page upload from the cache used to
 * decrypt every page on the event loop into a fresh buffer of its size; those
 * buffers count against V8's old generation, so a major GC ran every few
 * pages and took a third of the time. Here a thread reads and decrypts
 * (read-worker.ts) into a few shared slots that are reused: the caller gets
 * the page as a view of a slot, a lease, and gives it back with release().
 * When every slot is leased (or a page is larger than a slot may be), the
 * caller reads the ordinary way instead: the slots speed reads up, they are
 * never something to wait for.
 *
 * A leased page's bytes change once it is released: a holder must be done
 * with them, and with every view of them (a chunk queued on a socket), first.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ReadReply, ReadTask } from './read-protocol.js';

/** Enough for an encoder's pages in flight (PDF: 3 read ahead, 1 being written) and a thumbnail. */
const SLOTS = 6;
/** Larger pages are read the ordinary way: six slots of them would hold too much. */
const MAX_SLOT_BYTES = 64 * 1024 * 1024;
/**
 * Threads reading at once. Two were slower than one on 2 cores (100-page
 * uploads from the cache: 600-1490 ms against 386-973 ms, alternating, at a
 * load of 11-13): they took the core the event loop sends on.
 */
const THREADS = Math.min(1, availableParallelism());
/** Slots unused this long are dropped (their memory goes at the next GC). */
const IDLE_MS = 10_000;

const WORKER_URL = new URL('./read-worker.js', import.meta.url);

export interface Lease {
  bytes: Buffer;
  /** Gives the slot back; later calls do nothing. */
  release(): void;
  /** The bytes are the caller's own (read the ordinary way): release does nothing. */
  owned?: boolean;
}

/** Why a leased read failed: `kind` as the thread reported it, `code` the errno name. */
export class ReadFailure extends Error {
  constructor(
    readonly kind: 'cipher' | 'fs' | 'size',
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ReadFailure';
  }
}

interface Slot {
  memory: SharedArrayBuffer;
  busy: boolean;
}

interface Pending {
  resolve(reply: ReadReply): void;
  reject(err: Error): void;
}

export class PageReader {
  readonly #workers: Array<{ worker: Worker; pending: Set<number> }> = [];
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #slots: Slot[] = [];
  #idle: NodeJS.Timeout | null = null;
  /** Reads served from a slot (for tests). */
  leased = 0;

  /**
   * The plaintext of the sealed file as a lease, or null when no slot can
   * take a page of `size` bytes now. Throws ReadFailure.
   */
  async read(path: string, key: Buffer, aad: string, size: number): Promise<Lease | null> {
    const slot = this.#take(size);
    if (!slot) return null;
    let reply: ReadReply;
    try {
      reply = await this.#ask({ path, key: key.toString('hex'), aad, slot: slot.memory });
    } catch (err) {
      slot.busy = false;
      throw err;
    }
    if (!reply.ok) {
      slot.busy = false;
      throw new ReadFailure(reply.kind, reply.message, reply.code);
    }
    this.leased++;
    let held = true;
    return {
      bytes: Buffer.from(slot.memory, 0, reply.length),
      release: () => {
        if (!held) return;
        held = false;
        slot.busy = false;
        this.#armIdle();
      },
    };
  }

  #take(size: number): Slot | null {
    if (size > MAX_SLOT_BYTES) return null;
    const free = this.#slots.filter((s) => !s.busy);
    // The smallest that fits; else grow one, or add one while there are fewer than SLOTS.
    let slot = free.filter((s) => s.memory.byteLength >= size).sort((a, b) => a.memory.byteLength - b.memory.byteLength)[0];
    if (!slot) {
      // Rounded up so that pages of slightly different sizes share slots.
      const memory = new SharedArrayBuffer(Math.max(256 * 1024, 2 ** Math.ceil(Math.log2(size))));
      if (this.#slots.length < SLOTS) {
        slot = { memory, busy: false };
        this.#slots.push(slot);
      } else if (free.length > 0) {
        slot = free.sort((a, b) => a.memory.byteLength - b.memory.byteLength)[0]!;
        slot.memory = memory;
      } else {
        return null;
      }
    }
    slot.busy = true;
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = null;
    return slot;
  }

  #armIdle(): void {
    if (this.#idle || this.#slots.some((s) => s.busy)) return;
    this.#idle = setTimeout(() => {
      this.#idle = null;
      this.#slots = this.#slots.filter((s) => s.busy);
      if (this.#slots.length === 0 && this.#pending.size === 0) this.#stopWorkers();
    }, IDLE_MS).unref();
  }

  #ask(task: Omit<ReadTask, 'id'>): Promise<ReadReply> {
    const thread = this.#thread();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      thread.pending.add(id);
      thread.worker.ref();
      thread.worker.postMessage({ id, ...task } satisfies ReadTask);
    });
  }

  /** The least busy thread, started when fewer than THREADS run and all are busy. */
  #thread(): { worker: Worker; pending: Set<number> } {
    const idle = this.#workers.reduce<{ worker: Worker; pending: Set<number> } | undefined>((a, b) => (!a || b.pending.size < a.pending.size ? b : a), undefined);
    if (idle && (idle.pending.size === 0 || this.#workers.length >= THREADS)) return idle;
    const worker = new Worker(WORKER_URL);
    const thread = { worker, pending: new Set<number>() };
    worker.on('message', (reply: ReadReply) => {
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      thread.pending.delete(reply.id);
      if (thread.pending.size === 0) worker.unref();
      pending?.resolve(reply);
    });
    // A thread that dies fails what it was reading (the caller reads the ordinary way; the next read starts a new thread).
    const fail = (err: Error) => {
      const i = this.#workers.indexOf(thread);
      if (i >= 0) this.#workers.splice(i, 1);
      for (const id of thread.pending) {
        this.#pending.get(id)?.reject(err);
        this.#pending.delete(id);
      }
      thread.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`a page reading thread exited (${code})`)));
    worker.unref();
    this.#workers.push(thread);
    return thread;
  }

  #stopWorkers(): void {
    for (const { worker } of this.#workers.splice(0)) void worker.terminate();
  }

  /** Ends the threads (the service stops); leases already given stay readable. */
  async close(): Promise<void> {
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = null;
    await Promise.all(this.#workers.splice(0).map(({ worker }) => worker.terminate()));
  }
}

/** The service's reader, for every session. */
export const pageReader = new PageReader();
