/**
 * Which pages a save or an upload takes: `pages` (default every page), one
 * document (`document: <id>`), or each document as its own file set
 * (`eachDocument: true`, named by documentFileNames). The three exclude each
 * other; an unknown document is `document-not-found`.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { PageRef } from '@scanbridge/protocol';
import type { ImageBuffer } from '../buffer/image-buffer.js';
import { documentFileNames } from './file-names.js';

export interface PageGroup {
  /** File base name (without extension). */
  base: string;
  /** undefined: every page. */
  pages: PageRef[] | undefined;
}

export interface GroupParams {
  pages?: PageRef[] | undefined;
  document?: string | undefined;
  eachDocument?: boolean | undefined;
  /** Was a file name asked for: then a single document keeps it. */
  fileName?: string | undefined;
}

export function pageGroups(buffer: ImageBuffer, params: GroupParams, base: string): PageGroup[] {
  const given = (['pages', 'document', 'eachDocument'] as const).filter((k) => params[k] !== undefined && params[k] !== false);
  if (given.length > 1) throw new ScanbridgeError('invalid-params', `params.${given[1]}: name the pages one way: pages, document or eachDocument, not ${given.join(' and ')}`, { path: given[1] });
  if (params.document !== undefined) {
    const doc = buffer.document(params.document);
    const [named] = documentFileNames([doc], base);
    return [{ base: params.fileName !== undefined ? base : named!, pages: doc.pageIds }];
  }
  if (params.eachDocument) {
    const docs = buffer.documents();
    if (docs.length === 0) throw new ScanbridgeError('invalid-params', 'params.eachDocument: the buffer has no documents; split it first (SplitDocuments, or the split scan setting)', { path: 'eachDocument' });
    const names = documentFileNames(docs, params.fileName !== undefined ? base : 'document');
    return docs.map((d, i) => ({ base: names[i]!, pages: d.pageIds }));
  }
  return [{ base, pages: params.pages }];
}
