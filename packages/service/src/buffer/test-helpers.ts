/** Shared by the buffer tests (not itself a test file). */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BufferEvent } from '@scanbridge/protocol';
import type { ImageBuffer } from './image-buffer.js';
import { SessionManager, type SessionManagerOptions } from './session-manager.js';
import type { BufferLog } from './storage.js';
import type { StoredImage } from './types.js';

export const TEST_KEY = randomBytes(32);

/** A temporary folder removed when the test ends. */
export async function tempDir(t: { after(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sb-buffer-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Deterministic bytes per seed, so a test can regenerate what it stored. */
export function seededBytes(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let i = 0; i < size; i += block.length) {
    block.copy(out, i);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

export function image(seed: string | number = randomBytes(8).toString('hex'), size = 1000, extra: Partial<StoredImage> = {}): StoredImage {
  return { format: 'png', bytes: seededBytes(String(seed), size), width: 100, height: 150, xdpi: 200, ydpi: 200, mode: 'color', bitDepth: 8, ...extra };
}

export interface LogLine {
  level: string;
  msg: string;
  data?: object;
}

export function collectLog(): { log: BufferLog; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { lines, log: (level, msg, data) => lines.push({ level, msg, ...(data ? { data } : {}) }) };
}

export async function openManager(
  t: { after(fn: () => unknown): void },
  cacheDir: string,
  extra: Partial<SessionManagerOptions> = {},
): Promise<SessionManager> {
  const manager = await SessionManager.open({ cacheDir, key: TEST_KEY, memoryBudgetBytes: 64 * 1024 * 1024, idleTimeoutMs: 60_000, ...extra });
  t.after(() => manager.shutdown());
  return manager;
}

export function recordEvents(buffer: ImageBuffer): BufferEvent[] {
  const events: BufferEvent[] = [];
  buffer.on('change', (e) => events.push(e));
  return events;
}

export function ids(buffer: ImageBuffer): string[] {
  return buffer.list().map((p) => p.id);
}
