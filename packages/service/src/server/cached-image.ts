/**
 * Cached thumbnails without the framework. A viewer asks for its thumbnails
 * by the hundred, and again whenever it redraws (revalidations, 304), and
 * the answer is bytes already in memory; Fastify's pipeline (hooks, routing,
 * the reply) costs several times what node:http spends on the same answer
 * (bench/thumbnails). So each listener offers every request here first: a
 * GET of the image endpoint with a plain query (the SDK's URLs), on a
 * connection known to be the user's, passes the same checks as on the full
 * path (the gate, the connection counts, checkImageRequest with its rate
 * limit) and is answered 304 or from the thumbnail cache, with the headers
 * the full path gives. Anything else goes on to Fastify unchanged; a failed
 * check or a cache miss leaves its outcome in checkedImageRequests, so the
 * request is not checked and counted twice. This path thus answers only
 * what the full one would, as it would (thumbnail-load.test.ts compares them).
 */
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { ServiceContext } from './context.js';
import type { ConnectionGuard } from './connection-guard.js';
import { authenticateRequest, isKnownOwnPeer } from './gate.js';
import { checkImageRequest, checkedImageRequests, imageHeaders, type ImageRequest } from './image-route.js';
import { corsAnswerHeaders } from './cors.js';
import { PAGE_HEADERS } from './page-headers.js';
import type { Principal } from '../security/principal.js';
import { memoryUpkeep } from '../util/memory-upkeep.js';

/** The SDK's image URLs: ids, numbers and base64url, nothing to decode; any other form takes the full path. */
const PLAIN_IMAGE_URL = /^(\/dwt\/(dwt_[0-9A-Za-z_]{1,32})\/img)\?([\w.~=&-]*)$/;

/** Undefined when a name repeats (Fastify's parser makes an array of it, which the full path refuses). */
function plainQuery(text: string): Record<string, string> | undefined {
  const query: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const pair of text.split('&')) {
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    if (name in query) return undefined;
    query[name] = eq === -1 ? '' : pair.slice(eq + 1);
  }
  return query;
}

/** Headers the listener's hooks add to every answer (CORS on the API ports, page headers on the welcome ports). */
type ListenerHeaders = (req: IncomingMessage, path: string) => Record<string, string>;

/** True when the request was answered here. */
function serveCachedImage(ctx: ServiceContext, guard: ConnectionGuard, listenerHeaders: ListenerHeaders, req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'GET' || req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined) return false;
  const match = PLAIN_IMAGE_URL.exec(req.url ?? '');
  if (!match || !isKnownOwnPeer(req.socket, ctx.ownUid)) return false;
  const query = plainQuery(match[3]!);
  if (!query) return false;
  let principal: Principal;
  try {
    principal = authenticateRequest(req, ctx);
    guard.admit(req.socket, req.headers.origin);
  } catch {
    // Refused: the full path refuses it again, with its answer.
    return false;
  }
  let image: ImageRequest;
  try {
    image = checkImageRequest(ctx, principal, match[2]!, query);
  } catch (err) {
    checkedImageRequests.set(req, err as Error);
    return false;
  }
  const headers = { ...listenerHeaders(req, match[1]!), ...imageHeaders(image.etag) };
  if (req.headers['if-none-match'] === image.etag) {
    res.writeHead(304, headers).end();
  } else {
    const hit = ctx.images.cached(image.cacheKey, image.width, image.height);
    if (!hit) {
      checkedImageRequests.set(req, image);
      return false;
    }
    res.writeHead(200, { ...headers, 'content-type': hit.contentType, 'x-image-width': hit.width, 'x-image-height': hit.height, 'content-length': hit.bytes.length }).end(hit.bytes);
  }
  memoryUpkeep.touch();
  return true;
}

/** Puts serveCachedImage in front of the listener's (HTTP or HTTPS server's) one request handler, Fastify's. */
export function answerCachedImagesFirst(server: EventEmitter, ctx: ServiceContext, guard: ConnectionGuard, role: 'api' | 'welcome'): void {
  const listeners = server.listeners('request') as RequestListener[];
  if (listeners.length !== 1) throw new Error(`expected one request listener (Fastify's), found ${listeners.length}`);
  const fastify = listeners[0]!;
  const headers: ListenerHeaders = role === 'api' ? (req, path) => corsAnswerHeaders(ctx, req.headers.origin, path) : () => PAGE_HEADERS;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!serveCachedImage(ctx, guard, headers, req, res)) fastify(req, res);
  });
}
