/**
 * Connections are judged when they are accepted, not when a request is
 * complete: another account's connection is closed at once (unless
 * AllowOtherUsers), so holding idle connections cannot fill the listener;
 * and no one account, nor one web origin, may hold more than its share, so
 * the user's own calls always find room.
 */
import type { Server } from 'node:net';
import type { Socket } from 'node:net';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import { canCheckPeers, peerUid } from '../security/peer-user.js';
import { HANDSHAKE_TIMEOUT_MS, rawAnswer } from './request-limits.js';

/** Connections a listener holds in all (Node drops those beyond at once). */
export const MAX_CONNECTIONS = 1024;
/** Connections one user account may hold on a listener (the service's own user too). */
export const MAX_CONNECTIONS_PER_OWNER = 512;
/** Connections whose requests name one Origin (a browser opens 6 per host, a page at most 255 WebSockets). */
export const MAX_CONNECTIONS_PER_ORIGIN = 128;

const LOOPBACK_PEER = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

export function isLoopbackPeer(socket: Pick<Socket, 'remoteAddress'>): boolean {
  return LOOPBACK_PEER.test(socket.remoteAddress ?? '');
}

/** One key for the TCP socket and the TLS socket on top of it. */
const keyOf = (s: Pick<Socket, 'localAddress' | 'localPort' | 'remoteAddress' | 'remotePort'>) => `${s.localAddress}|${s.localPort}|${s.remoteAddress}|${s.remotePort}`;

/** The owner of each open loopback connection, looked up once when it is accepted (a keep-alive connection carries many requests). */
const owners = new Map<string, Promise<number | null>>();

/** The user account that opened `socket` (null: unknown), looked up at most once per connection. */
export function ownerOf(socket: Socket): Promise<number | null> {
  const key = keyOf(socket);
  let owner = owners.get(key);
  if (!owner) {
    const lookup = (owner = peerUid(socket));
    owners.set(key, lookup);
    lookup.then(
      (uid) => {
        if (owners.get(key) === lookup) knownOwners.set(key, uid);
      },
      () => undefined,
    );
    socket.once('close', () => {
      owners.delete(key);
      knownOwners.delete(key);
    });
  }
  return owner;
}

/** Owners whose lookup has ended, for answers that cannot wait (cached-image.ts). */
const knownOwners = new Map<string, number | null>();

/** The owner of `socket` if its lookup has ended; undefined while it has not (or never started). */
export function knownOwnerOf(socket: Socket): number | null | undefined {
  return knownOwners.get(keyOf(socket));
}

export function otherUserError(uid: number | null, ownUid: number): ScanbridgeError {
  return new ScanbridgeError('other-user', uid === null ? 'the user account of this connection could not be determined; scanbridge answers only its own user' : `this connection comes from another user account (uid ${uid}); scanbridge answers only the programs of its own user (uid ${ownUid})`);
}

export interface GuardOptions {
  /** The user account whose programs are served, or null when any account's are (AllowOtherUsers, or no way to tell). */
  ownUid: number | null;
  /** The listener speaks TLS: nothing can be answered before a handshake, so a refused connection is just closed. */
  tls: boolean;
  onRefused?: (error: ScanbridgeError) => void;
}

export class ConnectionGuard {
  private readonly perOwner = new Map<number, number>();
  private readonly perOrigin = new Map<string, number>();
  /** The origin each connection is counted for (by connection key). */
  private readonly originOf = new Map<string, string>();
  /** Connections refused here: a request already read from one must not be answered again. */
  private readonly refused = new WeakSet<Socket>();
  private readonly peersKnown = canCheckPeers();

  constructor(
    server: Server,
    private readonly opts: GuardOptions,
  ) {
    server.maxConnections = MAX_CONNECTIONS;
    // The TCP socket, before any byte (or TLS handshake) is read.
    server.on('connection', (socket: Socket) => void this.accepted(socket));
    if (opts.tls) this.limitHandshakes(server);
  }

  /**
   * Node's own TLS handshake timeout restarts with every byte (a client may
   * trickle its hello) and leaves the connection open when it fires: a
   * handshake gets this long in all, then the connection is closed.
   */
  private limitHandshakes(server: Server): void {
    const pending = new Map<string, NodeJS.Timeout>();
    server.on('connection', (socket: Socket) => {
      const key = keyOf(socket);
      pending.set(key, setTimeout(() => socket.destroy(), HANDSHAKE_TIMEOUT_MS));
      socket.once('close', () => {
        clearTimeout(pending.get(key));
        pending.delete(key);
      });
    });
    server.on('secureConnection', (socket: Socket) => {
      clearTimeout(pending.get(keyOf(socket)));
      pending.delete(keyOf(socket));
    });
    server.on('tlsClientError', (_err: Error, socket: Socket) => socket.destroy());
  }

  private async accepted(socket: Socket): Promise<void> {
    if (!isLoopbackPeer(socket) || !(await this.peersKnown)) return;
    const uid = await ownerOf(socket);
    if (socket.destroyed) return;
    const { ownUid } = this.opts;
    if (ownUid !== null && uid !== ownUid) return this.refuse(socket, otherUserError(uid, ownUid));
    if (uid === null) return;
    const held = this.perOwner.get(uid) ?? 0;
    if (held >= MAX_CONNECTIONS_PER_OWNER) {
      return this.refuse(socket, new ScanbridgeError('too-many-requests', `user account ${uid} holds ${held} connections to scanbridge, the most one account may; close some`));
    }
    this.perOwner.set(uid, held + 1);
    socket.once('close', () => this.release(this.perOwner, uid));
  }

  /**
   * Counts the connection of a request for its Origin (the first request's,
   * or a later one's if it names another); refuses it when that origin holds
   * too many. Requests without an Origin (the user's programs) count only for their account.
   */
  admit(socket: Socket, origin: string | undefined): void {
    if (origin === undefined) return;
    const key = keyOf(socket);
    const current = this.originOf.get(key);
    if (current === origin) return;
    const held = this.perOrigin.get(origin) ?? 0;
    if (held >= MAX_CONNECTIONS_PER_ORIGIN) {
      throw new ScanbridgeError('too-many-requests', `${origin.slice(0, 100)} holds ${held} connections to scanbridge, the most one origin may; reuse connections (keep-alive) or close some`);
    }
    if (current === undefined) socket.once('close', () => this.release(this.perOrigin, this.originOf.get(key)!, () => this.originOf.delete(key)));
    else this.release(this.perOrigin, current);
    this.originOf.set(key, origin);
    this.perOrigin.set(origin, held + 1);
  }

  /** Whether the guard refused this connection already (its answer is sent). */
  wasRefused(socket: Socket): boolean {
    return this.refused.has(socket);
  }

  private refuse(socket: Socket, error: ScanbridgeError): void {
    this.refused.add(socket);
    this.opts.onRefused?.(error);
    // TLS: nothing can be said before a handshake. An answer already begun on this
    // connection (with AllowOtherUsers, requests do not wait for the owner) cannot be followed by another.
    const response = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (this.opts.tls || !socket.writable || response?.headersSent) {
      socket.destroy();
      return;
    }
    // Closed at once, with the typed answer; whatever the client sent is never read.
    socket.end(rawAnswer(error));
    socket.destroySoon();
  }

  private release<K>(counts: Map<K, number>, key: K, then?: () => void): void {
    const n = (counts.get(key) ?? 1) - 1;
    if (n <= 0) counts.delete(key);
    else counts.set(key, n);
    then?.();
  }
}
