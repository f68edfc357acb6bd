/** Handlers: access requests from pages, and approvals managed by the local user. */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { ACCESS_METHODS } from '@scanbridge/protocol';
import { originProblem } from '../../config/origins.js';
import type { DomainHandlers } from './types.js';
import { isImpostorOrigin, welcomeOrigins } from '../cors.js';
import { sameSecret } from '../../security/secrets.js';

export const ACCESS_HANDLERS: DomainHandlers<keyof typeof ACCESS_METHODS> = {
  RequestAccess: async ({ ctx, params, source }) => {
    const origin = source.principal.origin;
    if (source.principal.kind === 'admin' || origin === null) {
      throw new ScanbridgeError('origin-not-allowed', 'RequestAccess is for web pages (it needs an Origin); local callers use the administrator token');
    }
    if (isImpostorOrigin(ctx, origin)) {
      throw new ScanbridgeError('origin-not-allowed', `${origin} is on a port of scanbridge under an address scanbridge does not hold: that page was served by another program; open scanbridge's pages at http://127.0.0.1:${ctx.ports.welcomeHttp}/`);
    }
    if (welcomeOrigins(ctx).includes(origin)) {
      // The service's own pages prove it with the grant written into them, not with their origin alone.
      if (params.grant === undefined || !sameSecret(params.grant, ctx.pageGrant)) {
        throw new ScanbridgeError('origin-not-allowed', `pages of ${origin} get access with the grant scanbridge wrote into them; reload the page from scanbridge`);
      }
      return [{ state: 'approved', origin, token: await ctx.approvals.issue(origin) }];
    }
    if (params.request) {
      const request = ctx.consent.get(params.request);
      if (request && request.origin !== origin) throw new ScanbridgeError('origin-not-allowed', 'this access request has expired; ask again');
      if (request?.state === 'pending') return [{ state: 'pending', origin, request: request.id, consentUrl: ctx.consentUrl(request.id) }];
      if (request) ctx.consent.remove(request.id);
      if (request?.state === 'denied') throw new ScanbridgeError('origin-not-allowed', `the user did not allow ${origin} to use the scanner`);
      // Several tabs of one origin wait on the same request: the first to collect the answer removes it.
      if (!request && !ctx.approvals.isApproved(origin)) throw new ScanbridgeError('origin-not-allowed', 'this access request has expired; ask again');
    }
    if (ctx.approvals.isApproved(origin)) return [{ state: 'approved', origin, token: await ctx.approvals.issue(origin) }];
    const request = ctx.consent.create(origin, params.app);
    ctx.log.info({ origin }, 'access requested');
    return [{ state: 'pending', origin, request: request.id, consentUrl: ctx.consentUrl(request.id) }];
  },
  ListOrigins: ({ ctx }) => [ctx.approvals.list().map(({ origin, approvedAt, by, lastUsed }) => ({ origin, approvedAt, by, lastUsed }))],
  AllowOrigin: async ({ ctx, params }) => {
    const problem = originProblem(params.origin);
    if (problem) throw new ScanbridgeError('invalid-params', `params.origin: ${problem}`);
    await ctx.approvals.approve(params.origin, 'command-line');
    return [true];
  },
  RevokeOrigin: async ({ ctx, params }) => {
    if (ctx.approvals.isAdministered(params.origin)) {
      throw new ScanbridgeError('invalid-params', `params.origin: ${params.origin} is listed in AllowedOrigins by the administrator; remove it there`);
    }
    const revoked = await ctx.approvals.revoke(params.origin);
    if (revoked) ctx.log.info({ origin: params.origin }, 'approval revoked');
    return [revoked];
  },
};
