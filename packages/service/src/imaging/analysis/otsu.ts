/** Grey-level histograms and Otsu's threshold (written here: sharp has neither). */

export function histogram(grey: Uint8Array, step = 1): Float64Array {
  const h = new Float64Array(256);
  for (let i = 0; i < grey.length; i += step) h[grey[i]!]!++;
  return h;
}

/**
 * Otsu's method: the level that best separates the histogram into two
 * classes (largest between-class variance). Answers the threshold as "grey
 * levels below it are dark". Between two clean peaks every split in the gap
 * scores the same; the middle of that plateau is taken, not its first level.
 * A one-level image has no split: the middle grey (128) keeps a white page
 * white and a black page black.
 */
export function otsu(h: Float64Array): number {
  let total = 0;
  let sum = 0;
  for (let v = 0; v < 256; v++) {
    total += h[v]!;
    sum += v * h[v]!;
  }
  let w0 = 0;
  let sum0 = 0;
  let best = 0;
  let first = -1;
  let last = -1;
  for (let k = 0; k < 255; k++) {
    w0 += h[k]!;
    sum0 += k * h[k]!;
    const w1 = total - w0;
    if (w0 === 0 || w1 === 0) continue;
    const d = sum0 / w0 - (sum - sum0) / w1;
    const between = w0 * w1 * d * d;
    // Relative tolerance: equal variances computed in different orders differ in the last bits.
    if (between > best * (1 + 1e-12)) {
      best = between;
      first = last = k;
    } else if (between >= best * (1 - 1e-12) && last === k - 1) last = k;
  }
  if (first < 0) return 128;
  return Math.floor((first + last) / 2) + 1;
}

/** The grey level below which `fraction` of the pixels lie. */
export function percentile(h: Float64Array, fraction: number): number {
  let total = 0;
  for (const n of h) total += n;
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += h[v]!;
    if (seen >= total * fraction) return v;
  }
  return 255;
}
