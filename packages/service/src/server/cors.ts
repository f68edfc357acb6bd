/**
 * CORS for the browser SDK. Pages on another origin than the service (every
 * page: even /demo on the welcome port calls the API port) may read answers
 * only when their origin is allowed: listed by the administrator in
 * AllowedOrigins, or the service's own welcome pages. The answer names the
 * exact origin (never `*`) with `Vary: Origin`, and Private Network Access
 * preflights are granted only to those origins. Other origins get no CORS
 * headers at all, so the browser keeps the answer from them. This is for the
 * API ports only: the welcome ports answer no CORS at all (page-headers.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_HEADER, TOKEN_HEADER } from '@scanbridge/protocol/core';
import type { ServiceContext } from './context.js';
import { trustedNames } from './loopback-listen.js';

const ALLOWED_METHODS = 'GET, POST, OPTIONS';
const ALLOWED_HEADERS = `content-type, ${SESSION_HEADER}, ${TOKEN_HEADER}`;
/** Headers a page may read besides the CORS-safelisted ones (the image endpoint's). */
const EXPOSED_HEADERS = 'etag, x-image-width, x-image-height';
/** Browsers cap this (Chromium at 2 h); 10 minutes keeps a page from preflighting every call. */
const PREFLIGHT_MAX_AGE = '600';

/**
 * Origins of the service's own welcome pages (where /demo is served): only
 * under loopback names whose addresses the welcome listener holds, so that
 * no other program can serve a page with one of these origins.
 */
export function welcomeOrigins(ctx: Pick<ServiceContext, 'ports' | 'held'>): string[] {
  const { welcomeHttp, welcomeHttps } = ctx.ports;
  return [...trustedNames(ctx.held.welcomeHttp).map((n) => `http://${n}:${welcomeHttp}`), ...trustedNames(ctx.held.welcomeHttps).map((n) => `https://${n}:${welcomeHttps}`)];
}

/** Host names browsers connect to over loopback (Chromium and Firefox send every *.localhost there too). */
const LOOPBACK_HOST = /^(localhost|.+\.localhost|127(\.\d{1,3}){3}|0\.0\.0\.0|\[::1?\]|\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\])$/i;

/**
 * A loopback origin on one of the service's own ports that is not one of its
 * own pages: a page served by another program on an address (or under a
 * name) the service does not hold. It must get nothing, not even a consent
 * page that would show the user a scanbridge-looking address.
 */
export function isImpostorOrigin(ctx: Pick<ServiceContext, 'ports' | 'held'>, origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (!LOOPBACK_HOST.test(url.hostname) || !Object.values(ctx.ports).includes(port)) return false;
  return !welcomeOrigins(ctx).includes(origin);
}

export function isAllowedOrigin(ctx: Pick<ServiceContext, 'ports' | 'held' | 'approvals'>, origin: string): boolean {
  // Exact comparison: approvals and AllowedOrigins hold origins exactly as browsers send them.
  return ctx.approvals.isApproved(origin) || welcomeOrigins(ctx).includes(origin);
}

/** A page that is not approved yet must still read RequestAccess's answer ("pending", where to ask the user). */
const OPEN_TO_ANY_ORIGIN = '/fa/RequestAccess';

function addVary(reply: FastifyReply): void {
  const current = reply.getHeader('vary');
  if (current === undefined) reply.header('vary', 'Origin');
  else if (!String(current).toLowerCase().split(/\s*,\s*/).includes('origin')) reply.header('vary', `${String(current)}, Origin`);
}

/** The CORS headers of an answer (not a preflight's) to `origin` for `path`: none unless the origin may read it. */
export function answerCorsHeaders(ctx: Pick<ServiceContext, 'ports' | 'held' | 'approvals'>, origin: string, path: string): Record<string, string> {
  // The gate has refused malformed Origins already; here the origin is a real one.
  if (!isAllowedOrigin(ctx, origin) && path !== OPEN_TO_ANY_ORIGIN) return {};
  return { 'access-control-allow-origin': origin, 'access-control-expose-headers': EXPOSED_HEADERS };
}

/** What the hook below adds to an answer that is not a preflight (for answers sent without Fastify: cached-image.ts). */
export function corsAnswerHeaders(ctx: Pick<ServiceContext, 'ports' | 'held' | 'approvals'>, origin: string | undefined, path: string): Record<string, string> {
  return { vary: 'Origin', ...(origin === undefined ? {} : answerCorsHeaders(ctx, origin, path)) };
}

export function registerCors(app: FastifyInstance, ctx: ServiceContext): void {
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    addVary(reply);
    const origin = req.headers.origin;
    if (typeof origin !== 'string') return;
    const cors = answerCorsHeaders(ctx, origin, req.url.split('?')[0]!);
    const allowed = 'access-control-allow-origin' in cors;
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    reply.headers(cors);
    if (!preflight) return;
    reply.header('cache-control', 'no-store');
    if (allowed) {
      reply
        .header('access-control-allow-methods', ALLOWED_METHODS)
        .header('access-control-allow-headers', ALLOWED_HEADERS)
        .header('access-control-max-age', PREFLIGHT_MAX_AGE)
        .header('access-control-allow-private-network', 'true');
    }
    // A refused preflight is still a 204: without the headers above the browser stops there.
    return reply.code(204).send();
  });
}
