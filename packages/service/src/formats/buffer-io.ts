/**
 * Files into and out of a session's image buffer. A load adds pages as they
 * are decoded (a long PDF is never held decoded in memory); if any page
 * fails, the pages this load added are removed again, so the buffer ends as
 * it was.
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

export async function loadIntoBuffer(buffer: ImageBuffer, bytes: Buffer, opts: BufferLoadOptions): Promise<PageInfo[]> {
  const doc = await openDocument(bytes, opts);
  const added: PageInfo[] = [];
  try {
    for await (const image of doc.pages()) {
      const at: { index?: number; tags?: string[] } = {};
      if (opts.index !== undefined) at.index = opts.index + added.length;
      if (opts.tags) at.tags = opts.tags;
      added.push(await buffer.add(image, at));
    }
  } catch (err) {
    if (added.length > 0) await buffer.remove(added.map((p) => p.id)).catch(() => undefined);
    throw err;
  } finally {
    await doc.close();
  }
  // Indices shift while later pages go in before earlier ones' neighbours: answer the final ones.
  return buffer.list(added.map((p) => p.id));
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
