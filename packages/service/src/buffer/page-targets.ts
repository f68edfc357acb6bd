/**
 * The pages a read-only call (ReadBarcodes, Recognize, DetectOrientation,
 * SplitDocuments) names: `pages` (indices or ids, each once, in the order
 * named) or `selected: true`. A page that is not there is a bad parameter of
 * the call, named with what exists. (Edits keep their own rule in
 * imaging/page-batch.ts: there a missing page is page-not-found.)
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { PageRef } from '@scanbridge/protocol';
import type { ImageBuffer } from './image-buffer.js';

export interface PageTarget {
  pages?: PageRef[] | undefined;
  selected?: true | undefined;
}

export function targetIds(buffer: ImageBuffer, target: PageTarget): string[] {
  if (target.selected) {
    const ids = buffer.selected();
    if (ids.length === 0) throw new ScanbridgeError('invalid-params', 'params.selected: no page is selected; select pages with SelectImages or name them in params.pages');
    return ids;
  }
  return [
    ...new Set(
      (target.pages ?? []).map((ref, i) => {
        try {
          return buffer.resolve(ref);
        } catch (err) {
          if (!(err instanceof ScanbridgeError) || err.code !== 'page-not-found') throw err;
          const count = buffer.count();
          const allowed = count === 0 ? 'the buffer is empty' : `allowed: indices 0 to ${count - 1}, or page ids from GetImagesInfo`;
          throw new ScanbridgeError('invalid-params', `params.pages.${i}: ${err.message.replace(/\.$/, '')}; ${allowed}`, { path: `pages.${i}`, ...err.details });
        }
      }),
    ),
  ];
}
