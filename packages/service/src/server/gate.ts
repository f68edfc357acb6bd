/**
 * The security gate: the one function every request (HTTP and WebSocket
 * upgrade) passes before routing. For now it enforces the Host rule against
 * DNS rebinding; origins, tokens and pairing join here.
 */
import type { IncomingMessage } from 'node:http';
import { ScanbridgeError } from '@scanbridge/protocol';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

function hostHeaders(req: IncomingMessage): string[] {
  const values: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === 'host') values.push(req.rawHeaders[i + 1]!);
  }
  return values;
}

/** Names the service answers to on `port`: its loopback names, plus an explicitly configured bind address. */
export function allowedHosts(port: number, bindAddress: string): Set<string> {
  const names = new Set(LOOPBACK_NAMES);
  if (!['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::'].includes(bindAddress)) names.add(bindAddress.includes(':') ? `[${bindAddress}]` : bindAddress);
  return new Set([...names].map((name) => `${name}:${port}`));
}

export function gate(req: IncomingMessage, bindAddress: string): void {
  const port = req.socket.localPort;
  const hosts = hostHeaders(req);
  if (hosts.length !== 1) {
    throw new ScanbridgeError('host-not-allowed', hosts.length === 0 ? 'the request has no Host header' : 'the request has more than one Host header');
  }
  const host = hosts[0]!.toLowerCase();
  if (port === undefined || !allowedHosts(port, bindAddress).has(host)) {
    throw new ScanbridgeError('host-not-allowed', `Host "${hosts[0]!.slice(0, 100)}" is not this service; use http://127.0.0.1:${port ?? '<port>'}`);
  }
  const url = req.url ?? '';
  if (!url.startsWith('/')) throw new ScanbridgeError('host-not-allowed', 'absolute-form request targets are not accepted; send a path');
}
