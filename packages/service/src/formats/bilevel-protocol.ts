/** Messages between the line-art pool and its threads. */
import type { Bilevel } from './bilevel.js';

export type BilevelTask =
  /** A stored 1-bit PNG to decode and encode as G4, or rows already packed (thresholded by sharp on the event loop's side). */
  | { id: number; op: 'g4'; png: Uint8Array }
  | { id: number; op: 'g4'; bilevel: Bilevel }
  /** Packed rows to store: a 1-bit PNG with the resolution given. */
  | { id: number; op: 'png'; bilevel: Bilevel; xdpi: number; ydpi: number };

/** The page's G4 stream; null when the PNG is not the simple 1-bit kind the thread decodes (the caller decodes it through sharp). */
export type G4Result = { width: number; height: number; strip: Uint8Array } | null;

export type BilevelResult = G4Result | { png: Uint8Array };
