/**
 * Runs an edit or an analysis over the pages a request names. The rules of a
 * batch (also in the protocol's methods/imaging.ts):
 *
 * - every reference and every parameter is checked against every page before
 *   anything changes, so a bad request leaves the buffer as it was;
 * - pages are then edited one after another, each atomically: the buffer
 *   keeps the old version until ImageBuffer.replace has stored the new one;
 * - the first page that fails stops the batch; the error names it and lists
 *   the pages already changed and those left as they were.
 *
 * Edits of one buffer run one batch at a time: an edit reads a page, works
 * for a while, then replaces it, and two edits of the same page interleaved
 * would lose one of them.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { PageInfo, PageRef } from '@scanbridge/protocol';
import type { ImageBuffer } from '../buffer/image-buffer.js';
import type { StoredImage } from '../buffer/types.js';
import { toScanbridgeError } from '../jobs/job-manager.js';
import { imageMemory, pixelBytes } from '../util/memory-budget.js';

export interface Target {
  pages?: PageRef[] | undefined;
  selected?: true | undefined;
}

export interface PageEdit<X extends object> {
  /** Checks the parameters against one page before any page changes (e.g. a crop inside the page). */
  check?(info: PageInfo): void;
  /** The new image, or null when the edit would not change the page; `extra` goes into the page's result. */
  apply(image: StoredImage, info: PageInfo): Promise<{ image: StoredImage | null; extra: X }>;
}

export type EditResult<X extends object> = { info: PageInfo; changed: boolean } & X;

/** Ids of the named pages (each once, in the order named), or of the selection. */
function targetIds(buffer: ImageBuffer, target: Target): string[] {
  if (target.selected) {
    const ids = buffer.selected();
    if (ids.length === 0) throw new ScanbridgeError('invalid-params', 'params.selected: no page is selected; select pages with SelectImages or name them in params.pages');
    return ids;
  }
  return [...new Set((target.pages ?? []).map((ref) => buffer.resolve(ref)))];
}

const queues = new WeakMap<ImageBuffer, Promise<unknown>>();

function exclusive<T>(buffer: ImageBuffer, work: () => Promise<T>): Promise<T> {
  const run = (queues.get(buffer) ?? Promise.resolve()).then(work);
  queues.set(
    buffer,
    run.catch(() => undefined),
  );
  return run;
}

function pageFailure(err: unknown, info: PageInfo, changed: string[], unchanged: string[]): ScanbridgeError {
  const e = toScanbridgeError(err);
  const outcome = changed.length === 0 ? 'no page was changed' : `pages already changed: ${changed.join(', ')}; left as they were: ${unchanged.join(', ')}`;
  return new ScanbridgeError(e.code, `Page ${info.index} (id ${info.id}): ${e.message}; ${outcome}`, { ...e.details, page: info.id, index: info.index, changed, unchanged }, { cause: err });
}

export function editPages<X extends object>(buffer: ImageBuffer, target: Target, edit: PageEdit<X>): Promise<EditResult<X>[]> {
  return exclusive(buffer, async () => {
    const infos = targetIds(buffer, target).map((id) => buffer.info(id));
    if (edit.check) for (const info of infos) edit.check(info);
    const results: EditResult<X>[] = [];
    for (const before of infos) {
      // Indices shift when other requests add or remove pages meanwhile; the id does not.
      const info = buffer.info(before.id);
      try {
        // The page decoded and its edited copy.
        const { image, extra } = await imageMemory.run(2 * pixelBytes(info), async () => edit.apply(await buffer.getImage(info.id), info));
        const after = image ? await buffer.replace(info.id, image) : buffer.info(info.id);
        results.push({ info: after, changed: image !== null, ...extra });
      } catch (err) {
        const changed = results.filter((r) => r.changed).map((r) => r.info.id);
        const unchanged = infos.map((p) => p.id).filter((id) => !changed.includes(id));
        throw pageFailure(err, info, changed, unchanged);
      }
    }
    return results;
  });
}

/** Runs a read-only analysis on each named page; answers `{page, index, ...result}` per page. */
export async function analysePages<R extends object>(buffer: ImageBuffer, target: Target, analyse: (image: StoredImage, info: PageInfo) => Promise<R>): Promise<({ page: string; index: number } & R)[]> {
  const results: ({ page: string; index: number } & R)[] = [];
  for (const id of targetIds(buffer, target)) {
    const info = buffer.info(id);
    try {
      const result = await imageMemory.run(2 * pixelBytes(info), async () => analyse(await buffer.getImage(id), info));
      results.push({ page: id, index: info.index, ...result });
    } catch (err) {
      const e = toScanbridgeError(err);
      throw new ScanbridgeError(e.code, `Page ${info.index} (id ${id}): ${e.message}`, { ...e.details, page: id, index: info.index }, { cause: err });
    }
  }
  return results;
}
