/** Handlers: documents (splitting the buffer, listing them). The splitter loads with the first split. */
import type { SEPARATION_METHODS } from '@scanbridge/protocol';
import type { DomainHandlers } from './types.js';

export const SEPARATION_HANDLERS: DomainHandlers<keyof typeof SEPARATION_METHODS> = {
  SplitDocuments: async ({ session, params }) => {
    const { splitBufferPages } = await import('../../documents/split-buffer.js');
    const { pages, ...rule } = params;
    return [await splitBufferPages(session.buffer, rule, pages)];
  },
  GetDocuments: ({ session }) => [session.buffer.documents()],
};
