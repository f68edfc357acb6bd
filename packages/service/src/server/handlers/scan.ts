/** Handlers: devices and scan jobs. */
import type { SCAN_METHODS } from '@scanbridge/protocol';
import type { DomainHandlers } from './types.js';

export const SCAN_HANDLERS: DomainHandlers<keyof typeof SCAN_METHODS> = {
  ListDevices: async ({ ctx, params }) => [await ctx.devices.list(params.refresh, { askNetwork: params.refresh })],
  GetCapabilities: async ({ ctx, params }) => [await ctx.devices.capabilities(params.device)],
  StartScan: async ({ ctx, session, params }) => [await ctx.jobs.start(session.id, session.buffer, params.device, params.settings)],
  GetJob: ({ ctx, session, params }) => [ctx.jobs.get(session.id, params.job)],
  WaitJob: async ({ ctx, session, params }) => [await ctx.jobs.wait(session.id, params.job, params.timeout * 1000)],
  CancelJob: async ({ ctx, session, params }) => [await ctx.jobs.cancel(session.id, params.job)],
};
