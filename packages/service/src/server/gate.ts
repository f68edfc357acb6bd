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
import { ScanbridgeError, TOKEN_HEADER } from '@scanbridge/protocol';
import { authenticate, type AuthContext, type Principal } from '../security/principal.js';
import type { RateLimiter } from '../security/rate-limit.js';
import { isLoopbackPeer, otherUserError, ownerOf } from './connection-guard.js';

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

export interface GateContext extends AuthContext {
  bindAddress: string;
  limiter: RateLimiter;
  /** The thumbnail endpoint's own buckets: a viewer's images never use up the origin's calls. */
  imageLimiter: RateLimiter;
}

const IMAGE_PATH = /^\/dwt\/[^/?]*\/img(?:\?|$)/;

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

export function gate(req: IncomingMessage, ctx: GateContext): Principal {
  checkHost(req, ctx.bindAddress);
  // Only an administrator's BindAddress lets other machines connect at all; they must then use
  // TLS (and, like every caller, a token): a plain-HTTP token could be read on the network.
  if (!isLoopbackPeer(req.socket) && !(req.socket as { encrypted?: boolean }).encrypted) {
    throw new ScanbridgeError('host-not-allowed', 'connections from other machines must use HTTPS (the HttpsPort)');
  }
  const principal = authenticate(ctx, req.headers.origin, tokenOf(req));
  const limiter = req.method === 'GET' && IMAGE_PATH.test(req.url ?? '') ? ctx.imageLimiter : ctx.limiter;
  if (principal.kind !== 'admin' && !limiter.take(principal.origin ?? 'anonymous')) {
    throw new ScanbridgeError('too-many-requests', 'too many requests from this origin; slow down and retry in a second');
  }
  return principal;
}

function checkHost(req: IncomingMessage, bindAddress: string): void {
  const port = req.socket.localPort;
  const hosts = hostHeaders(req);
  if (hosts.length !== 1) {
    throw new ScanbridgeError('host-not-allowed', hosts.length === 0 ? 'the request has no Host header' : 'the request has more than one Host header');
  }
  const host = hosts[0]!.toLowerCase();
  if (port === undefined || !allowedHosts(port, bindAddress).has(host)) {
    throw new ScanbridgeError('host-not-allowed', `Host "${hosts[0]!.slice(0, 100)}" is not this service; use http://127.0.0.1:${port ?? '<port>'}`);
  }
  const url = req.url ?? '';
  if (!url.startsWith('/')) throw new ScanbridgeError('host-not-allowed', 'absolute-form request targets are not accepted; send a path');
}
