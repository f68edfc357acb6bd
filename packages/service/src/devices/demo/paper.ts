/**
 * What turns a clean rendering into a scan: an off-white paper tint, lamp
 * fall-off towards the leading and trailing edges, and sensor noise. Blank
 * page detection needs this to be realistic.
 *
 * The noise is a tile 251 pixels wide repeated along each row: invisible at
 * one or two grey levels, yet deflate finds the repeats. Fresh noise on every
 * pixel made blank paper three times larger and slower to encode.
 */

/** Paper colour as the scanner sees it (before ink). */
export const PAPER_RGB = [248, 246, 240] as const;
export const PAPER_GRAY = 246;

const TILE_W = 251;
const TILE_H = 256;

let noiseTile: Int8Array | undefined;

function noise(): Int8Array {
  if (noiseTile) return noiseTile;
  // A fixed-seed generator: the same page renders to the same bytes every run.
  let seed = 0x5eed1234;
  const next = (): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  noiseTile = new Int8Array(TILE_W * TILE_H);
  for (let i = 0; i < noiseTile.length; i++) noiseTile[i] = Math.round((next() + next() + next() - 1.5) * 2.4);
  return noiseTile;
}

/** Darkening in grey levels at row y of h: 0 in the middle, ~3 at the edges. */
const falloff = (y: number, h: number): number => 3 * (1 - Math.sin((Math.PI * (y + 0.5)) / h));

/**
 * Multiplies an 8-bit rendering (white paper, `channels` interleaved) by the
 * paper, in place.
 */
export function applyPaper(data: Buffer, width: number, height: number, channels: 1 | 3): void {
  const tile = noise();
  const paper = channels === 3 ? PAPER_RGB : [PAPER_GRAY];
  const row = new Uint16Array(width * channels);
  for (let y = 0; y < height; y++) {
    const shade = falloff(y, height);
    const tileRow = (y % TILE_H) * TILE_W;
    for (let x = 0, tx = 0; x < width; x++) {
      const n = (tile[tileRow + tx] ?? 0) - shade;
      for (let c = 0; c < channels; c++) row[x * channels + c] = Math.max(0, Math.min(255, Math.round((paper[c] ?? 255) + n)));
      if (++tx === TILE_W) tx = 0;
    }
    const offset = y * width * channels;
    for (let i = 0; i < row.length; i++) {
      const o = offset + i;
      data[o] = ((data[o] ?? 0) * (row[i] ?? 0) + 127) / 255;
    }
  }
}
