/**
 * The security gate: the one function every request (HTTP and WebSocket
 * upgrade) passes before routing. It refuses foreign Host headers (DNS
 * rebinding) and malformed Origins, authenticates the caller (origin + token,
 * or the local administrator token), and applies the rate limit. What each
 * principal may then do is decided where the call is served (rpc.ts,
 * image-route.ts, websocket.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { ScanbridgeError, TOKEN_HEADER } from '@scanbridge/protocol/core';
import { authenticate, type AuthContext, type Principal } from '../security/principal.js';
import { tooManyRequests, type RateLimiter } from '../security/rate-limit.js';
import { isLoopbackPeer, knownOwnerOf, otherUserError, ownerOf } from './connection-guard.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

function hostHeaders(req: IncomingMessage): string[] {
  const values: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === 'host') values.push(req.rawHeaders[i + 1]!);
  }
  return values;
}

/** Names the service answers to on `port`: its loopback names, plus an explicitly configured bind address. */
export function allowedHosts(port: number, bindAddress: string): Set<string> {
  const names = new Set(LOOPBACK_NAMES);
  if (!['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::'].includes(bindAddress)) names.add(bindAddress.includes(':') ? `[${bindAddress}]` : bindAddress);
  return new Set([...names].map((name) => `${name}:${port}`));
}

/** allowedHosts, made once per listener rather than for every request. */
const knownHosts = new Map<string, Set<string>>();
function hostsOf(port: number, bindAddress: string): Set<string> {
  const key = `${port}|${bindAddress}`;
  let hosts = knownHosts.get(key);
  if (!hosts) knownHosts.set(key, (hosts = allowedHosts(port, bindAddress)));
  return hosts;
}

export interface GateContext extends AuthContext {
  bindAddress: string;
  limiter: RateLimiter;
}

/**
 * The image endpoint (what a page's <img> elements ask for). Its requests are
 * counted by the route (image-route.ts), once it knows whose image is asked
 * for: an <img> sends no Origin, so here they would all share one bucket.
 * Exactly the paths that route serves, so none escapes both counts.
 */
export const IMAGE_PATH = /^\/dwt\/dwt_[0-9A-Za-z_]{1,32}\/img(?:\?|$)/;

/** Browsers cannot put headers on a WebSocket: there (only) the token may come in the query. */
export function tokenOf(req: IncomingMessage): string | undefined {
  const header = req.headers[TOKEN_HEADER];
  if (typeof header === 'string') return header;
  if (req.url?.startsWith('/ws?')) return new URLSearchParams(req.url.slice(4)).get('token') ?? undefined;
  return undefined;
}

/**
 * A loopback connection must come from a program of the user the service runs
 * for (`ownUid`; null: any user). One whose owner cannot be found is refused
 * too: the check must not be dodged by racing it. The connection guard has
 * started the lookup when the connection was accepted; a request waits for it.
 */
export async function checkPeerUser(socket: Socket, ownUid: number | null): Promise<void> {
  if (ownUid === null || !isLoopbackPeer(socket)) return;
  const uid = await ownerOf(socket);
  if (uid !== ownUid) throw otherUserError(uid, ownUid);
}

/** checkPeerUser without waiting: true only when the connection is known to be one the service answers. */
export function isKnownOwnPeer(socket: Socket, ownUid: number | null): boolean {
  return ownUid === null || !isLoopbackPeer(socket) || knownOwnerOf(socket) === ownUid;
}

export function gate(req: IncomingMessage, ctx: GateContext): Principal {
  const principal = authenticateRequest(req, ctx);
  const image = (req.method === 'GET' || req.method === 'HEAD') && IMAGE_PATH.test(req.url ?? '');
  if (!image && principal.kind !== 'admin' && !ctx.limiter.take(principal.origin ?? 'anonymous')) throw tooManyRequests();
  return principal;
}

/** The gate without the rate limit: Host, the TLS rule for other machines, the caller. */
export function authenticateRequest(req: IncomingMessage, ctx: Omit<GateContext, 'limiter'>): Principal {
  checkHost(req, ctx.bindAddress);
  // Only an administrator's BindAddress lets other machines connect at all; they must then use
  // TLS (and, like every caller, a token): a plain-HTTP token could be read on the network.
  if (!isLoopbackPeer(req.socket) && !(req.socket as { encrypted?: boolean }).encrypted) {
    throw new ScanbridgeError('host-not-allowed', 'connections from other machines must use HTTPS (the HttpsPort)');
  }
  return authenticate(ctx, req.headers.origin, tokenOf(req));
}

function checkHost(req: IncomingMessage, bindAddress: string): void {
  const port = req.socket.localPort;
  const hosts = hostHeaders(req);
  if (hosts.length !== 1) {
    throw new ScanbridgeError('host-not-allowed', hosts.length === 0 ? 'the request has no Host header' : 'the request has more than one Host header');
  }
  const host = hosts[0]!.toLowerCase();
  if (port === undefined || !hostsOf(port, bindAddress).has(host)) {
    throw new ScanbridgeError('host-not-allowed', `Host "${hosts[0]!.slice(0, 100)}" is not this service; use http://127.0.0.1:${port ?? '<port>'}`);
  }
  const url = req.url ?? '';
  if (!url.startsWith('/')) throw new ScanbridgeError('host-not-allowed', 'absolute-form request targets are not accepted; send a path');
}
