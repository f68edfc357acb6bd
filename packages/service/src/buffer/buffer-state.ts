/**
 * The state of one image buffer (page order, page versions, tags, selection)
 * and the journal operations that change it. The live buffer and crash
 * recovery both change state only through `apply`, so a replayed journal
 * yields exactly the state the service had.
 */
import { COLOR_MODES } from '@scanbridge/protocol/core';
import { z } from '../util/zod-stack.js';

/** Page ids and versions end up in file names: the pattern keeps them path-safe. */
export const PAGE_ID = /^[A-Za-z0-9_-]{1,64}$/;

const Id = z.string().check(z.regex(PAGE_ID));
const Version = z.number().check(z.int(), z.positive());
const Tags = z.array(z.string());

export const PageMeta = z.object({
  format: z.enum(['png', 'jpeg']),
  width: z.number().check(z.int(), z.positive()),
  height: z.number().check(z.int(), z.positive()),
  xdpi: z.number().check(z.positive()),
  ydpi: z.number().check(z.positive()),
  mode: z.enum(COLOR_MODES),
  bitDepth: z.number().check(z.int(), z.positive()),
  byteSize: z.number().check(z.int(), z.nonnegative()),
});
export type PageMeta = z.infer<typeof PageMeta>;

export const PageRecord = z.object({ id: Id, version: Version, meta: PageMeta, tags: Tags });
export type PageRecord = z.infer<typeof PageRecord>;

/** A document: pages (any order; listed in buffer order) and the code that named it. */
export const DocRecord = z.object({
  id: Id,
  pageIds: z.array(Id),
  barcode: z.nullable(z.object({ format: z.string(), text: z.string(), pageId: Id })),
});
export type DocRecord = z.infer<typeof DocRecord>;

export const JournalOp = z.discriminatedUnion('op', [
  // `documents` came with document separation; older snapshots have none.
  z.object({ op: z.literal('snapshot'), pages: z.array(PageRecord), selected: z.array(Id), documents: z.optional(z.array(DocRecord)) }),
  z.object({ op: z.literal('add'), id: Id, version: Version, index: z.number().check(z.int(), z.nonnegative()), meta: PageMeta, tags: Tags }),
  // Every page of one file load, inserted at `index` in order. One op (one
  // journal line) so that a load is all or nothing across a crash: a torn line
  // is ignored whole, and page files no op names are deleted by recovery.
  // Added with atomic loads; journals written before hold only 'add' ops.
  z.object({ op: z.literal('addAll'), index: z.number().check(z.int(), z.nonnegative()), pages: z.array(PageRecord) }),
  z.object({ op: z.literal('replace'), id: Id, version: Version, meta: PageMeta }),
  z.object({ op: z.literal('remove'), ids: z.array(Id) }),
  z.object({ op: z.literal('move'), id: Id, to: z.number().check(z.int(), z.nonnegative()) }),
  z.object({ op: z.literal('swap'), a: Id, b: Id }),
  z.object({ op: z.literal('select'), ids: z.array(Id) }),
  z.object({ op: z.literal('tags'), pages: z.array(z.object({ id: Id, tags: Tags })) }),
  z.object({ op: z.literal('clear') }),
  // A split: the pages named in `leave` leave their documents (emptied ones are gone), then `add` are created.
  z.object({ op: z.literal('docs'), leave: z.array(Id), add: z.array(DocRecord) }),
  // A page (or more) joins document `doc.id`, created with `doc` when it does not exist; pages leave other documents.
  z.object({ op: z.literal('docJoin'), doc: DocRecord }),
]);
export type JournalOp = z.infer<typeof JournalOp>;

export class BufferState {
  order: string[] = [];
  readonly pages = new Map<string, PageRecord>();
  readonly selected = new Set<string>();
  /** Documents in creation order. */
  readonly documents = new Map<string, DocRecord>();
  // id -> index, rebuilt lazily: lookups by id stay O(1) for large buffers
  // without paying on every reorder.
  #positions: Map<string, number> | undefined;

  get count(): number {
    return this.order.length;
  }

