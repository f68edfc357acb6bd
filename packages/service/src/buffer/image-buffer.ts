/**
 * One session's image buffer. Every change follows the same order so that a
 * crash or a disk error at any point leaves either the old buffer or the new
 * one, never a mix:
 *
 *   validate every ref -> write the new page file -> append the journal op ->
 *   apply the op in memory -> emit the event -> delete files no longer used.
 *
 * Changes run one at a time (a promise queue) so that journal order is change
 * order. Reads are synchronous against the current state.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { COLOR_MODES, ScanbridgeError } from '@scanbridge/protocol/core';
import type { BufferEvent, ColorMode, DocumentCode, DocumentInfo, PageInfo, PageRef } from '@scanbridge/protocol';
import { BufferState, type DocRecord, type JournalOp, type PageMeta, type PageRecord, unique } from './buffer-state.js';
import type { Journal } from './journal.js';
import type { MemoryCache } from './memory-cache.js';
import { PageFiles } from './page-files.js';
import { type BufferIO, type BufferLog, noLog, nodeIO, short } from './storage.js';
import type { PendingImage, StoredImage } from './types.js';

export type TagMode = 'set' | 'add' | 'remove';

export interface ImageBufferOptions {
  sessionId: string;
  /** The session folder. */
  dir: string;
  key: Buffer;
  cache: MemoryCache;
  journal: Journal;
  /** Recovered state; a new buffer starts empty. */
  state?: BufferState;
  io?: BufferIO;
  log?: BufferLog;
}

export interface AddAllOptions {
  index?: number | undefined;
  tags?: string[] | undefined;
  /** Aborting it stops the load before its next page; nothing is added. */
  signal?: AbortSignal | undefined;
  /** Called after each page file is written, with the number written so far. */
  onPage?: ((written: number) => void) | undefined;
}

export class ImageBuffer extends EventEmitter<{ change: [BufferEvent] }> {
  readonly sessionId: string;
  readonly #state: BufferState;
  readonly #journal: Journal;
  readonly #files: PageFiles;
  readonly #cache: MemoryCache;
  readonly #log: BufferLog;
  #tail: Promise<void> = Promise.resolve();
  #pending = 0;
  #closed: ScanbridgeError | undefined;

  constructor(opts: ImageBufferOptions) {
    super();
    this.sessionId = opts.sessionId;
    this.#state = opts.state ?? new BufferState();
    this.#journal = opts.journal;
    this.#cache = opts.cache;
    this.#log = opts.log ?? noLog;
    this.#files = new PageFiles(opts.dir, opts.sessionId, opts.key, opts.io ?? nodeIO, this.#log);
  }

  /** True while a change is running or queued (the session is not idle then). */
  get busy(): boolean {
    return this.#pending > 0;
  }

  // ---- reads ----

  count(): number {
    return this.#state.count;
  }

