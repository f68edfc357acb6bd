/**
 * Files of the browser packages, served by the service itself:
 * `/sdk/scanbridge.js` (the SDK's single-file build, on every listener, for a
 * <script> tag) and `/demo/` (the demo application, on the welcome ports).
 * They come from the dist folders of @scanbridge/client and @scanbridge/demo,
 * found through the workspace packages; when a package is not built, the
 * answer is a 404 that names the build step.
 */
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { NO_SESSION_ID, ScanbridgeError } from '@scanbridge/protocol/core';
import type { ServiceContext } from './context.js';
import { errorEnvelope } from './rpc.js';

const require = createRequire(import.meta.url);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};
/** One level of plain file names: nothing can climb out of a dist folder. */
const FILE_NAME = /^[a-z0-9][a-z0-9._-]{0,100}$/;

function distOf(pkg: string): string | null {
  try {
    return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'dist');
  } catch {
    return null;
  }
}

function notBuilt(what: string, file: string): ScanbridgeError {
  return new ScanbridgeError('not-found', `${what} is not built (${file} is missing): run \`npm run build\` at the root of the scanbridge repository`);
}

/**
 * What the demo served by the service itself reads instead of its URL: where
 * the API listens (a link elsewhere cannot point it at another port) and the
 * grant that gets its origin a token (see RequestAccess).
 */
export const SERVICE_META = 'scanbridge-service';

function withServiceMeta(html: Buffer, ctx: Pick<ServiceContext, 'ports' | 'pageGrant'>): Buffer {
  const content = new URLSearchParams({ http: String(ctx.ports.http), https: String(ctx.ports.https), grant: ctx.pageGrant }).toString();
  return Buffer.from(html.toString('utf8').replace(/<head>/i, `<head>\n  <meta name="${SERVICE_META}" content="${content}">`));
}

async function sendFile(reply: FastifyReply, dist: string | null, name: string, what: string, transform?: (body: Buffer) => Buffer): Promise<FastifyReply> {
  const relative = `${what.replace('@scanbridge/', 'packages/')}/dist/${name}`;
  try {
    if (!FILE_NAME.test(name) || !TYPES[path.extname(name)]) throw new ScanbridgeError('not-found', `no file ${name.slice(0, 100)} in ${what}`);
    if (dist === null) throw notBuilt(what, relative);
    const file = path.join(dist, name);
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) throw name === 'index.html' || name === 'scanbridge.js' ? notBuilt(what, relative) : new ScanbridgeError('not-found', `no file ${name} in ${what}`);
    const body = await readFile(file);
    return reply
      .type(TYPES[path.extname(name)]!)
      // A page carrying the grant is never kept in a cache.
      .header('cache-control', transform ? 'no-store' : 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .send(transform ? transform(body) : body);
  } catch (err) {
    const { status, body } = errorEnvelope(NO_SESSION_ID, '', '', err);
    return reply.code(status).header('cache-control', 'no-store').send(body);
  }
}

/** Where the built files are; tests pass other folders (or null: not built). */
export interface StaticDists {
  client: string | null;
  demo: string | null;
}

export function registerStaticRoutes(
  app: FastifyInstance,
  ctx: Pick<ServiceContext, 'ports'> & Partial<Pick<ServiceContext, 'pageGrant'>>,
  role: 'api' | 'welcome',
  dists: StaticDists = { client: distOf('@scanbridge/client'), demo: distOf('@scanbridge/demo') },
): void {
  const { client, demo } = dists;
  app.get<{ Params: { file: string } }>('/sdk/:file', (req, reply) =>
    sendFile(reply, client, req.params.file === 'scanbridge.js' || req.params.file === 'scanbridge.js.map' ? req.params.file : '', '@scanbridge/client'),
  );
  if (role !== 'welcome') return;
  // The redirect tells the demo where this service's API listens (its ports may not be the defaults).
  app.get('/demo', (_req, reply) => reply.redirect(`/demo/?http=${ctx.ports.http}&https=${ctx.ports.https}`, 302));
  const grant = ctx.pageGrant;
  const index = grant === undefined ? undefined : (html: Buffer) => withServiceMeta(html, { ports: ctx.ports, pageGrant: grant });
  app.get('/demo/', (_req, reply) => sendFile(reply, demo, 'index.html', '@scanbridge/demo', index));
  app.get<{ Params: { file: string } }>('/demo/:file', (req, reply) => sendFile(reply, demo, req.params.file, '@scanbridge/demo', req.params.file === 'index.html' ? index : undefined));
}
