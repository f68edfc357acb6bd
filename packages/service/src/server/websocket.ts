/**
 * `GET /ws?id=<session>`: the same RPC envelope as HTTP (the method named in
 * the message), plus events pushed for the subscribed session. A socket
 * subscribes to the session named at connect, or to the first session it
 * calls a method on.
 */
import type { FastifyInstance } from 'fastify';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { ServiceContext } from './context.js';
import { dispatch, errorEnvelope } from './rpc.js';
import { tokenOf } from './gate.js';
import { sameSecret, tokenHash } from '../security/secrets.js';

/** Calls one socket may have waiting for their answers. */
const MAX_WAITING = 64;

export function registerWebSocket(app: FastifyInstance, ctx: ServiceContext): void {
  app.get<{ Querystring: Record<string, unknown> }>('/ws', { websocket: true }, (socket, req) => {
    const principal = req.principal;
    const refuse = (err: ScanbridgeError, code: number) => {
      socket.send(JSON.stringify(errorEnvelope('1', '', '', err).body));
      socket.close(code, err.code);
    };
    if (principal.kind === 'anonymous') {
      refuse(new ScanbridgeError('token-invalid', 'open the WebSocket with ?token=<the token from RequestAccess>'), 4403);
      return;
    }
    // The socket outlives the upgrade that authenticated it: revoking the origin (or its token) must stop it too.
    const hash = tokenHash(tokenOf(req.raw) ?? '');
    const revoked = () => principal.kind === 'page' && !ctx.approvals.tokenHashes(principal.origin).some((h) => sameSecret(h, hash));
    const refuseRevoked = () => refuse(new ScanbridgeError('token-invalid', `the token of ${principal.origin} is no longer valid (the origin was revoked, or newer tokens replaced it); call RequestAccess again`), 4403);
    let unsubscribe: (() => void) | null = null;
    const subscribe = (sessionId: string) => {
      if (unsubscribe) return;
      const off = ctx.hub.subscribe(sessionId, (event) => {
        if (socket.readyState !== socket.OPEN) return;
        if (revoked()) refuseRevoked();
        else socket.send(JSON.stringify(event));
      });
      // A page with an open socket is using its session: keep it from expiring.
      const keepAlive = setInterval(() => {
        if (ctx.sessions.has(sessionId)) ctx.sessions.get(sessionId).touch();
      }, 30_000);
      keepAlive.unref();
      unsubscribe = () => {
        off();
        clearInterval(keepAlive);
      };
    };
    const initial = req.query.id;
    if (typeof initial === 'string' && initial !== '') {
      // Another origin's session is reported as unknown, as over HTTP.
      if (!ctx.sessions.has(initial) || (principal.kind === 'page' && ctx.sessions.get(initial).origin !== principal.origin)) {
        socket.send(JSON.stringify(errorEnvelope(initial.slice(0, 128), '', '', new ScanbridgeError('unknown-session', 'the session was closed or expired; create a new one')).body));
        socket.close(4404, 'unknown-session');
        return;
      }
      subscribe(initial);
    }

    // Calls are answered in order, one at a time per socket, as a client expects.
    // Messages count against the origin's rate like HTTP calls, and a socket
    // may have only so many waiting: a flood is answered, not queued without end.
    let queue = Promise.resolve();
    let waiting = 0;
    socket.on('message', (data, isBinary) => {
      if (waiting >= MAX_WAITING || (principal.kind !== 'admin' && !ctx.limiter.take(principal.origin ?? 'anonymous'))) {
        socket.send(JSON.stringify(errorEnvelope('1', '', '', new ScanbridgeError('too-many-requests', `too many messages on this WebSocket (at most ${MAX_WAITING} waiting for an answer); wait for answers before sending more`)).body));
        return;
      }
      waiting++;
      queue = queue.then(async () => {
        if (revoked()) return refuseRevoked();
        let message: unknown;
        try {
          if (isBinary) throw new ScanbridgeError('invalid-request', 'binary frames are not accepted; send JSON text');
          message = JSON.parse(data.toString());
        } catch (err) {
          const e = err instanceof ScanbridgeError ? err : new ScanbridgeError('invalid-json', `the message is not valid JSON: ${(err as Error).message}`);
          socket.send(JSON.stringify(errorEnvelope('1', '', '', e).body));
          return;
        }
        const method = message !== null && typeof message === 'object' && typeof (message as { method?: unknown }).method === 'string' ? (message as { method: string }).method : '';
        const outcome = method
          ? await dispatch(ctx, method, message, { principal, transport: 'ws', get: false, scope: 'any' })
          : errorEnvelope('1', '', '', new ScanbridgeError('invalid-request', 'the message needs "method"'));
        if ('result' in outcome.body && outcome.body.id !== '1') subscribe(outcome.body.id);
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(outcome.body));
      }).finally(() => waiting--);
    });
    socket.on('close', () => unsubscribe?.());
    socket.on('error', () => unsubscribe?.());
  });
}
