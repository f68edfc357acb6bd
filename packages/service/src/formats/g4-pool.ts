/**
 * CCITT G4 encoding of stored line-art pages on worker threads
 * (util/thread-pool.ts), at most two (or one per core when fewer): the
 * encoder is JavaScript, so on the event loop it held the service for the
 * whole of a multi-page save, one page after the other. A thread that dies
 * fails its page with `internal-error` and is replaced by the next task.
 */
import { availableParallelism } from 'node:os';
import { ScanbridgeError } from '@scanbridge/protocol';
import type { StoredImage } from '../buffer/types.js';
import { sharedPool, ThreadPool } from '../util/thread-pool.js';
import type { G4Result, G4Task } from './g4-protocol.js';
import { bilevelOf } from './page-pixels.js';

type Task = G4Task extends infer T ? (T extends G4Task ? Omit<T, 'id'> : never) : never;

export class G4Pool extends ThreadPool<Task, G4Result> {
  constructor(size = Math.min(2, availableParallelism())) {
    super({
      url: new URL('./g4-worker.js', import.meta.url),
      size,
      label: 'The G4 encoder',
      failed: (reply) => new ScanbridgeError('internal-error', `G4 encoding failed: ${reply.message}`),
      died: (why) => new ScanbridgeError('internal-error', `The G4 encoding thread stopped (${why}); it is replaced on the next call, and the page is unchanged.`),
    });
  }
}

export function sharedG4Pool(): G4Pool {
  return sharedPool('g4', () => new G4Pool());
}

/** A thread gets a copy of the whole memory behind a view: a page that is a small part of a larger buffer goes alone. */
const own = (bytes: Buffer): Uint8Array => (bytes.byteLength * 2 < bytes.buffer.byteLength ? Uint8Array.prototype.slice.call(bytes) : bytes);

export interface G4Page {
  width: number;
  height: number;
  /** The whole page as one G4 stream (ends with EOFB). */
  strip: Buffer;
}

/** A line-art page as one G4 stream: a 1-bit PNG decoded on the thread, anything else thresholded by sharp first. */
export async function g4OfPage(page: StoredImage): Promise<G4Page> {
  const pool = sharedG4Pool();
  let result = page.format === 'png' && page.bitDepth === 1 ? await pool.run({ png: own(page.bytes) }) : null;
  result ??= await pool.run({ bilevel: await bilevelOf(page) });
  if (!result) throw new Error('the G4 thread gave no page');
  const { width, height, strip } = result;
  return { width, height, strip: Buffer.from(strip.buffer, strip.byteOffset, strip.byteLength) };
}
