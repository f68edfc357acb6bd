/**
 * A plain static server for the built demo (packages/demo/dist), so the demo
 * runs on an origin of its own, as an integrator's application would. Used by
 * `npm start -w @scanbridge/demo` and by the end-to-end tests.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEMO_DIST = fileURLToPath(new URL('../', import.meta.url));

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json' };

export interface DemoServer {
  server: Server;
  /** e.g. http://localhost:8080 */
  origin: string;
  close(): Promise<void>;
}

export async function serveDemo(opts: { port?: number; host?: string } = {}): Promise<DemoServer> {
  const host = opts.host ?? 'localhost';
  const server = createServer((req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/+/, '') || 'index.html';
    const type = TYPES[path.extname(name)];
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(name) || !type) {
      res.writeHead(404).end('not found');
      return;
    }
    readFile(path.join(DEMO_DIST, name)).then(
      (body) => res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' }).end(body),
      () => res.writeHead(404).end('not found: run npm run build'),
    );
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, host === 'localhost' ? '127.0.0.1' : host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    server,
    origin: `http://${host}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
