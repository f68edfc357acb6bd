/** Flags that start a service again on the ports a previous run had, so a page (or client) finds it where it was. */
import { createServer } from 'node:net';
import type { ListenerPorts } from '@scanbridge/service/dist/server/context.js';

export function samePortFlags(ports: ListenerPorts): string[] {
  return ['--http-port', String(ports.http), '--https-port', String(ports.https), '--welcome-http-port', String(ports.welcomeHttp), '--welcome-https-port', String(ports.welcomeHttps)];
}

/** A loopback port nobody listens on now (a service can be started on it later). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