  indexOf(id: string): number {
    if (!this.#positions) this.#positions = new Map(this.order.map((pid, i) => [pid, i]));
    return this.#positions.get(id) ?? -1;
  }

  /**
   * Tolerant on purpose: during recovery some pages may have been dropped
   * (missing or altered files), so an op may name ids that no longer exist.
   * The live buffer validates before it builds an op.
   */
  apply(op: JournalOp): void {
    switch (op.op) {
      case 'snapshot':
        this.order = [];
        this.pages.clear();
        this.selected.clear();
        this.documents.clear();
        for (const page of op.pages) {
          if (this.pages.has(page.id)) continue;
          this.pages.set(page.id, { ...page, tags: unique(page.tags) });
          this.order.push(page.id);
        }
        for (const id of op.selected) if (this.pages.has(id)) this.selected.add(id);
        for (const doc of op.documents ?? []) this.#addDocument(doc);
        break;
      case 'add':
        if (this.pages.has(op.id)) break;
        this.pages.set(op.id, { id: op.id, version: op.version, meta: op.meta, tags: unique(op.tags) });
        this.order.splice(Math.min(op.index, this.order.length), 0, op.id);
        break;
      case 'addAll': {
        const ids: string[] = [];
        for (const page of op.pages) {
          if (this.pages.has(page.id)) continue;
          this.pages.set(page.id, { ...page, tags: unique(page.tags) });
          ids.push(page.id);
        }
        this.order.splice(Math.min(op.index, this.order.length), 0, ...ids);
        break;
      }
      case 'replace': {
        const page = this.pages.get(op.id);
        if (page) this.pages.set(op.id, { ...page, version: op.version, meta: op.meta });
        break;
      }
      case 'remove': {
        const gone = new Set(op.ids.filter((id) => this.pages.has(id)));
        if (gone.size === 0) break;
        for (const id of gone) {
          this.pages.delete(id);
          this.selected.delete(id);
        }
        this.order = this.order.filter((id) => !gone.has(id));
        this.#leave(gone);
        break;
      }
      case 'move': {
        const from = this.indexOf(op.id);
        if (from < 0) break;
        this.order.splice(from, 1);
        this.order.splice(Math.min(op.to, this.order.length), 0, op.id);
        break;
      }
      case 'swap': {
        const a = this.indexOf(op.a);
        const b = this.indexOf(op.b);
        if (a < 0 || b < 0) break;
        this.order[a] = op.b;
        this.order[b] = op.a;
        break;
      }
      case 'select':
        this.selected.clear();
        for (const id of op.ids) if (this.pages.has(id)) this.selected.add(id);
        break;
      case 'tags':
        for (const { id, tags } of op.pages) {
          const page = this.pages.get(id);
          if (page) this.pages.set(id, { ...page, tags: unique(tags) });
        }
        break;
      case 'clear':
        this.order = [];
        this.pages.clear();
        this.selected.clear();
        this.documents.clear();
        break;
      case 'docs':
        this.#leave(new Set(op.leave));
        for (const doc of op.add) this.#addDocument(doc);
        break;
      case 'docJoin': {
        const joining = new Set(op.doc.pageIds.filter((id) => this.pages.has(id)));
        const doc = this.documents.get(op.doc.id);
        for (const other of this.documents.values()) if (other !== doc) other.pageIds = other.pageIds.filter((id) => !joining.has(id));
        if (doc) doc.pageIds.push(...[...joining].filter((id) => !doc.pageIds.includes(id)));
        else this.#addDocument(op.doc);
        this.#dropEmpty();
        break;
      }
    }
    this.#positions = undefined;
  }

  /** Ids of the documents a change of these pages empties or shrinks. */
  documentsOf(pageIds: Iterable<string>): string[] {
    const ids = new Set(pageIds);
    return [...this.documents.values()].filter((d) => d.pageIds.some((id) => ids.has(id))).map((d) => d.id);
  }

  #addDocument(doc: DocRecord): void {
    const pageIds = unique(doc.pageIds.filter((id) => this.pages.has(id)));
    if (pageIds.length === 0 || this.documents.has(doc.id)) return;
    // A page is in one document at most.
    this.#leave(new Set(pageIds));
    this.documents.set(doc.id, { ...doc, pageIds });
  }

  #leave(pageIds: ReadonlySet<string>): void {
    if (pageIds.size === 0) return;
    for (const doc of this.documents.values()) doc.pageIds = doc.pageIds.filter((id) => !pageIds.has(id));
    this.#dropEmpty();
  }

  #dropEmpty(): void {
    for (const [id, doc] of this.documents) if (doc.pageIds.length === 0) this.documents.delete(id);
  }

  /** Pages in buffer order. */
  records(): PageRecord[] {
    return this.order.map((id) => this.pages.get(id)!);
  }

  snapshot(): JournalOp & { op: 'snapshot' } {
    const documents = [...this.documents.values()].map((d) => ({ ...d, pageIds: [...d.pageIds] }));
    return { op: 'snapshot', pages: this.records(), selected: this.order.filter((id) => this.selected.has(id)), ...(documents.length > 0 ? { documents } : {}) };
  }
}

export function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
