/**
 * Line-art pages encoded on worker threads (util/thread-pool.ts), at most
 * two (or one per core when fewer): packed rows to the stored 1-bit PNG on
 * load, and the stored PNG to CCITT G4 on a TIFF save. On the event loop
 * these held the service page after page (G4 is JavaScript, and a PNG's
 * rows are copied and inverted there); here two pages go at once, and the
 * large buffers of each page come and go on a thread whose heap holds
 * little else. A thread that dies fails its page with `internal-error` and
 * is replaced by the next task.
 *
 * A loaded page that deflates well is coded as G4 on its thread right
 * after its PNG is answered (bilevel-worker.ts): the load does not wait for
 * it, and the thread counts as busy meanwhile, so the next page goes to the
 * other one. The stream is kept beside the page's PNG bytes (weakly, at
 * most AHEAD_BYTES of streams) for a save that follows: measured on 100 A4
 * text pages, the save of a G4 TIFF went from about 1 s to 0.15 s.
 */
import { availableParallelism } from 'node:os';
import type { TransferListItem } from 'node:worker_threads';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { StoredImage } from '../buffer/types.js';
import { sharedPool, ThreadPool } from '../util/thread-pool.js';
import type { Bilevel } from './bilevel.js';
import type { BilevelResult, BilevelTask, G4Later, G4Result, PngAhead } from './bilevel-protocol.js';
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
      onMessage: (_thread, message) => {
        if (typeof message !== 'object' || message === null || !('pngAhead' in message)) return false;
        const { pngAhead, png } = message as PngAhead;
        pngsAhead.get(pngAhead)?.(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
        pngsAhead.delete(pngAhead);
        return true;
      },
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

/** G4 streams of stored PNGs, by the very bytes the buffer keeps; at most this many bytes of them. */
const AHEAD_BYTES = 16 * 1024 * 1024;

/**
 * G4 streams coded ahead (bilevel-worker.ts). A stream is found by its
 * page's PNG bytes, held weakly: a page gone from the buffer's memory (or
 * edited: new bytes) takes its stream with it, and a page read back from
 * the disk cache (other bytes) is coded again.
 */
class CodedAhead {
  readonly #byPng = new WeakMap<Buffer, G4Page>();
  readonly #kept: Array<{ png: WeakRef<Buffer>; size: number }> = [];
  #keptBytes = 0;

  get(png: Buffer): G4Page | undefined {
    return this.#byPng.get(png);
  }

  keep(png: Buffer, page: G4Page): void {
    this.#byPng.set(png, page);
    this.#kept.push({ png: new WeakRef(png), size: page.strip.length });
    this.#keptBytes += page.strip.length;
    while (this.#keptBytes > AHEAD_BYTES) {
      const oldest = this.#kept.shift()!;
      this.#keptBytes -= oldest.size;
      const bytes = oldest.png.deref();
      if (bytes) this.#byPng.delete(bytes);
    }
  }
}

const codedAhead = new CodedAhead();

/** Png tasks with a ticket whose PNG has not come yet: what receives it. */
const pngsAhead = new Map<number, (png: Buffer) => void>();
let nextTicket = 1;
/** Coding ahead still running (for tests: codingAhead). */
const running = new Set<Promise<unknown>>();

/** The G4 stream coded ahead for a stored PNG, if there is one. */
export function codedAheadOf(png: Buffer): G4Page | undefined {
  return codedAhead.get(png);
}

/** Settles once the coding ahead started so far has ended. */
export async function codingAhead(): Promise<void> {
  await Promise.allSettled([...running]);
}

/** A line-art page as one G4 stream: coded ahead, or a 1-bit PNG decoded on the thread, or anything else thresholded by sharp first. */
export async function g4OfPage(page: StoredImage): Promise<G4Page> {
  const ahead = codedAhead.get(page.bytes);
  if (ahead && ahead.width === page.width && ahead.height === page.height) return ahead;
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
 * `ahead`: have the thread code the page as G4 too when it deflates well
 * (a page that is likely to be saved, as a loaded one is).
 */
export async function bilevelPng(b: Bilevel, xdpi: number, ydpi: number, ahead = false): Promise<Buffer> {
  const pool = sharedBilevelPool();
  if (!ahead) {
    const result = (await pool.run({ op: 'png', bilevel: b, xdpi, ydpi }, undefined, handOver(b))) as { png: Uint8Array };
    return Buffer.from(result.png.buffer, result.png.byteOffset, result.png.byteLength);
  }
  const ticket = nextTicket++;
  const png = new Promise<Buffer>((resolve) => pngsAhead.set(ticket, resolve));
  // The task ends with the G4 stream, after the PNG: a failure before the PNG fails the load
  // (the race below); one after it (the thread died) only leaves the page to be coded when saved.
  const done = pool.run({ op: 'png', bilevel: b, xdpi, ydpi, ticket }, undefined, handOver(b)) as Promise<G4Later>;
  const kept = done.then(
    async ({ g4 }) => {
      if (g4) codedAhead.keep(await png, { width: g4.width, height: g4.height, strip: Buffer.from(g4.strip.buffer, g4.strip.byteOffset, g4.strip.byteLength) });
    },
    () => pngsAhead.delete(ticket),
  );
  running.add(kept);
  void kept.finally(() => running.delete(kept));
  return Promise.race([png, done.then(() => png)]);
}
