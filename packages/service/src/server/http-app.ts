/**
 * One Fastify app per listener (HTTP/HTTPS x API/welcome). All four answer the
 * seed's URL forms; the welcome ports also serve the welcome page. Every
 * request passes the gate first.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Fastify, websocket } from './http-stack.js';
import { NO_SESSION_ID, SESSION_HEADER, ScanbridgeError } from '@scanbridge/protocol/core';
import type { ServiceContext } from './context.js';
import { checkPeerUser, gate } from './gate.js';
import { checkAccess, dispatch, errorEnvelope } from './rpc.js';
import { ConnectionGuard } from './connection-guard.js';
import { FILE_METHODS, HANDSHAKE_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS, RECEIVE_LIMITS, REQUEST_TIMEOUT_MS, SMALL_BODY_BYTES, answerTimeouts, lingerAfterRefusal } from './request-limits.js';
import { BinarySlot, binaryRequest, sendBinary, type BinaryRequest } from './binary-transport.js';
import { registerImageRoute } from './image-route.js';
import { answerCachedImagesFirst } from './cached-image.js';
import { registerCameraPreviewRoute } from './camera-preview-route.js';
import { registerWebSocket } from './websocket.js';
import { welcomePage } from './welcome-page.js';
import { registerCors } from './cors.js';
import { registerPageHeaders } from './page-headers.js';
import { registerConsentRoutes } from './consent-routes.js';
import { registerStaticRoutes } from './static-routes.js';
import { disconnectSignal } from './disconnect-signal.js';
import { memoryUpkeep } from '../util/memory-upkeep.js';
import { lazySchemaController } from './schema-compilers.js';
import { listenerTls } from '../security/listener-tls.js';

export interface AppOptions {
  role: 'api' | 'welcome';
  tls?: { key: string; cert: string };
}

function sendError(reply: FastifyReply, err: unknown, method = ''): FastifyReply {
  const { status, body } = errorEnvelope(NO_SESSION_ID, method, '', err);
  // A refused body is never read: closing the connection stops the client sending it
  // (a connection kept open would have to read it to its end first).
  const raw = reply.request.raw;
  if (!raw.complete && (raw.headers['transfer-encoding'] !== undefined || Number(raw.headers['content-length'] ?? 0) > 0)) {
    reply.header('connection', 'close');
    lingerAfterRefusal(raw.socket);
  }
  return reply.code(status).header('cache-control', 'no-store').send(body);
}

/** The RPC method a request calls (undefined for other endpoints), known from its route before its body is read. */
function rpcMethodOf(req: FastifyRequest): string | undefined {
  const url = req.routeOptions.url ?? '';
  if (!/^\/fa?\/(:method|[A-Za-z]+)$/.test(url)) return undefined;
  return (req.params as { method?: string }).method ?? url.slice(url.lastIndexOf('/') + 1);
}

function tooLarge(limit: number, method: string | undefined): ScanbridgeError {
  const mb = `${Math.round((limit / 1048576) * 10) / 10} MB`;
  return new ScanbridgeError(
    'too-large',
    FILE_METHODS.includes(method ?? '') ? `the body is larger than ${mb} (MaxBodyMB)` : `the body${method ? ` of ${method.slice(0, 64)}` : ''} is larger than ${mb}; only methods that take a file (${FILE_METHODS.join(', ')}) take more`,
  );
}

/** The request envelope: the JSON body (POST) or the query (GET); the session may also come from a header. */
function envelopeOf(req: FastifyRequest): unknown {
  let body: unknown = {};
  if (req.method === 'POST') {
    const raw = (req.body as Buffer | undefined)?.toString('utf8').trim() ?? '';
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch (err) {
        throw new ScanbridgeError('invalid-json', `the body is not valid JSON: ${(err as Error).message}`);
      }
    }
  } else {
    const query = req.query as Record<string, unknown>;
    body = typeof query.id === 'string' ? { id: query.id } : {};
  }
  const header = req.headers[SESSION_HEADER];
  if (typeof header === 'string' && body !== null && typeof body === 'object' && !Array.isArray(body) && !('id' in body)) {
    body = { ...body, id: header };
  }
  return body;
}

