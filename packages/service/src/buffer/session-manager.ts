/**
 * All sessions of the service: creation, lookup, closing, idle expiry, and
 * recovery of every session folder found in the cache folder at start-up
 * (after a restart or a crash the pages are all still there).
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { BufferEvent } from '@scanbridge/protocol';
import type { BufferState } from './buffer-state.js';
import { ImageBuffer } from './image-buffer.js';
import { Journal, writeSessionMeta } from './journal.js';
import { MemoryCache } from './memory-cache.js';
import { recoverSession } from './recovery.js';
import { Session } from './session.js';
import { type BufferIO, type BufferLog, errnoCode, noLog, nodeIO, short, storageError } from './storage.js';

export interface SessionManagerOptions {
  cacheDir: string;
  /** 32-byte page-file key (see loadOrCreateCacheKey). */
  key: Buffer;
  memoryBudgetBytes: number;
  idleTimeoutMs: number;
  log?: BufferLog;
  /** How often idle sessions are looked for; default: a quarter of the timeout, between 50 ms and 30 s. */
  sweepIntervalMs?: number;
  /** File-system calls, for tests that inject disk errors. */
  io?: BufferIO;
}

export { Session };

const SESSION_ID = /^[0-9a-f]{32}$/;
const TRASH = '.trash-';

export interface SessionManagerEvents {
  /** Every buffer change of every session, for pushing to that session's sockets. */
  change: [sessionId: string, event: BufferEvent];
  /** A session was closed for being idle too long (after its folder was deleted). */
  expired: [sessionId: string];
  /** A session was closed, on request or by expiry. */
  closed: [sessionId: string];
}

export class SessionManager extends EventEmitter<SessionManagerEvents> {
  readonly #sessions = new Map<string, Session>();
  readonly #cache: MemoryCache;
  readonly #io: BufferIO;
  readonly #log: BufferLog;
  readonly #timer: NodeJS.Timeout;
  #stopping = false;

  private constructor(private readonly opts: SessionManagerOptions) {
    super();
    this.#cache = new MemoryCache(opts.memoryBudgetBytes);
    this.#io = opts.io ?? nodeIO;
    this.#log = opts.log ?? noLog;
    const every = opts.sweepIntervalMs ?? Math.min(30_000, Math.max(50, opts.idleTimeoutMs / 4));
    this.#timer = setInterval(() => this.#sweep(), every);
    this.#timer.unref();
  }

