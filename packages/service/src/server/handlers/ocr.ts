/** Handlers: OCR. The engine (worker threads, Tesseract) loads on the first call, so start-up stays light. */
import type { OCR_METHODS } from '@scanbridge/protocol';
import type { DomainHandlers } from './types.js';

export const OCR_HANDLERS: DomainHandlers<keyof typeof OCR_METHODS> = {
  Recognize: async ({ ctx, session, params }) => {
    const { recognizeBufferPages } = await import('../../addons/ocr/recognize-buffer.js');
    const onPage = (d: { page: string; index: number; done: number; total: number }) => ctx.hub.publish(session.id, 'ocr', { type: 'progress', method: 'Recognize', ...d });
    return [await recognizeBufferPages(session.buffer, params, { onPage })];
  },
  DetectOrientation: async ({ ctx, session, params }) => {
    const { detectBufferOrientation } = await import('../../addons/ocr/recognize-buffer.js');
    const onPage = (d: { page: string; index: number; done: number; total: number }) => ctx.hub.publish(session.id, 'ocr', { type: 'progress', method: 'DetectOrientation', ...d });
    return [await detectBufferOrientation(session.buffer, params, { onPage })];
  },
};