  list(refs?: PageRef[]): PageInfo[] {
    if (!refs) return this.#state.order.map((id, index) => this.#pageInfo(id, index));
    const ids = refs.map((ref) => this.resolve(ref));
    return ids.map((id) => this.#pageInfo(id));
  }

  info(ref: PageRef): PageInfo {
    return this.#pageInfo(this.resolve(ref));
  }

  /** A number is a current index, a string a page id; answers the page id. */
  resolve(ref: PageRef): string {
    const count = this.#state.count;
    if (typeof ref === 'number') {
      if (Number.isInteger(ref) && ref >= 0 && ref < count) return this.#state.order[ref]!;
      const range = count === 0 ? 'the buffer is empty' : `the buffer has ${count} page${count === 1 ? '' : 's'} (indices 0 to ${count - 1})`;
      throw new ScanbridgeError('page-not-found', `No page at index ${ref}: ${range}.`, { index: ref, count });
    }
    if (typeof ref === 'string') {
      if (this.#state.pages.has(ref)) return ref;
      throw this.#notFound(ref);
    }
    throw new ScanbridgeError('invalid-params', 'A page reference must be an index (number) or a page id (string).');
  }

  /** Ids of the selected pages, in buffer order. */
  selected(): string[] {
    return this.#state.order.filter((id) => this.#state.selected.has(id));
  }

  findByTag(tag: string): string[] {
    return this.#state.order.filter((id) => this.#state.pages.get(id)!.tags.includes(tag));
  }

  /** The documents, ordered by their first page; each lists its pages in buffer order. */
  documents(): DocumentInfo[] {
    const docs = [...this.#state.documents.values()].map((d) => this.#documentInfo(d));
    const first = (d: DocumentInfo) => this.#state.indexOf(d.pageIds[0]!);
    return docs.sort((a, b) => first(a) - first(b));
  }

  /** One document, or document-not-found naming the documents there are. */
  document(id: string): DocumentInfo {
    const doc = typeof id === 'string' ? this.#state.documents.get(id) : undefined;
    if (doc) return this.#documentInfo(doc);
    const n = this.#state.documents.size;
    const shown = String(id).slice(0, 64);
    throw new ScanbridgeError('document-not-found', `No document with id "${shown}" in this buffer: it has ${n === 0 ? 'no documents (split the pages with SplitDocuments or the split scan setting)' : `${n} document${n === 1 ? '' : 's'} (ids from GetDocuments)`}.`, { id: shown, documents: n });
  }

  /** The stored image; shares its bytes with the cache, so treat them as read-only. */
  async getImage(ref: PageRef): Promise<StoredImage> {
    const read = await this.#read(ref);
    if (!read.from) return read.image;
    let { image } = read;
    if (read.slot) {
      // Copied out of the slot: this caller may keep the bytes.
      const bytes = Buffer.allocUnsafeSlow(image.bytes.length);
      image.bytes.copy(bytes);
      read.release();
      image = { ...image, bytes };
    }
    // Kept hot, as a page just used.
    if (this.#state.pages.get(read.from.id)?.version === read.from.version) this.#cache.set(this.#cacheKey(read.from.id, read.from.version), image);
    return { ...image };
  }

  /**
   * The stored image for a caller that is done with its bytes at a known
   * moment (a page streamed into a save or an upload, a thumbnail): a page in
   * memory is shared as getImage shares it; a page read back from the disk
   * cache comes in a reused buffer (page-reader.ts) that is not kept in
   * memory, and whose bytes change once `release` is called. Errors as getImage.
   */
  async leaseImage(ref: PageRef): Promise<{ image: StoredImage; release(): void }> {
    const { image, release } = await this.#read(ref);
    return { image, release };
  }

  /** `from`: the page version read from the disk cache (else it was in memory); `slot`: into a reused slot. */
  async #read(ref: PageRef): Promise<{ image: StoredImage; release(): void; from?: { id: string; version: number }; slot?: boolean }> {
    this.#assertOpen();
    const id = this.resolve(ref);
    // A replace may delete the version being read; then read the new one.
    for (let attempt = 0; ; attempt++) {
      const page = this.#state.pages.get(id);
      if (!page) throw this.#notFound(id);
      const hit = this.#cache.get(this.#cacheKey(id, page.version));
      if (hit) return { image: { ...hit }, release: () => undefined };
      try {
        const { bytes, release, owned } = await this.#files.lease(id, page.version, page.meta.byteSize);
        return { image: toImage(page.meta, bytes), release, from: { id, version: page.version }, slot: !owned };
      } catch (err) {
        this.#assertOpen();
        const now = this.#state.pages.get(id);
        if (now && now.version !== page.version && attempt < 3) continue;
        throw now ? err : this.#notFound(id);
      }
    }
  }

  // ---- changes ----

  /** Adds at `index` (default: the end). `index` may equal the count (append); beyond is an error. */
  add(image: StoredImage, opts: { index?: number; tags?: string[] } = {}): Promise<PageInfo> {
    return this.#run(async () => {
      const meta = checkImage(image);
      const tags = checkTags(opts.tags ?? []);
      const count = this.#state.count;
      const index = opts.index ?? count;
      if (!Number.isInteger(index) || index < 0 || index > count) {
        throw new ScanbridgeError('invalid-params', `Cannot add at index ${index}: the buffer has ${count} page${count === 1 ? '' : 's'}, so the index must be between 0 and ${count}.`, { index, count });
      }
      const id = this.#newId();
      await this.#files.write(id, 1, image.bytes);
      await this.#commit({ op: 'add', id, version: 1, index, meta, tags }, [{ id, version: 1 }]);
      this.#cache.set(this.#cacheKey(id, 1), toImage(meta, image.bytes));
      this.#emit({ action: 'add', ids: [id], index, count: this.#state.count });
      return this.#pageInfo(id, index);
    });
  }

  /**
   * Adds every page `images` yields as one change (a file load): all of them
   * become visible at once, with one event and one journal op, or none does.
   * Page files are written as the pages come, outside the change queue so
   * that other changes go on during a long load; nothing names them until the
   * op is appended. A page that fails, an abort or a closed buffer deletes the
   * files written so far; after a crash, recovery deletes them (no op names
   * them). Pages go to `index` (default: the end), or to the end when pages
   * removed meanwhile left fewer than `index`. A page still being checked
   * (its `whole`) is written meanwhile and counts once the check resolves;
   * a check that fails fails the load like any other failing page.
   */
  async addAll(images: AsyncIterable<PendingImage>, opts: AddAllOptions = {}): Promise<PageInfo[]> {
    this.#assertOpen();
    const tags = checkTags(opts.tags ?? []);
    const count = this.#state.count;
    if (opts.index !== undefined && (!Number.isInteger(opts.index) || opts.index < 0 || opts.index > count)) {
      throw new ScanbridgeError('invalid-params', `Cannot add at index ${opts.index}: the buffer has ${count} page${count === 1 ? '' : 's'}, so the index must be between 0 and ${count}.`, { index: opts.index, count });
    }
    this.#pending++;
    const written: PageRecord[] = [];
    const ids = new Set<string>();
    let committed = false;
    try {
      for await (const image of images) {
        opts.signal?.throwIfAborted();
        this.#assertOpen();
        const meta = checkImage(image);
        let id = this.#newId();
        while (ids.has(id)) id = this.#newId();
        ids.add(id);
        // Named before it is written: a page whose check fails after its file was written is deleted with the rest.
        written.push({ id, version: 1, meta, tags });
        // Settled both, so that no write goes on after a failed check has deleted the files.
        const [stored, whole] = await Promise.allSettled([this.#files.write(id, 1, image.bytes), image.whole]);
        if (whole.status === 'rejected') throw whole.reason;
        if (stored.status === 'rejected') throw stored.reason;
        // Kept hot like a page from add(): a save or thumbnails right after a load need not read
        // every page back from the disk cache and decrypt it. No page names the entry until the
        // op is appended; a failed load deletes it with the files.
        this.#cache.set(this.#cacheKey(id, 1), toImage(meta, image.bytes));
        opts.onPage?.(written.length);
      }
      opts.signal?.throwIfAborted();
      return await this.#run(async () => {
        if (written.length === 0) return [];
        const index = Math.min(opts.index ?? this.#state.count, this.#state.count);
        await this.#commit({ op: 'addAll', index, pages: written }, written);
        committed = true;
        this.#emit({ action: 'add', ids: [...ids], index, count: this.#state.count });
        return written.map((p, i) => this.#pageInfo(p.id, index + i));
      });
    } catch (err) {
      if (!committed) {
        for (const f of written) {
          this.#cache.delete(this.#cacheKey(f.id, f.version));
          await this.#files.delete(f.id, f.version, true);
        }
      }
      throw err;
    } finally {
      this.#pending--;
    }
  }

  /** Stores a new version of a page (an edit); the old version's file is deleted. */
  replace(ref: PageRef, image: StoredImage): Promise<PageInfo> {
    return this.#run(async () => {
      const id = this.resolve(ref);
      const meta = checkImage(image);
      const old = this.#state.pages.get(id)!;
      const version = old.version + 1;
      await this.#files.write(id, version, image.bytes);
      await this.#commit({ op: 'replace', id, version, meta }, [{ id, version }]);
      this.#cache.delete(this.#cacheKey(id, old.version));
      this.#cache.set(this.#cacheKey(id, version), toImage(meta, image.bytes));
      this.#emit({ action: 'modify', ids: [id], count: this.#state.count });
      await this.#files.delete(id, old.version);
      return this.#pageInfo(id);
    });
  }

  /** Removes the pages (duplicates are fine); answers the new count. */
  remove(refs: PageRef[]): Promise<number> {
    return this.#run(async () => {
      const ids = unique(refs.map((ref) => this.resolve(ref)));
      await this.#removeIds(ids);
      return this.#state.count;
    });
  }

  removeSelected(): Promise<number> {
    return this.#run(async () => {
      await this.#removeIds(this.selected());
      return this.#state.count;
    });
  }

  clear(): Promise<void> {
    return this.#run(async () => {
      if (this.#state.count === 0) return;
      const gone = this.#state.records();
      const docs = [...this.#state.documents.keys()];
      await this.#commit({ op: 'clear' });
      this.#forget(gone);
      this.#emit({ action: 'remove', ids: gone.map((p) => p.id), count: 0 });
      if (docs.length > 0) this.#emit({ action: 'documents', ids: docs, count: 0 });
      await this.#files.deleteAll(gone);
    });
  }

  /** Moves a page to index `to` (an index of the resulting order); answers the new order. */
  move(ref: PageRef, to: number): Promise<string[]> {
    return this.#run(async () => {
      const id = this.resolve(ref);
      const count = this.#state.count;
      if (!Number.isInteger(to) || to < 0 || to >= count) {
        throw new ScanbridgeError('invalid-params', `Cannot move to index ${to}: the buffer has ${count} page${count === 1 ? '' : 's'} (indices 0 to ${count - 1}).`, { to, count });
      }
      if (this.#state.indexOf(id) !== to) {
        await this.#commit({ op: 'move', id, to });
        this.#emit({ action: 'move', ids: [id], order: [...this.#state.order], count });
      }
      return [...this.#state.order];
    });
  }

  swap(a: PageRef, b: PageRef): Promise<string[]> {
    return this.#run(async () => {
      const idA = this.resolve(a);
      const idB = this.resolve(b);
      if (idA !== idB) {
        await this.#commit({ op: 'swap', a: idA, b: idB });
        this.#emit({ action: 'move', ids: [idA, idB], order: [...this.#state.order], count: this.#state.count });
      }
      return [...this.#state.order];
    });
  }

  /**
   * Makes exactly these pages the selection. The protocol has no selection
   * event; `selected` is part of PageInfo, so pages whose flag flipped are
   * reported as modified.
   */
  select(refs: PageRef[]): Promise<string[]> {
    return this.#run(async () => {
      const ids = new Set(refs.map((ref) => this.resolve(ref)));
      const flipped = this.#state.order.filter((id) => ids.has(id) !== this.#state.selected.has(id));
      if (flipped.length > 0) {
        await this.#commit({ op: 'select', ids: [...ids] });
        this.#emit({ action: 'modify', ids: flipped, count: this.#state.count });
      }
      return this.selected();
    });
  }

  /** Answers the info of every named page (once each, in the order named). */
  setTags(refs: PageRef[], tags: string[], mode: TagMode): Promise<PageInfo[]> {
    return this.#run(async () => {
      const ids = unique(refs.map((ref) => this.resolve(ref)));
      const given = checkTags(tags);
      if (mode !== 'set' && mode !== 'add' && mode !== 'remove') {
        throw new ScanbridgeError('invalid-params', `Tag mode must be "set", "add" or "remove", not "${String(mode)}".`);
      }
      const changed: { id: string; tags: string[] }[] = [];
      for (const id of ids) {
        const now = this.#state.pages.get(id)!.tags;
        const next = mode === 'set' ? given : mode === 'add' ? unique([...now, ...given]) : now.filter((t) => !given.includes(t));
        if (next.length !== now.length || next.some((t, i) => t !== now[i])) changed.push({ id, tags: next });
      }
      if (changed.length > 0) {
        await this.#commit({ op: 'tags', pages: changed });
        this.#emit({ action: 'modify', ids: changed.map((c) => c.id), count: this.#state.count });
      }
      return ids.map((id) => this.#pageInfo(id));
    });
  }

  /**
   * A split, as one change: the `drop` pages are removed (separator sheets),
   * then the pages of `split` leave their documents and `docs` become
   * documents. Answers the new documents. Pages gone meanwhile are left out;
   * a code keeps naming its document when its page (a dropped separator) is gone.
   */
  splitDocuments(split: string[], docs: { pageIds: string[]; barcode: DocumentCode | null }[], drop: string[] = []): Promise<DocumentInfo[]> {
    return this.#run(async () => {
      const there = (ids: string[]) => ids.filter((id) => this.#state.pages.has(id));
      await this.#removeIds(there(unique(drop)));
      const before = new Set(this.#state.documentsOf(split));
      const add: DocRecord[] = [];
      for (const d of docs) {
        const pageIds = there(d.pageIds);
        if (pageIds.length > 0) add.push({ id: this.#newDocId(), pageIds, barcode: d.barcode });
      }
      await this.#commit({ op: 'docs', leave: there(split), add });
      const changed = [...before, ...add.map((d) => d.id)];
      if (changed.length > 0) this.#emit({ action: 'documents', ids: changed, count: this.#state.count });
      return add.filter((d) => this.#state.documents.has(d.id)).map((d) => this.#documentInfo(this.#state.documents.get(d.id)!));
    });
  }

  /**
   * Pages join a document (a scan splitting as its pages arrive): `docId`, or
   * a new document named by `barcode` when `docId` is undefined or gone.
   * Answers the document's id.
   */
  joinDocument(docId: string | undefined, pageIds: string[], barcode: DocumentCode | null): Promise<string> {
    return this.#run(async () => {
      const ids = unique(pageIds).filter((id) => this.#state.pages.has(id));
      const existing = docId !== undefined && this.#state.documents.has(docId) ? docId : undefined;
      const id = existing ?? this.#newDocId();
      if (ids.length === 0) return id;
      const shrunk = this.#state.documentsOf(ids).filter((d) => d !== id);
      await this.#commit({ op: 'docJoin', doc: { id, pageIds: ids, barcode: existing ? null : barcode } });
      this.#emit({ action: 'documents', ids: [id, ...shrunk], count: this.#state.count });
      return id;
    });
  }

  /**
   * Refuses further changes (with `reason`) and waits for the running ones.
   * Used by the session manager when a session closes or the service stops.
   */
  async close(reason: ScanbridgeError): Promise<void> {
    this.#closed ??= reason;
    await this.#tail;
    this.#cache.deletePrefix(`${this.sessionId}/`);
  }

  // ---- internals ----

  #run<T>(change: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(this.#closed);
    this.#pending++;
    // A change requested before close() still runs: close() waits for it.
    const result = this.#tail.then(change);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result.finally(() => {
      this.#pending--;
    });
  }

  /**
   * Journal first, memory second: when the append fails, nothing changed and
   * the new page files (if any) are removed again.
   */
  async #commit(op: JournalOp, newFiles: { id: string; version: number }[] = []): Promise<void> {
    try {
      if (this.#journal.dirty) await this.#journal.compact(this.#state);
      await this.#journal.append(op);
    } catch (err) {
      for (const f of newFiles) await this.#files.delete(f.id, f.version, true);
      throw err;
    }
    this.#state.apply(op);
    if (this.#journal.needsCompaction) {
      await this.#journal.compact(this.#state).catch((err: unknown) => this.#log('warn', 'could not compact a journal; will retry', { session: short(this.sessionId), error: String(err) }));
    }
  }

  async #removeIds(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const gone = ids.map((id) => this.#state.pages.get(id)!);
    const docs = this.#state.documentsOf(ids);
    await this.#commit({ op: 'remove', ids });
    this.#forget(gone);
    this.#emit({ action: 'remove', ids, count: this.#state.count });
    if (docs.length > 0) this.#emit({ action: 'documents', ids: docs, count: this.#state.count });
    await this.#files.deleteAll(gone);
  }

  #forget(pages: PageRecord[]): void {
    for (const p of pages) this.#cache.delete(this.#cacheKey(p.id, p.version));
  }

  #emit(event: BufferEvent): void {
    try {
      this.emit('change', event);
    } catch (err) {
      // The change is committed; a faulty listener must not make it look failed.
      this.#log('error', 'a buffer change listener threw', { session: short(this.sessionId), error: String(err) });
    }
  }

  #notFound(id: string): ScanbridgeError {
    const shown = id.slice(0, 64);
    return new ScanbridgeError('page-not-found', `No page with id "${shown}" in this buffer.`, { id: shown });
  }

  #assertOpen(): void {
    if (this.#closed) throw this.#closed;
  }

  #newId(): string {
    // 96 random bits: unguessable, so a page id alone grants nothing, and unique without coordination.
    for (;;) {
      const id = randomBytes(12).toString('base64url');
      if (!this.#state.pages.has(id)) return id;
    }
  }

  #newDocId(): string {
    for (;;) {
      const id = `d${randomBytes(9).toString('base64url')}`;
      if (!this.#state.documents.has(id)) return id;
    }
  }

  #documentInfo(d: DocRecord): DocumentInfo {
    const pageIds = [...d.pageIds].sort((a, b) => this.#state.indexOf(a) - this.#state.indexOf(b));
    return { id: d.id, pageIds, barcode: d.barcode ? { format: d.barcode.format as DocumentCode['format'], text: d.barcode.text, pageId: d.barcode.pageId } : null };
  }

  #cacheKey(id: string, version: number): string {
    return `${this.sessionId}/${id}.${version}`;
  }

  #pageInfo(id: string, index = this.#state.indexOf(id)): PageInfo {
    const p = this.#state.pages.get(id)!;
    const m = p.meta;
    return {
      id,
      index,
      width: m.width,
      height: m.height,
      xdpi: m.xdpi,
      ydpi: m.ydpi,
      mode: m.mode,
      bitDepth: m.bitDepth,
      byteSize: m.byteSize,
      format: m.format,
      version: p.version,
      tags: [...p.tags],
      selected: this.#state.selected.has(id),
    };
  }
}

