/**
 * A page of the test's own, served from loopback as an integrator's page
 * would be. (A page answered by Playwright's request interception has no
 * address, so Chromium treats it as public and its Local Network Access rules
 * keep it from the service: the page must really come from 127.0.0.1.)
 */
import { createServer } from 'node:http';

export interface PageServer {
  /** e.g. http://127.0.0.1:40123 */
  origin: string;
  /** The page served at every path (it may name the service, started after this server). */
  html: string;
  close(): Promise<void>;
}

export async function servePage(html = ''): Promise<PageServer> {
  const page = { html } as PageServer;
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page.html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  page.origin = `http://127.0.0.1:${port}`;
  page.close = () => new Promise((resolve) => server.close(() => resolve()));
  return page;
}
