/**
 * Splitting the buffer into documents and listing them.
 *
 * `SplitDocuments` reads the named pages (default: every page, in buffer
 * order) with the rule (separation-models.ts) and makes them documents: the
 * pages leave any document they were in, pages before the first separator
 * form a document of their own, and each separator starts the next. It
 * answers every document of the buffer. The same rule as the scan setting
 * `split` splits a scan as its pages arrive.
 *
 * Documents are kept like page tags: they survive a restart of the service
 * with the buffer. A buffer event `{action: 'documents', ids, count}` names the
 * documents that changed (created, grown, emptied).
 */
import { z } from 'zod';
import { PageRef } from '../models.js';
import { DocumentInfo, SplitRule } from '../separation-models.js';
import { NO_PARAMS as none, type MethodSpec } from './spec.js';

export { DocumentCode, DocumentInfo, MAX_SPLIT_PATTERN, SplitRule } from '../separation-models.js';
export type { SplitRuleInput } from '../separation-models.js';

export const SEPARATION_METHODS = {
  SplitDocuments: {
    session: true,
    safe: false,
    params: SplitRule.extend({ pages: z.array(PageRef).min(1).max(100000).optional().describe('default: every page, in buffer order') }),
    result: z.tuple([z.array(DocumentInfo)]),
    summary: 'Split pages of the buffer into documents on separator sheets (a barcode, a barcode matching a pattern, a patch code, a blank page) or where a barcode changes; answers every document.',
  },
  GetDocuments: {
    session: true,
    safe: true,
    params: none,
    result: z.tuple([z.array(DocumentInfo)]),
    summary: 'The documents of the buffer: id, page ids in buffer order, and the code that named each.',
  },
} as const satisfies Record<string, MethodSpec>;
