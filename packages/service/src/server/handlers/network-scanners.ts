/** Handlers: network scanners listed by URL (administrator token only, see rpc.ts). */
import type { NETWORK_SCANNER_METHODS } from '@scanbridge/protocol';
import type { DomainHandlers } from './types.js';

export const NETWORK_SCANNER_HANDLERS: DomainHandlers<keyof typeof NETWORK_SCANNER_METHODS> = {
  ListNetworkScanners: ({ ctx }) => [ctx.escl.listed()],
  AddNetworkScanner: async ({ ctx, params }) => {
    const result = await ctx.escl.addUserScanner(params.url);
    if (result.added) ctx.log.info({ url: result.url }, 'network scanner added by the user');
    return [result];
  },
  RemoveNetworkScanner: async ({ ctx, params }) => {
    const removed = await ctx.escl.removeUserScanner(params.url);
    if (removed) ctx.log.info({ url: params.url }, 'network scanner removed by the user');
    return [removed];
  },
};