  static async open(opts: SessionManagerOptions): Promise<SessionManager> {
    const manager = new SessionManager(opts);
    try {
      await manager.#recoverAll();
    } catch (err) {
      clearInterval(manager.#timer);
      throw err;
    }
    return manager;
  }

  get size(): number {
    return this.#sessions.size;
  }

  async create(origin: string): Promise<Session> {
    if (this.#stopping) throw new ScanbridgeError('service-stopping', 'The service is shutting down; no new sessions.');
    if (typeof origin !== 'string') throw new ScanbridgeError('invalid-params', 'A session needs the origin of the page that creates it.');
    const id = randomBytes(16).toString('hex');
    const dir = join(this.opts.cacheDir, id);
    const createdAt = new Date();
    try {
      await this.#io.mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw storageError(err, this.opts.cacheDir, 'create a session folder');
    }
    try {
      await writeSessionMeta(this.#io, dir, { id, origin, createdAt: createdAt.toISOString() });
    } catch (err) {
      await this.#io.rm(dir, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    }
    const session = this.#adopt(id, origin, createdAt, new Journal(dir, this.#io));
    this.#log('info', 'session created', { session: short(id), origin });
    return session;
  }

  /** The session, marked active. Unknown, closed and expired sessions all answer 'unknown-session'. */
  get(id: string): Session {
    const session = this.#sessions.get(id);
    if (!session) throw new ScanbridgeError('unknown-session', 'No such session: it was closed or has expired.');
    session.touch();
    return session;
  }

  has(id: string): boolean {
    return this.#sessions.has(id);
  }

  list(): Session[] {
    return [...this.#sessions.values()];
  }

  memory(): { usedBytes: number; budgetBytes: number } {
    return { usedBytes: this.#cache.usedBytes, budgetBytes: this.#cache.budgetBytes };
  }

  /** Closes the session and deletes its pages. */
  async close(id: string): Promise<void> {
    if (!this.#sessions.has(id)) throw new ScanbridgeError('unknown-session', 'No such session: it was closed or has expired.');
    await this.#close(id);
  }

  /** Stops expiry and waits for running changes. Sessions stay on disk and come back at the next start. */
  async shutdown(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#timer);
    const stopping = new ScanbridgeError('service-stopping', 'The service is shutting down; the buffer cannot change now.');
    await Promise.all(this.list().map((s) => s.buffer.close(stopping)));
  }

  // ---- internals ----

  #adopt(id: string, origin: string, createdAt: Date, journal: Journal, state?: BufferState): Session {
    const buffer = new ImageBuffer({ sessionId: id, dir: journal.dir, key: this.opts.key, cache: this.#cache, journal, state, io: this.#io, log: this.#log });
    const session = new Session(id, origin, createdAt, buffer, this.opts.idleTimeoutMs);
    buffer.on('change', (event) => this.emit('change', id, event));
    this.#sessions.set(id, session);
    return session;
  }

  async #close(id: string, expired = false): Promise<void> {
    const session = this.#sessions.get(id);
    if (!session) return;
    // Gone from the map first, so that no new request reaches it while it closes.
    this.#sessions.delete(id);
    await session.buffer.close(new ScanbridgeError('unknown-session', 'The session was closed.'));
    // Renaming first makes the deletion atomic: a crash during the recursive
    // delete must not bring back half a session at the next start.
    const dir = join(this.opts.cacheDir, id);
    const trash = join(this.opts.cacheDir, `${TRASH}${id}`);
    try {
      await this.#io.rename(dir, trash);
      await this.#io.rm(trash, { recursive: true, force: true });
    } catch (err) {
      this.#log('error', 'could not delete the folder of a closed session', { session: short(id), folder: dir, error: String(err) });
    }
    this.#log('info', expired ? 'session expired' : 'session closed', { session: short(id) });
    this.emit('closed', id);
    if (expired) this.emit('expired', id);
  }

  #sweep(): void {
    const now = Date.now();
    for (const session of this.list()) {
      if (!session.isExpired(now)) continue;
      this.#close(session.id, true).catch((err: unknown) => this.#log('error', 'expiring a session failed', { session: short(session.id), error: String(err) }));
    }
  }

  async #recoverAll(): Promise<void> {
    const { cacheDir } = this.opts;
    let entries;
    try {
      await this.#io.mkdir(cacheDir, { recursive: true, mode: 0o700 });
      entries = await this.#io.readdir(cacheDir, { withFileTypes: true });
    } catch (err) {
      throw storageError(err, cacheDir, 'open the cache folder');
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const dir = join(cacheDir, entry.name);
      if (entry.name.startsWith(TRASH)) {
        await this.#io.rm(dir, { recursive: true, force: true }).catch(() => undefined);
        continue;
      }
      if (!SESSION_ID.test(entry.name)) continue;
      try {
        const found = await recoverSession({ dir, id: entry.name, key: this.opts.key, io: this.#io, log: this.#log });
        if (found.kind === 'empty') {
          await this.#io.rm(dir, { recursive: true, force: true });
        } else if (found.kind === 'unusable') {
          this.#log('error', 'left a cache folder alone that cannot be recovered as a session', { folder: dir, reason: found.reason });
        } else {
          const session = this.#adopt(found.meta.id, found.meta.origin, new Date(found.meta.createdAt), found.journal, found.state);
          this.#log('info', 'session recovered', { session: short(session.id), pages: session.buffer.count() });
        }
      } catch (err) {
        // One unreadable folder must not keep the service (and every other session) down.
        this.#log('error', 'could not recover a session folder', { folder: dir, error: String(err), errno: errnoCode(err) });
      }
    }
  }
}
