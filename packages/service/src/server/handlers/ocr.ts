/** Handlers: OCR. The engine (worker threads, Tesseract) loads on the first call, so start-up stays light. */
import type { OCR_METHODS } from '@scanbridge/protocol';
import type { DomainHandlers } from './types.js';

export const OCR_HANDLERS: DomainHandlers<keyof typeof OCR_METHODS> = {
  Recognize: async ({ ctx, session, params, source }) => {
    const { recognizeBufferPages } = await import('../../addons/ocr/recognize-buffer.js');
    const onPage = (d: { page: string; index: number; done: number; total: number }) => ctx.hub.publish(session.id, 'ocr', { type: 'progress', method: 'Recognize', ...d });
    // A client that goes away (the SDK's signal aborts the request) cancels the pages not yet read.
    return [await recognizeBufferPages(session.buffer, params, { onPage, signal: source.signal })];
  },
  DetectOrientation: async ({ ctx, session, params, source }) => {
    const { detectBufferOrientation } = await import('../../addons/ocr/recognize-buffer.js');
    const onPage = (d: { page: string; index: number; done: number; total: number }) => ctx.hub.publish(session.id, 'ocr', { type: 'progress', method: 'DetectOrientation', ...d });
    return [await detectBufferOrientation(session.buffer, params, { onPage, signal: source.signal })];
  },
};
