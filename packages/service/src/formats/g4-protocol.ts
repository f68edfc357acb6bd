/** Messages between the G4 pool and its threads. */
import type { Bilevel } from './bilevel.js';

/** A stored 1-bit PNG to decode and encode, or rows already packed (decoded by sharp on the event loop's side). */
export type G4Task = { id: number; png: Uint8Array } | { id: number; bilevel: Bilevel };

/** The page's G4 stream; null when the PNG is not the simple 1-bit kind the thread decodes (the caller decodes it through sharp). */
export type G4Result = { width: number; height: number; strip: Uint8Array } | null;
