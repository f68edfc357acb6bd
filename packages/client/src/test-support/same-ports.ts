/** Flags that start a service again on the ports a previous run had, so a page (or client) finds it where it was. */
import type { ListenerPorts } from '@scanbridge/service/dist/server/context.js';

export function samePortFlags(ports: ListenerPorts): string[] {
  return ['--http-port', String(ports.http), '--https-port', String(ports.https), '--welcome-http-port', String(ports.welcomeHttp), '--welcome-https-port', String(ports.welcomeHttps)];
}