function toImage(meta: PageMeta, bytes: Buffer): StoredImage {
  const { byteSize: _size, ...rest } = meta;
  return { ...rest, bytes };
}

function checkImage(image: StoredImage): PageMeta {
  const problem = imageProblem(image);
  if (problem) throw new ScanbridgeError('invalid-image', `Cannot store the image: ${problem}.`);
  return {
    format: image.format,
    width: image.width,
    height: image.height,
    xdpi: image.xdpi,
    ydpi: image.ydpi,
    mode: image.mode,
    bitDepth: image.bitDepth,
    byteSize: image.bytes.length,
  };
}

function imageProblem(image: StoredImage): string | undefined {
  if (typeof image !== 'object' || image === null) return 'no image given';
  if (image.format !== 'png' && image.format !== 'jpeg') return `format must be png or jpeg, not ${String(image.format)}`;
  if (!Buffer.isBuffer(image.bytes) || image.bytes.length === 0) return 'the image has no bytes';
  const positiveInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  const positive = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;
  if (!positiveInt(image.width) || !positiveInt(image.height)) return `width and height must be positive integers (got ${image.width}x${image.height})`;
  if (!positive(image.xdpi) || !positive(image.ydpi)) return `resolution must be positive (got ${image.xdpi}x${image.ydpi} dpi)`;
  if (!COLOR_MODES.includes(image.mode as ColorMode)) return `colour mode must be bw, gray or color, not ${String(image.mode)}`;
  if (!positiveInt(image.bitDepth)) return `bit depth must be a positive integer (got ${image.bitDepth})`;
  return undefined;
}

function checkTags(tags: unknown): string[] {
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || t.length === 0)) {
    throw new ScanbridgeError('invalid-params', 'Tags must be a list of non-empty strings.');
  }
  return unique(tags as string[]);
}
