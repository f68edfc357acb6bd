/**
 * The OCR threads, one per core by default (util/thread-pool.ts). A thread
 * that dies while reading fails its task with `ocr-engine-crashed` and is
 * replaced; a task given up (a timeout) terminates its thread, since a
 * running WebAssembly call cannot be interrupted otherwise. A thread running
 * the system tesseract tells the pool of each process it starts: those are
 * ended with the thread, since a thread's end does not end its children.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import { sharedPool, ThreadPool } from '../../util/thread-pool.js';
import type { ChildNote, Orientation, RecognizedPage, WorkerTask } from './worker-protocol.js';

type Task = WorkerTask extends infer T ? (T extends WorkerTask ? Omit<T, 'id'> : never) : never;

function endChildren(children: Set<number> | undefined): void {
  for (const pid of children ?? []) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  children?.clear();
}

export class OcrPool extends ThreadPool<Task, RecognizedPage | Orientation> {
  constructor(size = availableParallelism()) {
    const children = new WeakMap<Worker, Set<number>>();
    super({
      url: new URL('./ocr-worker.js', import.meta.url),
      size,
      label: 'The OCR engine',
      failed: (reply) => new ScanbridgeError(reply.code === 'invalid-image' ? 'invalid-image' : 'ocr-engine-crashed', `The OCR engine failed: ${reply.message}`),
      died: (why) => new ScanbridgeError('ocr-engine-crashed', `The OCR engine stopped while recognising a page (${why}); it was replaced, recognise the page again.`),
      onMessage: (thread, message) => {
        if (typeof message !== 'object' || message === null || !('child' in message)) return false;
        const note = message as ChildNote;
        let running = children.get(thread.worker);
        if (!running) children.set(thread.worker, (running = new Set()));
        if (!note.running) running.delete(note.child);
        else if (thread.current) running.add(note.child);
        // Started by a thread already given up: ended at once.
        else endChildren(new Set([note.child]));
        return true;
      },
      onEnd: (thread) => endChildren(children.get(thread.worker)),
    });
  }
}

/** The service's one pool, started on first use. */
export function sharedOcrPool(): OcrPool {
  return sharedPool('ocr', () => new OcrPool());
}
