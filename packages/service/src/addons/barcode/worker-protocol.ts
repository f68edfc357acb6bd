/** Messages between the pool and its reading threads. */
import type { ReaderOptions } from 'zxing-wasm/reader';
import type { ThreadReply } from '../../util/thread-pool.js';

export interface WorkerTask {
  id: number;
  grey: Uint8Array;
  width: number;
  height: number;
  options: ReaderOptions;
  /** Also look for a patch code (the pixels' resolution, which its bar widths are measured in). */
  patch?: { xdpi: number; ydpi: number } | undefined;
}

/** A code as ZXing reports it, before it is mapped to the protocol's form. */
export interface RawCode {
  format: string;
  text: string;
  bytes: Uint8Array;
  contentType: string;
  hasECI: boolean;
  position: { topLeft: { x: number; y: number }; topRight: { x: number; y: number }; bottomRight: { x: number; y: number }; bottomLeft: { x: number; y: number } };
  orientation: number;
  /** ZXing's extra facts, JSON (e.g. the 8-digit form of a UPC-E). */
  extra: string;
}

export type WorkerReply = ThreadReply<RawCode[]>;
