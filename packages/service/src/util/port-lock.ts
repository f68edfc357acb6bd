/**
 * `port.lock` in the service folder: proves one service runs on this folder
 * and tells CLI commands where it listens. Created exclusively (O_EXCL); a lock
 * left by a process that no longer exists is stale and taken over. The monitor
 * uses the same mechanism for `monitor.lock`.
 */
import { promises as fs } from 'node:fs';

export interface LockInfo {
  pid: number;
  startedAt: string;
  version: string;
  bindAddress: string;
  ports: { http: number; https: number; welcomeHttp: number; welcomeHttps: number };
}

export interface PidRecord {
  pid: number;
}

export class LockHeldError extends Error {
  constructor(
    readonly file: string,
    readonly holder: Partial<PidRecord>,
  ) {
    super(
      `another scanbridge (pid ${holder.pid ?? '?'}) is already running on this service folder (${file}); ` +
        'stop it with `scanbridge stop`, or start this one with a different --home',
    );
    this.name = 'LockHeldError';
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function readLock<T extends PidRecord = LockInfo>(file: string): Promise<Partial<T> | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as Partial<T>;
  } catch {
    return null;
  }
}

/** The lock's content when a live process holds it, else null. */
export async function liveLock<T extends PidRecord = LockInfo>(file: string): Promise<Partial<T> | null> {
  const info = await readLock<T>(file);
  if (info && typeof info.pid === 'number' && alive(info.pid)) return info;
  return null;
}

/** Take the lock for this process (ports unknown yet), or throw LockHeldError. */
export async function acquireLock<T extends PidRecord>(file: string, info: T): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.writeFile(file, JSON.stringify(info), { flag: 'wx', mode: 0o600 });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = await readLock<PidRecord>(file);
      if (holder && typeof holder.pid === 'number' && holder.pid !== process.pid && alive(holder.pid)) throw new LockHeldError(file, holder);
      // Stale (crashed run) or unreadable: take it over.
      await fs.rm(file, { force: true });
    }
  }
  throw new LockHeldError(file, {});
}

export async function updateLock<T extends PidRecord>(file: string, info: T): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(info), { mode: 0o600 });
  await fs.rename(tmp, file);
}

export async function releaseLock(file: string): Promise<void> {
  const info = await readLock<PidRecord>(file);
  if (info?.pid === process.pid) await fs.rm(file, { force: true });
}
