/**
 * One Fastify app per listener (HTTP/HTTPS x API/welcome). All four answer the
 * seed's URL forms; the welcome ports also serve the welcome page. Every
 * request passes the gate first.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import { NO_SESSION_ID, SESSION_HEADER, ScanbridgeError } from '@scanbridge/protocol';
import type { ServiceContext } from './context.js';
import { checkPeerUser, gate } from './gate.js';
import { checkAccess, dispatch, errorEnvelope } from './rpc.js';
import { BinarySlot, binaryRequest, sendBinary, type BinaryRequest } from './binary-transport.js';
import { registerImageRoute } from './image-route.js';
import { registerWebSocket } from './websocket.js';
import { welcomePage } from './welcome-page.js';
import { registerCors } from './cors.js';
import { registerConsentRoutes } from './consent-routes.js';
import { registerStaticRoutes } from './static-routes.js';
import { disconnectSignal } from './disconnect-signal.js';

export interface AppOptions {
  role: 'api' | 'welcome';
  tls?: { key: string; cert: string };
}

function sendError(reply: FastifyReply, err: unknown, method = ''): FastifyReply {
  const { status, body } = errorEnvelope(NO_SESSION_ID, method, '', err);
  return reply.code(status).header('cache-control', 'no-store').send(body);
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
    bodyLimit: ctx.maxBodyBytes,
    // Bounded requests: slow clients cannot hold sockets forever.
    requestTimeout: 120_000,
    connectionTimeout: 30_000,
    keepAliveTimeout: 5_000,
    routerOptions: { maxParamLength: 200 },
    // Node would answer a missing Host with a bare 400; the gate answers it with its typed error.
    ...(opts.tls ? { https: { key: opts.tls.key, cert: opts.tls.cert, requireHostHeader: false } } : { http: { requireHostHeader: false } }),
  }) as unknown as FastifyInstance;

  // Bounded connections: a page opening sockets in a loop cannot exhaust the process.
  app.server.maxConnections = 512;

  // Bodies are parsed by the RPC layer so that bad JSON gets the protocol's envelope.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // Registered before the gate: its hooks mark upgrade requests so that an upgrade the gate
  // refuses has its socket destroyed after the refusal (otherwise closing the server hangs on it).
  await app.register(websocket, { options: { maxPayload: ctx.maxBodyBytes } });

  // Set by the gate on every request before anything else runs.
  app.decorateRequest('principal', null as never);
  app.addHook('onRequest', async (req, reply) => {
    try {
      await checkPeerUser(req.raw.socket, ctx.ownUid);
      req.principal = gate(req.raw, ctx);
    } catch (err) {
      ctx.log.warn({ code: (err as ScanbridgeError).code, url: req.url.split('?')[0], host: req.headers.host?.slice(0, 100) }, 'request refused');
      return sendError(reply, err);
    }
  });

  registerCors(app, ctx);

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (err instanceof ScanbridgeError) return sendError(reply, err);
    if (err.statusCode === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(reply, new ScanbridgeError('too-large', `the body is larger than ${Math.round(ctx.maxBodyBytes / 1048576)} MB (MaxBodyMB)`));
    }
    if (err.statusCode && err.statusCode < 500) return sendError(reply, new ScanbridgeError('invalid-request', err.message));
    ctx.log.error({ err }, 'unhandled error');
    return sendError(reply, new ScanbridgeError('internal-error', 'internal error; details are in the service log'));
  });

  app.setNotFoundHandler((req, reply) => sendError(reply, new ScanbridgeError('not-found', `no endpoint ${req.method} ${req.url.split('?')[0]!.slice(0, 100)}`)));

  const rpcRoute = (scope: 'fa' | 'f') => async (req: FastifyRequest<{ Params: { method: string } }>, reply: FastifyReply) => {
    let envelope: unknown;
    let file: BinaryRequest | undefined;
    try {
      // Refuse callers without a token before the body is even parsed.
      checkAccess(req.params.method, req.principal);
      file = binaryRequest(req, req.params.method);
      envelope = file ? file.envelope : envelopeOf(req);
    } catch (err) {
      return sendError(reply, err, req.params.method);
    }
    const slot = new BinarySlot();
    const outcome = await dispatch(ctx, req.params.method, envelope, { principal: req.principal, transport: 'http', get: req.method === 'GET', scope, body: file?.body, binary: slot, signal: disconnectSignal(reply) });
    if (slot.answer && outcome.status === 200) return sendBinary(reply, slot.answer);
    slot.answer?.body.destroy();
    return reply.code(outcome.status).header('cache-control', 'no-store').send(outcome.body);
  };
  app.route({ method: ['GET', 'POST'], url: '/fa/:method', handler: rpcRoute('fa') });
  app.route({ method: ['GET', 'POST'], url: '/f/:method', handler: rpcRoute('f') });

  registerImageRoute(app, ctx);
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
