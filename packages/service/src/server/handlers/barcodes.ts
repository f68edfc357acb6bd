/** Handlers: reading barcodes. The reader (zxing-wasm, worker threads) loads on the first call, so start-up stays light. */
import type { BARCODE_METHODS } from '@scanbridge/protocol';
import type { DomainHandlers } from './types.js';

export const BARCODE_HANDLERS: DomainHandlers<keyof typeof BARCODE_METHODS> = {
  ReadBarcodes: async ({ session, params }) => {
    const { readBufferPages } = await import('../../addons/barcode/read-buffer.js');
    return [await readBufferPages(session.buffer, params)];
  },
};
