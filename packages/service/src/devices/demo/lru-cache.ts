/**
 * A small least-recently-used cache of promises, bounded by entry count and
 * by a byte estimate, so that concurrent scans share one rendering and page
 * templates at 600 dpi cannot pile up in memory. The newest entry is always
 * kept, even when it alone exceeds the byte budget.
 */
export class LruCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; bytes: number }>();
  private bytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  /** The cached value for key, or the one `create` makes (and caches unless it fails). */
  get(key: string, bytes: number, create: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value;
    }
    const value = create();
    const entry = { value, bytes };
    this.entries.set(key, entry);
    this.bytes += bytes;
    value.catch(() => {
      if (this.entries.get(key) === entry) this.remove(key);
    });
    for (const oldest of this.entries.keys()) {
      if (oldest === key || (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes)) break;
      this.remove(oldest);
    }
    return value;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}