export async function buildApp(ctx: ServiceContext, opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    // Small bodies everywhere; the routes of the methods that take a file raise it to MaxBodyMB.
    bodyLimit: SMALL_BODY_BYTES,
    // Slow clients are bounded while they send a request (headers, request and TLS handshake
    // timeouts, request-limits.ts) and while idle between requests (keep-alive), never while an
    // answer is worked out: no socket-inactivity timeout, which would cut long polls.
    connectionTimeout: 0,
    requestTimeout: REQUEST_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    routerOptions: { maxParamLength: 200 },
    schemaController: lazySchemaController(),
    // Node would answer a missing Host with a bare 400; the gate answers it with its typed error.
    ...(opts.tls
      ? { https: { ...listenerTls(opts.tls), requireHostHeader: false, handshakeTimeout: HANDSHAKE_TIMEOUT_MS, ...RECEIVE_LIMITS } }
      : { http: { requireHostHeader: false, ...RECEIVE_LIMITS } }),
  }) as unknown as FastifyInstance;

  // Bounded connections, judged when accepted: another account's are closed at once, and no
  // account or origin may take them all.
  const guard = new ConnectionGuard(app.server, { ownUid: ctx.ownUid, tls: Boolean(opts.tls), onRefused: (error) => ctx.log.warn({ code: error.code }, `connection refused: ${error.message}`) });
  answerTimeouts(app.server);
  // Cached thumbnails are answered before Fastify sees them, after the same checks (cached-image.ts).
  answerCachedImagesFirst(app.server, ctx, guard, opts.role);

  // Bodies are parsed by the RPC layer so that bad JSON gets the protocol's envelope.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // Registered before the gate: its hooks mark upgrade requests so that an upgrade the gate
  // refuses has its socket destroyed after the refusal (otherwise closing the server hangs on it).
  await app.register(websocket, { options: { maxPayload: ctx.maxBodyBytes } });

  // Work done frees memory that V8 and glibc are slow to give back (util/memory-upkeep.ts).
  app.addHook('onResponse', (_req, _reply, done) => {
    memoryUpkeep.touch();
    done();
  });

  // Set by the gate on every request before anything else runs.
  app.decorateRequest('principal', null as never);
  app.addHook('onRequest', async (req, reply) => {
    try {
      await checkPeerUser(req.raw.socket, ctx.ownUid);
      req.principal = gate(req.raw, ctx);
      guard.admit(req.raw.socket, req.headers.origin);
    } catch (err) {
      // The guard has answered and closed this connection already.
      if (guard.wasRefused(req.raw.socket)) return reply.hijack();
      ctx.log.warn({ code: (err as ScanbridgeError).code, url: req.url.split('?')[0], host: req.headers.host?.slice(0, 100) }, 'request refused');
      return sendError(reply, err);
    }
  });

  // The welcome ports serve the service's own pages (welcome, consent, demo): no other origin may read them.
  if (opts.role === 'api') registerCors(app, ctx);
  else registerPageHeaders(app);

  // Still before a byte of the body is read (after CORS preflights are answered): may this
  // caller call this method, is there such an endpoint, and is the announced body within its limit?
  app.addHook('onRequest', async (req, reply) => {
    const method = rpcMethodOf(req);
    try {
      if (method !== undefined) checkAccess(method, req.principal);
      if (req.is404) throw new ScanbridgeError('not-found', `no endpoint ${req.method} ${req.url.split('?')[0]!.slice(0, 100)}`);
      const limit = req.routeOptions.bodyLimit ?? SMALL_BODY_BYTES;
      if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge(limit, method);
    } catch (err) {
      return sendError(reply, err, method);
    }
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err instanceof ScanbridgeError) return sendError(reply, err);
    if (err.statusCode === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const method = rpcMethodOf(req);
      return sendError(reply, tooLarge(req.routeOptions.bodyLimit ?? SMALL_BODY_BYTES, method), method);
    }
    if (err.statusCode && err.statusCode < 500) return sendError(reply, new ScanbridgeError('invalid-request', err.message));
    ctx.log.error({ err }, 'unhandled error');
    return sendError(reply, new ScanbridgeError('internal-error', 'internal error; details are in the service log'));
  });

  app.setNotFoundHandler((req, reply) => sendError(reply, new ScanbridgeError('not-found', `no endpoint ${req.method} ${req.url.split('?')[0]!.slice(0, 100)}`)));

  // Access to the method was decided in onRequest, before its body was read.
  const rpcRoute = (scope: 'fa' | 'f', fixed?: string) => async (req: FastifyRequest<{ Params: { method?: string } }>, reply: FastifyReply) => {
    const method = fixed ?? req.params.method ?? '';
    let envelope: unknown;
    let file: BinaryRequest | undefined;
    try {
      file = binaryRequest(req, method);
      envelope = file ? file.envelope : envelopeOf(req);
    } catch (err) {
      return sendError(reply, err, method);
    }
    const slot = new BinarySlot();
    const outcome = await dispatch(ctx, method, envelope, { principal: req.principal, transport: 'http', get: req.method === 'GET', scope, body: file?.body, binary: slot, signal: disconnectSignal(reply) });
    if (slot.answer && outcome.status === 200) return sendBinary(reply, slot.answer);
    slot.answer?.body.destroy();
    return reply.code(outcome.status).header('cache-control', 'no-store').send(outcome.body);
  };
  for (const scope of ['fa', 'f'] as const) {
    app.route({ method: ['GET', 'POST'], url: `/${scope}/:method`, handler: rpcRoute(scope) });
    // The methods that take a file are the only ones that may send a large body.
    for (const name of FILE_METHODS) app.route({ method: ['GET', 'POST'], url: `/${scope}/${name}`, bodyLimit: ctx.maxBodyBytes, handler: rpcRoute(scope, name) });
  }

  registerImageRoute(app, ctx);
  if (opts.role === 'api') registerCameraPreviewRoute(app, ctx);
  registerStaticRoutes(app, ctx, opts.role);
  registerWebSocket(app, ctx);

  if (opts.role === 'welcome') {
    registerConsentRoutes(app, ctx);
    app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('x-frame-options', 'DENY').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'").send(await welcomePage(ctx)));
  } else {
    app.get('/', async (_req, reply) => reply.header('cache-control', 'no-store').send({ service: 'scanbridge', welcome: `http://127.0.0.1:${ctx.ports.welcomeHttp}/` }));
  }
  return app;
}
