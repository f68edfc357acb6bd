/**
 * One least-recently-used cache of decoded page versions shared by every
 * session, so that the memory budget is a budget for the whole service and not
 * per tab. Pages are always on disk as well (write-through), so evicting is
 * free: it only costs a later read.
 */
import type { StoredImage } from './types.js';

export class MemoryCache {
  // A Map iterates in insertion order; re-inserting on access keeps the least
  // recently used entry first.
  readonly #entries = new Map<string, StoredImage>();
  #used = 0;

  constructor(readonly budgetBytes: number) {
    if (!Number.isFinite(budgetBytes) || budgetBytes < 0) throw new RangeError('memory budget must be a non-negative number of bytes');
  }

  get usedBytes(): number {
    return this.#used;
  }

  get size(): number {
    return this.#entries.size;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  get(key: string): StoredImage | undefined {
    const value = this.#entries.get(key);
    if (value) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  /** An image larger than the whole budget is not kept (it would evict everything for nothing). */
  set(key: string, value: StoredImage): void {
    this.delete(key);
    const size = value.bytes.length;
    if (size > this.budgetBytes) return;
    while (this.#used + size > this.budgetBytes) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
    this.#entries.set(key, ownBytes(value));
    this.#used += size;
  }

  delete(key: string): boolean {
    const value = this.#entries.get(key);
    if (!value) return false;
    this.#entries.delete(key);
    this.#used -= value.bytes.length;
    return true;
  }

  /** Drops every entry whose key starts with prefix (a closed session's pages); returns how many. */
  deletePrefix(prefix: string): number {
    let n = 0;
    for (const key of [...this.#entries.keys()]) {
      if (key.startsWith(prefix) && this.delete(key)) n++;
    }
    return n;
  }
}

/**
 * A Buffer that is a view into a larger allocation (a slice of a request
 * body, a pooled small buffer) keeps all of it alive; copying makes the bytes
 * counted against the budget the bytes actually held.
 */
function ownBytes(image: StoredImage): StoredImage {
  const { bytes } = image;
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length) return image;
  const own = Buffer.allocUnsafeSlow(bytes.length); // never from the shared pool
  bytes.copy(own);
  return { ...image, bytes: own };
}
