/**
 * Listening on every loopback address the service will be trusted under.
 * Browsers reach `localhost` over IPv6 (::1) as readily as over IPv4; an
 * address the service does not hold can be taken by any other account on
 * the same port, and the page that account serves would carry the origin of
 * the service's own pages. So each listener holds 127.0.0.1 and ::1 on one
 * port, and the names it is trusted under follow what it holds: `[::1]` only
 * with ::1, `127.0.0.1` only with 127.0.0.1, `localhost` only with both.
 */
import net from 'node:net';
import type { FastifyInstance } from 'fastify';

export type LoopbackAddress = '127.0.0.1' | '::1';

export interface Bound {
  port: number;
  /** Loopback addresses this listener holds on `port`. */
  held: LoopbackAddress[];
  /** Why a loopback address could not be held (for the log and the console). */
  problems: string[];
}

const V4 = '127.0.0.1';
const V6 = '::1';

/** Addresses the bind address covers by itself (a wildcard holds its family's loopback). */
function heldBy(bindAddress: string): LoopbackAddress[] {
  if (bindAddress === V4 || bindAddress === 'localhost' || bindAddress === '0.0.0.0') return [V4];
  if (bindAddress === V6) return [V6];
  // Node listens on `::` in both families (IPV6_V6ONLY off).
  if (bindAddress === '::') return [V4, V6];
  return [];
}

/**
 * A second socket on `address`:`port` whose connections the listener's own
 * server takes over, so that both addresses share its routes, limits,
 * timeouts and TLS: an http(s) server handles whatever socket its
 * 'connection' event is given.
 */
function listenAlso(app: FastifyInstance, address: LoopbackAddress, port: number): Promise<net.Server> {
  const server = net.createServer((socket) => app.server.emit('connection', socket));
  server.maxConnections = app.server.maxConnections;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port, ipv6Only: address === V6 }, () => {
      server.off('error', reject);
      app.server.once('close', () => server.close());
      resolve(server);
    });
  });
}

/** Listen on `bindAddress` (which may throw EADDRINUSE), then on the loopback addresses it does not cover. */
export async function listenLoopback(app: FastifyInstance, port: number, bindAddress: string): Promise<Bound> {
  await app.listen({ port, host: bindAddress === 'localhost' ? V4 : bindAddress });
  const address = app.server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  const held = heldBy(bindAddress);
  const problems: string[] = [];
  // Only where the bind address is itself loopback or a wildcard: an administrator who bound
  // one network address asked for no loopback listener, and gets no loopback trust.
  if (held.length === 1) {
    const other: LoopbackAddress = held[0] === V4 ? V6 : V4;
    try {
      await listenAlso(app, other, actual);
      held.push(other);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      const shown = other === V6 ? '[::1]' : other;
      const why = code === 'EADDRINUSE' ? 'another program holds it' : code;
      problems.push(`cannot listen on ${shown}:${actual} (${why}): pages reached through ${shown} or localhost on port ${actual} are not trusted as scanbridge's own`);
    }
  }
  held.sort();
  return { port: actual, held, problems };
}

/** Host names a page of this listener may have in its origin: only names whose every address the listener holds. */
export function trustedNames(held: readonly LoopbackAddress[]): string[] {
  const names: string[] = [];
  if (held.includes(V4)) names.push(V4);
  if (held.includes(V6)) names.push('[::1]');
  if (held.includes(V4) && held.includes(V6)) names.push('localhost');
  return names;
}
