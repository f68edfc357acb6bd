/**
 * Line-art pages encoded on worker threads (util/thread-pool.ts), at most
 * two (or one per core when fewer): packed rows to the stored 1-bit PNG on
 * load, and the stored PNG to CCITT G4 on a TIFF save. On the event loop
 * these held the service page after page (G4 is JavaScript, and a PNG's
 * rows are copied and inverted there); here two pages go at once, and the
 * large buffers of each page come and go on a thread whose heap holds
 * little else. A thread that dies fails its page with `internal-error` and
 * is replaced by the next task.
 */
import { availableParallelism } from 'node:os';
import type { TransferListItem } from 'node:worker_threads';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { StoredImage } from '../buffer/types.js';
import { sharedPool, ThreadPool } from '../util/thread-pool.js';
import type { Bilevel } from './bilevel.js';
import type { BilevelResult, BilevelTask, G4Result } from './bilevel-protocol.js';
import { bilevelOf } from './page-pixels.js';

type Task = BilevelTask extends infer T ? (T extends BilevelTask ? Omit<T, 'id'> : never) : never;

export class BilevelPool extends ThreadPool<Task, BilevelResult> {
  constructor(size = Math.min(2, availableParallelism())) {
    super({
      url: new URL('./bilevel-worker.js', import.meta.url),
      size,
      label: 'Line-art encoding',
      failed: (reply) => new ScanbridgeError('internal-error', `Line-art encoding failed: ${reply.message}`),
      died: (why) => new ScanbridgeError('internal-error', `The line-art encoding thread stopped (${why}); it is replaced on the next call, and the page is unchanged.`),
    });
  }
}

export function sharedBilevelPool(): BilevelPool {
  return sharedPool('bilevel', () => new BilevelPool());
}

/** A thread gets a copy of the whole memory behind a view: a page that is a small part of a larger buffer goes alone. */
const own = (bytes: Buffer): Uint8Array => (bytes.byteLength * 2 < bytes.buffer.byteLength ? Uint8Array.prototype.slice.call(bytes) : bytes);

/** The memory of rows that are the whole of their ArrayBuffer, to hand over instead of copying. */
const handOver = (b: Bilevel): TransferListItem[] => (b.data.byteOffset === 0 && b.data.byteLength === b.data.buffer.byteLength ? [b.data.buffer as ArrayBuffer] : []);

export interface G4Page {
  width: number;
  height: number;
  /** The whole page as one G4 stream (ends with EOFB). */
  strip: Buffer;
}

/** A line-art page as one G4 stream: a 1-bit PNG decoded on the thread, anything else thresholded by sharp first. */
export async function g4OfPage(page: StoredImage): Promise<G4Page> {
  const pool = sharedBilevelPool();
  let result = page.format === 'png' && page.bitDepth === 1 ? ((await pool.run({ op: 'g4', png: own(page.bytes) })) as G4Result) : null;
  if (!result) {
    const b = await bilevelOf(page);
    result = (await pool.run({ op: 'g4', bilevel: b }, undefined, handOver(b))) as G4Result;
  }
  if (!result) throw new Error('the line-art thread gave no page');
  const { width, height, strip } = result;
  return { width, height, strip: Buffer.from(strip.buffer, strip.byteOffset, strip.byteLength) };
}

/**
 * Packed rows as the stored 1-bit PNG (bilevel.ts encodeBilevelPng, the same
 * bytes). The rows are handed to the thread: the caller must not use them after.
 */
export async function bilevelPng(b: Bilevel, xdpi: number, ydpi: number): Promise<Buffer> {
  const result = (await sharedBilevelPool().run({ op: 'png', bilevel: b, xdpi, ydpi }, undefined, handOver(b))) as { png: Uint8Array };
  return Buffer.from(result.png.buffer, result.png.byteOffset, result.png.byteLength);
}
