/**
 * What a grey or colour page holds, measured from its pixels, for the `auto`
 * compression: a page of only black and white (a text page scanned in colour)
 * is worth CCITT G4; a page that is mostly paper with text, lines, codes and a
 * picture is a document; a page that is mostly picture is a photo. Counting
 * beats trusting the scan mode: people scan letters in colour.
 */

export type PageKind = 'bilevel' | 'document' | 'photo';

/** Luma under which a neutral pixel is ink. */
export const INK_LUMA = 110;
/** Spread of R, G, B under which a pixel counts as neutral (no colour). */
const NEUTRAL_SPREAD = 48;
/** Luma above which a neutral pixel is paper. */
const PAPER_LUMA = 185;
/**
 * Share of pixels that may be neither ink nor paper on a black-and-white page:
 * the anti-aliased edges of text at 200 dpi stay well under it; a logo, a
 * photo or a grey table shading does not.
 */
const BILEVEL_MIDTONES = 0.02;
/** Share of colourful pixels a black-and-white page may hold (specks, a stamp's trace). */
const BILEVEL_COLOUR = 0.001;
/** Share of paper under which a page is a photo rather than a document. */
const DOCUMENT_PAPER = 0.5;

export interface Pixels {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 3;
}

export const luma = (r: number, g: number, b: number): number => (299 * r + 587 * g + 114 * b) / 1000;

/** Whether the pixel at sample offset i is ink: dark and neutral. */
export function isInk(data: Buffer, i: number, channels: 1 | 3): boolean {
  const r = data[i]!;
  if (channels === 1) return r < INK_LUMA;
  const g = data[i + 1]!;
  const b = data[i + 2]!;
  if (299 * r + 587 * g + 114 * b >= INK_LUMA * 1000) return false;
  const max = r > g ? (r > b ? r : b) : g > b ? g : b;
  const min = r < g ? (r < b ? r : b) : g < b ? g : b;
  return max - min < NEUTRAL_SPREAD;
}

/** Classifies a page, sampling every pixel of every other row (the statistic does not need more). */
export function pageKind(p: Pixels): PageKind {
  let total = 0;
  let paper = 0;
  let ink = 0;
  let colour = 0;
  const { data, width, height, channels } = p;
  for (let y = 0; y < height; y += 2) {
    let i = y * width * channels;
    for (let x = 0; x < width; x++, i += channels) {
      total++;
      const r = data[i]!;
      const g = channels === 3 ? data[i + 1]! : r;
      const b = channels === 3 ? data[i + 2]! : r;
      const spread = (r > g ? (r > b ? r : b) : g > b ? g : b) - (r < g ? (r < b ? r : b) : g < b ? g : b);
      if (spread >= NEUTRAL_SPREAD) {
        colour++;
        continue;
      }
      const l = luma(r, g, b);
      if (l >= PAPER_LUMA) paper++;
      else if (l < INK_LUMA) ink++;
    }
  }
  if (total === 0) return 'document';
  const mid = total - paper - ink;
  if (mid / total <= BILEVEL_MIDTONES && colour / total <= BILEVEL_COLOUR) return 'bilevel';
  return paper / total >= DOCUMENT_PAPER ? 'document' : 'photo';
}
