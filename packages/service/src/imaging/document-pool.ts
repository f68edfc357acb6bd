/**
 * Threads for document detection and perspective correction
 * (util/thread-pool.ts), at most two (or one per core when fewer): each task
 * holds a decoded frame and its corrected copy, so more threads would mostly
 * add memory. A thread that dies fails its task with `internal-error` and is
 * replaced by the next task.
 */
import { availableParallelism } from 'node:os';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import { sharedPool, ThreadPool } from '../util/thread-pool.js';
import type { DocumentCorners, Pixels } from './analysis/document-corners.js';
import type { CorrectOptions, Corrected } from './edits/perspective.js';
import type { DocumentTask } from './document-protocol.js';

type Task = DocumentTask extends infer T ? (T extends DocumentTask ? Omit<T, 'id'> : never) : never;

export class DocumentPool extends ThreadPool<Task, DocumentCorners | Corrected> {
  constructor(size = Math.min(2, availableParallelism())) {
    super({
      url: new URL('./document-worker.js', import.meta.url),
      size,
      label: 'Document imaging',
      failed: (reply) => new ScanbridgeError('internal-error', `Document imaging failed: ${reply.message}`),
      died: (why) => new ScanbridgeError('internal-error', `The document imaging thread stopped (${why}); it is replaced on the next call, and the page is unchanged.`),
    });
  }

  detect(pixels: Pixels): Promise<DocumentCorners> {
    return this.run({ op: 'detect', pixels });
  }

  correct(pixels: Pixels, options: CorrectOptions): Promise<Corrected> {
    return this.run({ op: 'correct', pixels, options });
  }
}

/** The service's one pool, started on first use. */
export function sharedDocumentPool(): DocumentPool {
  return sharedPool('document', () => new DocumentPool());
}
