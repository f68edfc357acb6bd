/**
 * A page of the test's own, served from loopback as an integrator's page
 * would be. (A page answered by Playwright's request interception has no
 * address, so Chromium treats it as public and its Local Network Access rules
 * keep it from the service: the page must really come from 127.0.0.1.)
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The SDK's single-file build, as an application serves it from its own origin. */
export const SDK_FILE = fileURLToPath(new URL('../scanbridge.js', import.meta.url));

export interface PageServer {
  /** e.g. http://127.0.0.1:40123 */
  origin: string;
  /** The page served at every path (it may name the service, started after this server). */
  html: string;
  close(): Promise<void>;
}

/**
 * `scripts` maps paths (e.g. /scanbridge.js) to JavaScript files served from
 * disk; every other path answers `html`. With `tls` (PEM key and certificate)
 * the page is served over HTTPS.
 */
export async function servePage(html = '', scripts: Record<string, string> = {}, tls?: { key: string; cert: string }): Promise<PageServer> {
  const page = { html } as PageServer;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const file = scripts[new URL(req.url ?? '/', 'http://x').pathname];
    if (!file) return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page.html);
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(body),
      () => res.writeHead(404).end(),
    );
  };
  const server = tls ? createTlsServer(tls, handler) : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  page.origin = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  page.close = () => new Promise((resolve) => server.close(() => resolve()));
  return page;
}
