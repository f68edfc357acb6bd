/**
 * Files into and out of a session's image buffer. A load is one change of
 * the buffer: its pages are decoded and written one at a time (a long PDF is
 * never held decoded in memory) and become visible together at the end, or,
 * if any page fails, not at all (ImageBuffer.addAll).
 */
import type { PageInfo, PageRef } from '@scanbridge/protocol';
import type { ImageBuffer } from '../buffer/image-buffer.js';
import type { StoredImage } from '../buffer/types.js';
import { openDocument, type LoadOptions } from './decode.js';
import type { PageFacts, PageSource } from './encode.js';
import { FORMAT_NAMES, invalidImage } from './invalid.js';

export interface BufferLoadOptions extends LoadOptions {
  index?: number | undefined;
  tags?: string[] | undefined;
}

export interface LoadProgress {
  signal?: AbortSignal | undefined;
  /** The file is open: it has `pageCount` pages. */
  opened?: ((pageCount: number) => void) | undefined;
  /** `done` of `pageCount` pages are decoded and stored (not yet visible). */
  page?: ((done: number, pageCount: number) => void) | undefined;
}

export async function loadIntoBuffer(buffer: ImageBuffer, bytes: Buffer, opts: BufferLoadOptions, progress: LoadProgress = {}): Promise<PageInfo[]> {
  progress.signal?.throwIfAborted();
  const doc = await openDocument(bytes, opts);
  try {
    progress.opened?.(doc.pageCount);
    // A JPEG's page file is written while the decode that proves it whole runs (addAll awaits it).
    return await buffer.addAll(doc.pagesAhead?.() ?? doc.pages(), {
      index: opts.index,
      tags: opts.tags,
      signal: progress.signal,
      onPage: (done) => progress.page?.(done, doc.pageCount),
    });
  } finally {
    await doc.close();
  }
}

/** One image (AddImage): any supported format, but a single page. */
export async function decodeSingle(bytes: Buffer, opts: LoadOptions): Promise<StoredImage> {
  const doc = await openDocument(bytes, opts);
  try {
    if (doc.pageCount !== 1) throw invalidImage(doc.format, `the file has ${doc.pageCount} pages; AddImage adds one page: use LoadImages for the whole ${FORMAT_NAMES[doc.format]}`);
    for await (const image of doc.pages()) return image;
    throw invalidImage(doc.format, 'the file has no page');
  } finally {
    await doc.close();
  }
}

/** The pages to save (every page when `refs` is undefined), checked now, read one at a time later. */
export function bufferPages(buffer: ImageBuffer, refs: PageRef[] | undefined): { facts: PageFacts[]; source: PageSource } {
  const infos = refs ? buffer.list(refs) : buffer.list();
  const facts = infos.map((p) => ({ id: p.id, index: p.index, format: p.format, bitDepth: p.bitDepth, mode: p.mode }));
  return { facts, source: { count: facts.length, get: (i) => buffer.getImage(facts[i]!.id) } };
}

/**
 * As bufferPages, for a consumer that is done with each chunk before it asks
 * for the next (an upload's request body): a page read back from the disk
 * cache comes in a reused buffer (ImageBuffer.leaseImage) that goes back when
 * the encoder calls release, and close() gives back whatever is still held
 * once the pass is over (finished, failed or abandoned). A page asked for
 * after close() is read the ordinary way.
 */
export function leasedBufferPages(buffer: ImageBuffer, facts: readonly PageFacts[]): { source: PageSource; close(): void } {
  const held = new Map<number, () => void>();
  let closed = false;
  const source: PageSource = {
    count: facts.length,
    get: async (i) => {
      if (closed) return buffer.getImage(facts[i]!.id);
      const { image, release } = await buffer.leaseImage(facts[i]!.id);
      if (closed) {
        const bytes = Buffer.from(image.bytes);
        release();
        return { ...image, bytes };
      }
      const before = held.get(i);
      held.set(i, before ? () => (before(), release()) : release);
      return image;
    },
    release: (i) => {
      held.get(i)?.();
      held.delete(i);
    },
  };
  const close = () => {
    closed = true;
    for (const release of held.values()) release();
    held.clear();
  };
  return { source, close };
}
