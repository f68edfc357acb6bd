/** Messages between page-reader.ts and its thread (read-worker.ts). */
export interface ReadTask {
  id: number;
  path: string;
  /** The cache key, hex. */
  key: string;
  aad: string;
  /** Where the plaintext goes, from byte 0. */
  slot: SharedArrayBuffer;
}

export type ReadReply =
  | { id: number; ok: true; length: number }
  /** cipher: the file failed authentication; fs: reading failed (`code` is the errno name); size: the page grew past its slot. */
  | { id: number; ok: false; kind: 'cipher' | 'fs' | 'size'; message: string; code?: string };
