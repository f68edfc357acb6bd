/**
 * Pre-rendered glyphs for the text that changes on every page ("Page 3 of
 * 10", the document id): rasterising a small SVG per page would cost more
 * than painting the whole rest of the page. One strip of ASCII glyphs per
 * font size and weight, rendered by the same librsvg as the template, so
 * the page number looks like the rest of the print.
 */
import { sharp } from '../../imaging/sharp.js';
import { LruCache } from './lru-cache.js';
import { esc, num } from './svg-builder.js';
import { ASCENT, DESCENT, FONT_FAMILY, type FontFace, advance } from './text-metrics.js';

const FIRST = 32;
const LAST = 126;

export interface GlyphAtlas {
  sizePx: number;
  face: FontFace;
  /** Each glyph's cell: its pen position is (pad, baseline) inside the cell. */
  cellWidth: number;
  cellHeight: number;
  pad: number;
  baseline: number;
  /** Grey coverage, 255 = no ink; cells side by side, row length cellWidth * count. */
  data: Buffer;
}

const atlases = new LruCache<GlyphAtlas>(16, 16 * 1024 * 1024);

/** Cell geometry for a font size; pages use it to know which rows a text slot touches. */
export function atlasGeometry(sizePx: number): Pick<GlyphAtlas, 'sizePx' | 'cellWidth' | 'cellHeight' | 'pad' | 'baseline'> {
  const size = Math.max(4, Math.round(sizePx * 4) / 4);
  const pad = Math.ceil(size * 0.15) + 1;
  return {
    sizePx: size,
    pad,
    cellWidth: Math.ceil(size * 1.1) + 2 * pad,
    cellHeight: Math.ceil(size * (ASCENT + DESCENT)) + 2 * pad,
    baseline: pad + Math.ceil(size * ASCENT),
  };
}

export function glyphAtlas(sizePx: number, face: FontFace): Promise<GlyphAtlas> {
  const { sizePx: size, pad, cellWidth, cellHeight, baseline } = atlasGeometry(sizePx);
  const count = LAST - FIRST + 1;
  return atlases.get(`${size}|${face}`, cellWidth * count * cellHeight, async () => {
    const weight = face === 'bold' ? ' font-weight="bold"' : '';
    const glyphs: string[] = [];
    for (let code = FIRST + 1; code <= LAST; code++) {
      const x = (code - FIRST) * cellWidth + pad;
      glyphs.push(`<text x="${x}" y="${baseline}">${esc(String.fromCharCode(code))}</text>`);
    }
    const width = cellWidth * count;
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${cellHeight}"><rect width="100%" height="100%" fill="#fff"/>` +
      `<g font-family="${FONT_FAMILY}" font-size="${num(size)}"${weight} fill="#000" text-rendering="geometricPrecision">${glyphs.join('')}</g></svg>`;
    const { data, info } = await sharp(Buffer.from(svg)).flatten({ background: '#ffffff' }).greyscale().toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 1 || info.width !== width) throw new Error('glyph atlas rendered with an unexpected shape');
    return { sizePx: size, face, cellWidth, cellHeight, pad, baseline, data };
  });
}

/** Width in pixels of text set from the atlas. */
export function measure(atlas: GlyphAtlas, text: string): number {
  let width = 0;
  for (const char of text) width += advance(char, atlas.face) * atlas.sizePx;
  return width;
}

/**
 * Coverage mask of `text` with its pen starting at x = pad, baseline at
 * `atlas.baseline`. Characters outside ASCII are left out.
 */
export function setText(atlas: GlyphAtlas, text: string): { width: number; height: number; data: Uint8Array } {
  const width = Math.ceil(measure(atlas, text)) + 2 * atlas.pad + atlas.cellWidth;
  const height = atlas.cellHeight;
  const data = new Uint8Array(width * height).fill(255);
  const rowLength = atlas.cellWidth * (LAST - FIRST + 1);
  let pen = 0;
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (code > FIRST && code <= LAST) {
      const left = Math.round(pen);
      const cell = (code - FIRST) * atlas.cellWidth;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < atlas.cellWidth; x++) {
          const v = atlas.data[y * rowLength + cell + x] ?? 255;
          const o = y * width + left + x;
          if (v < (data[o] ?? 255)) data[o] = v;
        }
      }
    }
    pen += advance(char, atlas.face) * atlas.sizePx;
  }
  return { width, height, data };
}
