/** Handlers: upload jobs (pages sent to the application's server). */
import type { UPLOAD_METHODS } from '@scanbridge/protocol';
import type { DomainHandlers } from './types.js';

export const UPLOAD_HANDLERS: DomainHandlers<keyof typeof UPLOAD_METHODS> = {
  // The gate let only pages with a token (and the local user) through: the origin is known.
  StartUpload: async ({ ctx, session, params, source }) => [await ctx.uploads.start(session.id, session.buffer, source.principal.origin ?? '', params, ctx.ocr, (event) => ctx.hub.publish(session.id, 'ocr', event))],
  GetUpload: ({ ctx, session, params }) => [ctx.uploads.get(session.id, params.upload)],
  WaitUpload: async ({ ctx, session, params }) => [await ctx.uploads.wait(session.id, params.upload, params.timeout * 1000)],
  CancelUpload: async ({ ctx, session, params }) => [await ctx.uploads.cancel(session.id, params.upload)],
};
