/**
 * Brightness and contrast as one linear map (out = a * in + b), the same
 * curve for the sharp pipeline (grey, colour) and for the line-art threshold.
 */
export interface Tone {
  a: number;
  b: number;
}

/** brightness and contrast in -100..100; contrast uses the usual 259/255 curve. */
export function tone(brightness: number, contrast: number): Tone {
  const c = contrast * 2.55;
  const a = (259 * (c + 255)) / (255 * (259 - c));
  return { a, b: 128 * (1 - a) + brightness * 1.275 };
}

export const isIdentity = (t: Tone): boolean => t.a === 1 && t.b === 0;

/** The map applied to every 8-bit value, clamped. */
export function toneTable(t: Tone): Uint8Array {
  const table = new Uint8Array(256);
  for (let v = 0; v < 256; v++) table[v] = Math.max(0, Math.min(255, Math.round(t.a * v + t.b)));
  return table;
}
