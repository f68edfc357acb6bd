/**
 * `GET /dwt/dwt_<versioncode>/img?id=<session>&index=<i>&width=<w>&height=<h>&ticks=<n>`:
 * page i of the session fitted inside w x h. Any dwt_<code> is accepted so an
 * SDK built for an older service keeps working; the image is named by session
 * and index (or `page=<id>`), not by the code.
 *
 * Caching: the ETag names the page id and its version, and `no-cache` makes
 * the browser revalidate every time, so an edited page is never shown stale
 * while an unchanged one costs a 304.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { NO_SESSION_ID, ScanbridgeError } from '@scanbridge/protocol/core';
import type { ServiceContext } from './context.js';
import { errorEnvelope } from './rpc.js';
import type { Principal } from '../security/principal.js';
import { LOCAL_ORIGIN } from '../security/origin-check.js';
import { checkImageSignature } from '../security/image-signature.js';
import { tokenHash } from '../security/secrets.js';
import { tooManyRequests } from '../security/rate-limit.js';
import type { Session } from '../buffer/session.js';

const MAX_SIDE = 20000;

function intParam(query: Record<string, unknown>, name: string, min: number, max: number, fallback?: number): number {
  const raw = query[name];
  if (raw === undefined || raw === '') {
    if (fallback !== undefined) return fallback;
    throw new ScanbridgeError('invalid-params', `query.${name}: required (an integer ${min}..${max})`);
  }
  const text = String(raw);
  const value = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ScanbridgeError('invalid-params', `query.${name}: expected an integer ${min}..${max}, got ${JSON.stringify(text.slice(0, 20))}`);
  }
  return value;
}

/**
 * An <img> cannot send the token header, so image URLs carry a signature and
 * an expiry instead (security/image-signature.ts); a caller with the token
 * header (fetch, the CLI) needs neither. Either way the session must belong
 * to the caller's origin, and a refusal does not tell whether the session exists.
 */
export function authorizeImage(ctx: ServiceContext, principal: Principal, sessionId: string, sessionOrigin: string, query: Record<string, unknown>): void {
  const unknown = () => new ScanbridgeError('unknown-session', 'the session was closed or expired; create a new one with CreateSession');
  if (principal.kind === 'admin') return;
  if (principal.kind === 'page') {
    if (principal.origin !== sessionOrigin) throw unknown();
    return;
  }
  if (typeof query.sig !== 'string' || typeof query.exp !== 'string' || !/^\d{1,12}$/.test(query.exp)) {
    throw new ScanbridgeError('token-invalid', 'image URLs need exp and sig (the SDK signs them), or the X-Scanbridge-Token header');
  }
  const hashes = sessionOrigin === LOCAL_ORIGIN ? [tokenHash(ctx.adminToken)] : ctx.approvals.tokenHashes(sessionOrigin);
  const check = checkImageSignature(hashes, sessionId, Number(query.exp), query.sig);
  if (check === 'expired') throw new ScanbridgeError('token-invalid', 'this image URL has expired; ask the SDK for a new one');
  if (check !== 'ok') throw unknown();
}

/** An image request that passed its checks: which page, in which box. */
export interface ImageRequest {
  session: Session;
  pageId: string;
  width: number;
  height: number;
  etag: string;
  /** The thumbnail cache's key of this page version (ImageRenderer.render). */
  cacheKey: string;
}

/** Headers of every image answer, 200 or 304. */
export const imageHeaders = (etag: string) => ({ 'cache-control': 'private, no-cache', etag, 'x-content-type-options': 'nosniff' });

/**
 * Checks an image request and counts it in the rate limit: a request that
 * passes counts for its session's origin, in the image bucket (an <img>
 * sends no Origin; the signature says whose it is); one that fails counts as
 * a call of its sender, so guessing costs an unapproved origin its calls.
 */
export function checkImageRequest(ctx: ServiceContext, principal: Principal, code: string, query: Record<string, unknown>): ImageRequest {
  let session: Session;
  try {
    if (!/^dwt_[0-9A-Za-z_]{1,32}$/.test(code)) throw new ScanbridgeError('not-found', `no endpoint /dwt/${code.slice(0, 40)}/img`);
    if (typeof query.id !== 'string' || query.id === '') throw new ScanbridgeError('session-required', 'query.id: the session id is required');
    session = ctx.sessions.get(query.id);
    authorizeImage(ctx, principal, session.id, session.origin, query);
  } catch (err) {
    if (principal.kind !== 'admin' && !ctx.limiter.take(principal.origin ?? 'anonymous')) throw tooManyRequests();
    throw err;
  }
  if (principal.kind !== 'admin' && !ctx.imageLimiter.take(session.origin)) throw tooManyRequests();
  const ref = typeof query.page === 'string' && query.page !== '' ? query.page : intParam(query, 'index', 0, Number.MAX_SAFE_INTEGER);
  const width = intParam(query, 'width', 1, MAX_SIDE, MAX_SIDE);
  const height = intParam(query, 'height', 1, MAX_SIDE, MAX_SIDE);
  const info = session.buffer.info(ref);
  return { session, pageId: info.id, width, height, etag: `"${info.id}.${info.version}.${width}x${height}"`, cacheKey: `${session.id}:${info.id}.${info.version}` };
}

/**
 * Requests the cached-image path (cached-image.ts) checked and passed on (a
 * cache miss, or a failed check): the route takes the outcome from here
 * rather than checking, and counting, the request twice.
 */
export const checkedImageRequests = new WeakMap<IncomingMessage, ImageRequest | Error>();

export function registerImageRoute(app: FastifyInstance, ctx: ServiceContext): void {
  app.get<{ Params: { code: string }; Querystring: Record<string, unknown> }>('/dwt/:code/img', async (req, reply) => {
    try {
      const checked = checkedImageRequests.get(req.raw);
      if (checked instanceof Error) throw checked;
      const image = checked ?? checkImageRequest(ctx, req.principal, req.params.code, req.query);
      reply.headers(imageHeaders(image.etag));
      if (req.headers['if-none-match'] === image.etag) return reply.code(304).send();
      const { session, pageId } = image;
      const rendered = await ctx.images.render(image.cacheKey, () => session.buffer.leaseImage(pageId), image.width, image.height);
      return reply.type(rendered.contentType).header('x-image-width', rendered.width).header('x-image-height', rendered.height).send(rendered.bytes);
    } catch (err) {
      const { status, body } = errorEnvelope(NO_SESSION_ID, 'img', '', err);
      return reply.code(status).header('cache-control', 'no-store').send(body);
    }
  });
}
