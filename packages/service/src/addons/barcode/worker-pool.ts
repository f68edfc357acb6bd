/**
 * The barcode reading threads, one per core by default (util/thread-pool.ts).
 * A thread that dies while reading fails its task with
 * `barcode-reader-crashed` and is replaced; a task given up (a timeout)
 * terminates its thread, since a running WebAssembly call cannot be
 * interrupted otherwise.
 */
import { availableParallelism } from 'node:os';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import { sharedPool, ThreadPool } from '../../util/thread-pool.js';
import type { RawCode, WorkerTask } from './worker-protocol.js';

type Task = Omit<WorkerTask, 'id'>;

export class BarcodePool extends ThreadPool<Task, RawCode[]> {
  constructor(size = availableParallelism()) {
    super({
      url: new URL('./decode-worker.js', import.meta.url),
      size,
      label: 'The barcode reader',
      failed: (reply) => new ScanbridgeError('barcode-reader-crashed', `The barcode reader failed: ${reply.message}`),
      died: (why) => new ScanbridgeError('barcode-reader-crashed', `The barcode reader stopped while reading (${why}); it was replaced, read the page again.`),
    });
  }
}

/** The service's one pool, started on first use. */
export function sharedBarcodePool(): BarcodePool {
  return sharedPool('barcode', () => new BarcodePool());
}
