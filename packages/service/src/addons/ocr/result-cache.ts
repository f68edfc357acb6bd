/**
 * Recognised pages kept per page version and options, so an unchanged page
 * is not read again (by Recognize, or a searchable save after it). Bounded
 * for the whole service by words held, not by pages (a dense page holds a
 * hundred times what a label does), least recently used first out; a page
 * removed or edited (a new version) is forgotten at once, since no call can
 * ask for it again.
 */
import type { OcrPage } from '@scanbridge/protocol';
import type { ImageBuffer } from '../../buffer/image-buffer.js';

/** About 150 bytes each as objects: some 15 MB of results at most. */
export const MAX_CACHED_WORDS = 100_000;

interface Entry {
  version: number;
  /** By options key. */
  results: Map<string, OcrPage>;
  words: number;
}

const wordsOf = (p: OcrPage): number => p.blocks.reduce((n, b) => n + b.lines.reduce((m, l) => m + l.words.length, 0), 0) + 1;

function versionOf(buffer: ImageBuffer, id: string): number | undefined {
  try {
    return buffer.info(id).version;
  } catch {
    return undefined;
  }
}

export class OcrResultCache {
  /** By buffer then page id, in one order of use for the whole service (a Map keeps insertion order). */
  readonly #entries = new Map<string, Entry>();
  readonly #watched = new WeakSet<ImageBuffer>();
  #words = 0;

  constructor(readonly maxWords = MAX_CACHED_WORDS) {}

  get words(): number {
    return this.#words;
  }

  get pages(): number {
    return this.#entries.size;
  }

  get(buffer: ImageBuffer, id: string, version: number, options: string): OcrPage | undefined {
    const key = this.#key(buffer, id);
    const entry = this.#entries.get(key);
    const hit = entry?.version === version ? entry.results.get(options) : undefined;
    if (hit) {
      this.#entries.delete(key);
      this.#entries.set(key, entry!);
    }
    return hit;
  }

  set(buffer: ImageBuffer, id: string, version: number, options: string, page: OcrPage): void {
    this.#watch(buffer);
    const key = this.#key(buffer, id);
    let entry = this.#entries.get(key);
    if (entry && entry.version !== version) {
      this.#drop(key);
      entry = undefined;
    }
    entry ??= { version, results: new Map(), words: 0 };
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    const old = entry.results.get(options);
    const added = wordsOf(page) - (old ? wordsOf(old) : 0);
    entry.results.set(options, page);
    entry.words += added;
    this.#words += added;
    for (const oldest of this.#entries.keys()) {
      if (this.#words <= this.maxWords || oldest === key) break;
      this.#drop(oldest);
    }
  }

  #key(buffer: ImageBuffer, id: string): string {
    return `${buffer.sessionId}\u0000${id}`;
  }

  #drop(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#words -= entry.words;
    this.#entries.delete(key);
  }

  /** Forgets pages as the buffer removes or edits them. */
  #watch(buffer: ImageBuffer): void {
    if (this.#watched.has(buffer)) return;
    this.#watched.add(buffer);
    buffer.on('change', (event) => {
      if (event.action !== 'remove' && event.action !== 'modify') return;
      for (const id of event.ids) {
        const key = this.#key(buffer, id);
        const entry = this.#entries.get(key);
        if (!entry) continue;
        // A modify may be tags or selection (same version): the results still hold.
        if (event.action === 'remove' || versionOf(buffer, id) !== entry.version) this.#drop(key);
      }
    });
  }
}
