/** Messages between page-reader.ts and its thread (read-worker.ts). */
export interface ReadTask {
  id: number;
  op: 'read';
  path: string;
  /** The cache key, hex. */
  key: string;
  aad: string;
  /** Where the plaintext goes, from byte 0. */
  slot: SharedArrayBuffer;
}

/** A new page file sealed from the first `length` bytes of `slot`. */
export interface WriteTask {
  id: number;
  op: 'write';
  path: string;
  key: string;
  aad: string;
  slot: SharedArrayBuffer;
  length: number;
}

export type PageTask = ReadTask | WriteTask;

export type ReadReply =
  | { id: number; ok: true; length: number }
  /** cipher: the file failed authentication; fs: reading or writing failed (`code` is the errno name); size: the page grew past its slot. */
  | { id: number; ok: false; kind: 'cipher' | 'fs' | 'size'; message: string; code?: string };
