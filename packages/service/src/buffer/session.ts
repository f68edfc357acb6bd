/** One client session: an origin-bound image buffer that expires when idle. */
import type { SessionInfo } from '@scanbridge/protocol';
import type { ImageBuffer } from './image-buffer.js';

export class Session {
  /** Epoch milliseconds of the last request or buffer change. */
  lastActive = Date.now();

  constructor(
    readonly id: string,
    /** The web origin that created the session; the server only serves it to that origin. */
    readonly origin: string,
    readonly createdAt: Date,
    readonly buffer: ImageBuffer,
    private readonly idleTimeoutMs: number,
  ) {
    // Pages arriving from a long scan job keep the session alive even when the page polls nothing.
    buffer.on('change', () => this.touch());
  }

  touch(): void {
    this.lastActive = Date.now();
  }

  /** Idle for longer than the timeout, with no buffer change running. */
  isExpired(now = Date.now()): boolean {
    return !this.buffer.busy && now - this.lastActive > this.idleTimeoutMs;
  }

  info(): SessionInfo {
    return {
      id: this.id,
      origin: this.origin,
      pages: this.buffer.count(),
      createdAt: this.createdAt.toISOString(),
      idleTimeout: this.idleTimeoutMs / 1000,
    };
  }
}
