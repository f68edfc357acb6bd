/**
 * Advance widths of DejaVu Sans (the font librsvg finds through fontconfig),
 * read once from the TTF hmtx table, so that the page layout can wrap and
 * right-align text without asking the renderer to measure it.
 */

export type FontFace = 'regular' | 'bold';

// Advance widths in 1/1000 em for U+0020..U+007E.
const ASCII: Record<FontFace, readonly number[]> = {
  regular: [
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636, 636, 636, 636,
    636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787,
    603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635,
    634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
  ],
  bold: [
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696, 696, 696, 696, 696, 696,
    696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850,
    733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716,
    712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
  ],
};

// The few non-ASCII characters the demo documents use.
const EXTRA_CHARS = '·–—€äöüß§©•×ÄÖÜ’“”';
const EXTRA: Record<FontFace, readonly number[]> = {
  regular: [318, 500, 1000, 636, 613, 612, 634, 630, 500, 1000, 590, 838, 684, 787, 732, 318, 518, 518],
  bold: [380, 500, 1000, 696, 675, 687, 712, 719, 500, 1000, 639, 838, 774, 850, 812, 380, 657, 657],
};

export const FONT_FAMILY = 'DejaVu Sans';
/** Ascent and descent of DejaVu Sans in em, for placing glyphs in cells. */
export const ASCENT = 0.928;
export const DESCENT = 0.236;

/** Advance of one character in em. */
export function advance(char: string, face: FontFace = 'regular'): number {
  const code = char.codePointAt(0) ?? 32;
  const ascii = code >= 32 && code < 127 ? ASCII[face][code - 32] : undefined;
  if (ascii !== undefined) return ascii / 1000;
  const extra = EXTRA_CHARS.indexOf(char);
  return (extra >= 0 ? (EXTRA[face][extra] ?? 600) : 600) / 1000;
}

/** Width of a string set at `size` (any unit; the result is in the same unit). */
export function textWidth(text: string, size: number, face: FontFace = 'regular'): number {
  let em = 0;
  for (const char of text) em += advance(char, face);
  return em * size;
}

/** Greedy word wrap to lines no wider than `width`. */
export function wrap(text: string, width: number, size: number, face: FontFace = 'regular'): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (line && textWidth(candidate, size, face) > width) {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (line) lines.push(line);
  return lines;
}
