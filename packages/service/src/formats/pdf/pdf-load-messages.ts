/** Messages between the service and the PDF load worker (structured clone; pixel buffers are transferred). */

export type ToWorker =
  | { type: 'open'; bytes: Uint8Array; password: string | undefined; dpi: number; maxPages: number; maxPixels: number; maxSide: number; bandBytes: number }
  /** `raster` asks for a rendering even when the page is a single JPEG. */
  | { type: 'page'; index: number; raster: boolean }
  | { type: 'close' };

export type FromWorker =
  | { type: 'opened'; pageCount: number }
  | { type: 'jpeg'; bytes: Uint8Array; width: number; height: number; xdpi: number; ydpi: number; components: number }
  /** A rendered page, already a PNG (8-bit grey or RGB). */
  | { type: 'png'; bytes: Uint8Array; width: number; height: number; channels: 1 | 3; dpi: number }
  | { type: 'closed' }
  /** `password`: the document is encrypted and the password was missing (`given` false) or wrong. */
  | { type: 'error'; kind: 'invalid' | 'password'; reason: string; given?: boolean };
