/**
 * The file-system calls the buffer makes, gathered so that tests can inject
 * failures (ENOSPC, EACCES) that cannot be provoked for real when running as
 * root, and the one place where a file-system error becomes the protocol's
 * 'buffer-storage-failed'.
 */
import * as fsp from 'node:fs/promises';
import { ScanbridgeError } from '@scanbridge/protocol/core';

export type BufferIO = Pick<typeof fsp, 'open' | 'readFile' | 'writeFile' | 'appendFile' | 'rename' | 'unlink' | 'truncate' | 'mkdir' | 'rm' | 'readdir'>;

export const nodeIO: BufferIO = fsp;

export type BufferLog = (level: 'info' | 'warn' | 'error', msg: string, data?: object) => void;

export const noLog: BufferLog = () => undefined;

export function errnoCode(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

const REASONS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a path component is not a folder',
  ENOENT: 'the folder does not exist',
  EMFILE: 'too many open files',
  EIO: 'an input/output error occurred',
};

/** `action` completes "could not ...", e.g. 'write page abc'. */
export function storageError(err: unknown, folder: string, action: string): ScanbridgeError {
  if (err instanceof ScanbridgeError) return err;
  const code = errnoCode(err);
  const reason = code ? `${REASONS[code] ?? (err as Error).message} (${code})` : err instanceof Error ? err.message : String(err);
  return new ScanbridgeError('buffer-storage-failed', `Could not ${action} in the cache folder ${folder}: ${reason}`, { folder, ...(code ? { errno: code } : {}) }, { cause: err });
}

/** Session ids are bearer secrets: logs carry only a prefix, enough to correlate lines. */
export function short(id: string): string {
  return id.slice(0, 8);
}
