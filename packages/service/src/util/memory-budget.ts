/**
 * One memory budget for decoding, rasterizing and encoding pages (the
 * ImageMemoryMB setting): each such step claims the bytes it will hold at
 * once before it starts, and waits while the claims of others leave too
 * little, so parallel requests queue instead of stacking their peaks. Claims
 * are served in arrival order, so a large one is not starved by small ones;
 * one larger than the whole budget waits until nothing else runs, then runs
 * alone. Steps that work in strips or bands claim a strip's worth, not the
 * page's. A step run inside another's claim (a single-page TIFF encoded for a
 * ZIP) is covered by it and claims nothing more: waiting on itself would
 * never end. When the budget falls idle after a large peak, freed memory is
 * given back to the system.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { trimMemory } from './trim-memory.js';

/** Claimed bytes since the last trim past which an idle budget trims. */
const TRIM_AFTER_BYTES = 32 * 1024 * 1024;

interface Waiter {
  bytes: number;
  start: () => void;
}

export class MemoryBudget {
  #limit: number;
  #used = 0;
  #running = 0;
  #since = 0;
  readonly #queue: Waiter[] = [];
  readonly #holding = new AsyncLocalStorage<true>();

  constructor(limitBytes: number) {
    this.#limit = limitBytes;
  }

  get limit(): number {
    return this.#limit;
  }

  set limit(bytes: number) {
    this.#limit = bytes;
    this.#next();
  }

  /** Bytes claimed by running steps. */
  get used(): number {
    return this.#used;
  }

  /** Steps waiting for their claim. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Runs `work` once `bytes` fit in the budget; the claim ends when it settles. */
  async run<T>(bytes: number, work: () => Promise<T>): Promise<T> {
    if (this.#holding.getStore()) return work();
    const claim = Math.min(Math.max(0, Math.ceil(bytes)), this.#limit);
    await new Promise<void>((start) => {
      this.#queue.push({ bytes: claim, start });
      this.#next();
    });
    try {
      return await this.#holding.run(true, work);
    } finally {
      this.#used -= claim;
      this.#running--;
      this.#next();
      // Before answering, so that a caller sees the memory returned once its step is done.
      if (this.#running === 0 && this.#since >= TRIM_AFTER_BYTES) {
        this.#since = 0;
        await trimMemory().catch(() => undefined);
      }
    }
  }

  #next(): void {
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!;
      if (this.#running > 0 && this.#used + head.bytes > this.#limit) return;
      this.#queue.shift();
      this.#used += head.bytes;
      this.#since += head.bytes;
      this.#running++;
      head.start();
    }
  }
}

/** The service's budget; the service sets its limit from ImageMemoryMB at start. */
export const imageMemory = new MemoryBudget(256 * 1024 * 1024);

/** Decoded size of a page: samples per pixel times bytes per sample. */
export function pixelBytes(page: { width: number; height: number; mode: string; bitDepth: number }): number {
  return page.width * page.height * (page.mode === 'color' ? 3 : 1) * (page.bitDepth === 16 ? 2 : 1);
}

/** What a step streaming in strips holds: a few hundred rows, or the whole image when smaller. */
export function stripBytes(width: number, height: number, bytesPerPixel: number): number {
  return width * Math.min(height, 512) * bytesPerPixel;
}
