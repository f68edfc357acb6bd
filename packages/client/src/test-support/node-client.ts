/**
 * connect() from Node tests: Node 20 has fetch but no global WebSocket, so the
 * `ws` package stands in; a script has no origin to approve, so it presents the
 * service's administrator token (as the CLI does).
 */
import { after, before } from 'node:test';
import WebSocket from 'ws';
import { startInProcess, tokenFor, type InProcess } from '@scanbridge/service/dist/test-support/service-harness.js';
import { connect, type ConnectOptions } from '../connect.js';
import type { ClientEvents, ScanbridgeClient, WebSocketClass } from '../client.js';
import type { Emitter } from '../emitter.js';

export function connectNode(options: ConnectOptions = {}): Promise<ScanbridgeClient> {
  const token = tokenFor(`http://127.0.0.1:${options.httpPort ?? 18622}`);
  return connect({ WebSocket: WebSocket as unknown as WebSocketClass, storageKey: false, reconnect: { initialDelayMs: 50, maxDelayMs: 500 }, ...(token ? { token } : {}), ...options });
}

/**
 * For the tests of one describe block: a service in this process and a client
 * connected to it, handed to `use` before the tests run; both closed after.
 */
export function withConnectedClient(use: (client: ScanbridgeClient) => void): void {
  let svc: InProcess | undefined;
  let client: ScanbridgeClient | undefined;
  before(async () => {
    svc = await startInProcess();
    client = await connectNode({ httpPort: svc.ports.http });
    use(client);
  });
  after(async () => {
    await client?.close();
    await svc?.close();
  });
}

/** The next event `name` that satisfies `test`. */
export function nextEvent<E extends object, K extends keyof E>(emitter: Emitter<E>, name: K, test: (data: E[K]) => boolean = () => true): Promise<E[K]> {
  return new Promise((resolve) => {
    const off = emitter.on(name, (data) => {
      if (!test(data)) return;
      off();
      resolve(data);
    });
  });
}

export type { ClientEvents };
