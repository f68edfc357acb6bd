/** Messages between the line-art pool and its threads. */
import type { Bilevel } from './bilevel.js';

export type BilevelTask =
  /** A stored 1-bit PNG to decode and encode as G4, or rows already packed (thresholded by sharp on the event loop's side). */
  | { id: number; op: 'g4'; png: Uint8Array }
  | { id: number; op: 'g4'; bilevel: Bilevel }
  /**
   * Packed rows to store: a 1-bit PNG with the resolution given. With a
   * `ticket`, the PNG comes first as a PngAhead, then a page that deflates
   * well is coded as G4 too, and the task's answer is that stream (a
   * G4Later): the thread stays busy, to the pool, until it is done.
   */
  | { id: number; op: 'png'; bilevel: Bilevel; xdpi: number; ydpi: number; ticket?: number | undefined };

/** The page's G4 stream; null when the PNG is not the simple 1-bit kind the thread decodes (the caller decodes it through sharp). */
export type G4Result = { width: number; height: number; strip: Uint8Array } | null;

/** The answer to a png task with a ticket: the page's G4 stream, or null when it was not coded (a noisy page, stored rather than deflated). */
export type G4Later = { g4: G4Result };

export type BilevelResult = G4Result | { png: Uint8Array } | G4Later;

/** A png task's PNG, sent before its answer. */
export interface PngAhead {
  pngAhead: number;
  png: Uint8Array;
}
