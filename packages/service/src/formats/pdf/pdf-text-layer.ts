/**
 * The invisible text layer of a searchable PDF: every recognised word drawn in
 * text render mode 3 (neither filled nor stroked) at its place on the page,
 * stretched (Tz) to its box's width, on its line's baseline and sized to the
 * line, so that a viewer highlights the word on the image when it is selected,
 * and copy and search find it. A space, stretched over the gap, follows every
 * word but the last of a line, so extraction gives spaces without guessing them
 * from gaps; lines end where the baseline moves, as extractors expect.
 *
 * Characters get codes (CIDs) in the order they first appear in the document,
 * from 1; the glyphless font draws them all with one glyph, and the ToUnicode
 * map written at the end says which character each code is.
 */
import { deflateSync } from 'node:zlib';
import type { OcrBox, OcrLine, OcrPage } from '@scanbridge/protocol';
import { ADVANCE, ASCENT, DESCENT, FONT_NAME, UNITS_PER_EM, glyphlessFont } from './glyphless-font.js';
import { num, ref } from './pdf-syntax.js';

/** The parts of the PDF writer the font objects need. */
export interface FontObjectWriter {
  allocate(): number;
  object(n: number, body: string): Buffer[];
  stream(n: number, entries: string, data: Buffer): Buffer[];
  text(s: string): string;
}

/** Resource name of the font in page resources. */
export const TEXT_FONT_RESOURCE = 'FOcr';

const ADVANCE_EM = ADVANCE / UNITS_PER_EM;
const ASCENT_EM = ASCENT / UNITS_PER_EM;
const DESCENT_EM = -DESCENT / UNITS_PER_EM;
/** Share of a line's text height below the baseline, when the engine did not say. */
const DESCENDER_SHARE = DESCENT_EM;
/** Slopes below this (about 0.06 degrees) are read as level lines: word boxes jitter more than that. */
const LEVEL = 0.001;

/** The document's text font: one object number, codes handed out as pages are written. */
export class TextLayerFont {
  readonly ref: number;
  private readonly codes = new Map<number, number>();
  private readonly chars: number[] = [0];

  constructor(readonly w: FontObjectWriter) {
    this.ref = w.allocate();
  }

  /** The hex string that shows `text` in this font. */
  show(text: string): string {
    let hex = '';
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      let code = this.codes.get(cp);
      if (code === undefined) {
        code = this.chars.length;
        if (code > 0xffff) throw new Error('the text layer uses more than 65535 distinct characters');
        this.codes.set(cp, code);
        this.chars.push(cp);
      }
      hex += code.toString(16).padStart(4, '0');
    }
    return `<${hex}>`;
  }

  /** The Type0 font, its CIDFont, descriptor, font program, CIDToGIDMap and ToUnicode; once, after the last page. */
  *objects(): Generator<Buffer> {
    const { w } = this;
    const cidFont = w.allocate();
    const descriptor = w.allocate();
    const program = w.allocate();
    const cidToGid = w.allocate();
    const toUnicode = w.allocate();
    const fontFile = glyphlessFont();
    yield* w.stream(program, `/Length1 ${fontFile.length} /Filter /FlateDecode`, deflateSync(fontFile));
    yield* w.object(
      descriptor,
      `<< /Type /FontDescriptor /FontName /${FONT_NAME} /Flags 5 /FontBBox [0 ${DESCENT} ${ADVANCE} ${ASCENT}] /ItalicAngle 0 /Ascent ${ASCENT} /Descent ${DESCENT} /CapHeight 700 /StemV 80 /FontFile2 ${ref(program)} >>`,
    );
    // Every code but 0 draws glyph 1: no text ever refers to .notdef.
    const map = Buffer.alloc(2 * this.chars.length);
    for (let code = 1; code < this.chars.length; code++) map.writeUInt16BE(1, 2 * code);
    yield* w.stream(cidToGid, '/Filter /FlateDecode', deflateSync(map));
    yield* w.stream(toUnicode, '/Filter /FlateDecode', deflateSync(Buffer.from(this.toUnicodeCMap(), 'latin1')));
    yield* w.object(
      cidFont,
      `<< /Type /Font /Subtype /CIDFontType2 /BaseFont /${FONT_NAME} /CIDSystemInfo << /Registry ${w.text('Adobe')} /Ordering ${w.text('Identity')} /Supplement 0 >> /FontDescriptor ${ref(descriptor)} /DW ${ADVANCE} /CIDToGIDMap ${ref(cidToGid)} >>`,
    );
    yield* w.object(this.ref, `<< /Type /Font /Subtype /Type0 /BaseFont /${FONT_NAME} /Encoding /Identity-H /DescendantFonts [${ref(cidFont)}] /ToUnicode ${ref(toUnicode)} >>`);
  }

  private toUnicodeCMap(): string {
    const hex4 = (n: number) => n.toString(16).padStart(4, '0');
    const utf16 = (cp: number) => Buffer.from(String.fromCodePoint(cp), 'utf16le').swap16().toString('hex');
    const entries = this.chars.slice(1).map((cp, i) => `<${hex4(i + 1)}> <${utf16(cp)}>`);
    const blocks: string[] = [];
    // At most 100 entries per bfchar block (PDF 32000 9.10.3 via the CMap spec).
    for (let i = 0; i < entries.length; i += 100) {
      const part = entries.slice(i, i + 100);
      blocks.push(`${part.length} beginbfchar\n${part.join('\n')}\nendbfchar`);
    }
    return [
      '/CIDInit /ProcSet findresource begin',
      '12 dict begin',
      'begincmap',
      '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
      '/CMapName /Adobe-Identity-UCS def',
      '/CMapType 2 def',
      '1 begincodespacerange',
      '<0000> <FFFF>',
      'endcodespacerange',
      ...blocks,
      'endcmap',
      'CMapName currentdict /CMap defineresource pop',
      'end',
      'end',
      '',
    ].join('\n');
  }
}

/** Least-squares slope (dy/dx, image pixels) of the words' centres: the line's skew. */
function slopeOf(line: OcrLine): number {
  const words = line.words.filter((w) => w.text.length > 0);
  if (words.length < 2) return 0;
  const xs = words.map((w) => (w.box[0] + w.box[2]) / 2);
  const ys = words.map((w) => (w.box[1] + w.box[3]) / 2);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  if (sxx === 0) return 0;
  const s = sxy / sxx;
  // A line box is at least as tall as its slope makes it; a steeper fit is noise (few, uneven words).
  const [x0, y0, x1, y1] = line.box;
  const limit = (y1 - y0) / Math.max(1, x1 - x0);
  return Math.abs(s) < LEVEL ? 0 : Math.max(-limit, Math.min(limit, s));
}

/** A box of a `width` x `height` pixel image, on that image turned `turn` degrees clockwise (90, 180, 270). */
export function turnBox([x0, y0, x1, y1]: OcrBox, turn: number, width: number, height: number): OcrBox {
  if (turn === 90) return [height - y1, x0, height - y0, x1];
  if (turn === 180) return [width - x1, height - y1, width - x0, height - y0];
  if (turn === 270) return [y0, width - x1, y1, width - x0];
  return [x0, y0, x1, y1];
}

/** The page as the engine read it: turned upright (its `rotation`), boxes with it. */
function upright(ocr: OcrPage, turn: number): OcrPage {
  const box = (b: OcrBox) => turnBox(b, turn, ocr.width, ocr.height);
  const [width, height] = turn % 180 ? [ocr.height, ocr.width] : [ocr.width, ocr.height];
  return {
    ...ocr,
    width,
    height,
    rotation: 0,
    blocks: ocr.blocks.map((b) => ({ box: box(b.box), lines: b.lines.map((l) => ({ ...l, box: box(l.box), words: l.words.map((w) => ({ ...w, box: box(w.box) })) })) })),
  };
}

/** The matrix taking the upright page's points (`width` x `height` of the stored page) onto the stored page. */
const UNTURN: Record<number, (width: number, height: number) => number[]> = {
  90: (w) => [0, 1, -1, 0, w, 0],
  180: (w, h) => [-1, 0, 0, -1, w, h],
  270: (_w, h) => [0, -1, 1, 0, 0, h],
};

/**
 * The content stream drawing the page's words invisibly, for a page of
 * `width` x `height` points; empty when the page has no words. A page the
 * engine read turned (its `rotation`: stored sideways or upside down) has its
 * text drawn in the reading direction, so extractors and viewers read and
 * select it in order.
 */
export function textLayerContent(ocr: OcrPage, width: number, height: number, font: TextLayerFont): Buffer {
  const turn = (((ocr.rotation ?? 0) % 360) + 360) % 360;
  const unturn = UNTURN[turn];
  if (!unturn) return levelContent(ocr, width, height, font);
  const inner = turn % 180 ? levelContent(upright(ocr, turn), height, width, font) : levelContent(upright(ocr, turn), width, height, font);
  if (inner.length === 0) return inner;
  return Buffer.concat([Buffer.from(`q\n${unturn(width, height).map(num).join(' ')} cm\n`, 'latin1'), inner, Buffer.from('Q\n', 'latin1')]);
}

function levelContent(ocr: OcrPage, width: number, height: number, font: TextLayerFont): Buffer {
  const sx = width / ocr.width;
  const sy = height / ocr.height;
  const ops: string[] = [];
  for (const block of ocr.blocks) {
    for (const line of block.lines) {
      const words = line.words.filter((w) => w.text.length > 0);
      if (words.length === 0) continue;
      const [lx0, ly0, lx1, ly1] = line.box;
      const slope = slopeOf(line);
      // The text's own height: a sloped line's box is taller than its letters by the slope over its width.
      const textHeight = Math.max(1, ly1 - ly0 - Math.abs(slope) * (lx1 - lx0));
      // Baseline in image pixels at x: the engine's for a level line, else from the line's centre
      // (the font's em box, ASCENT above and DESCENT below the baseline, centred on the letters).
      const baselineAt =
        slope === 0
          ? () => ly1 - (line.baseline ?? DESCENDER_SHARE * textHeight)
          : (x: number) => (ly0 + ly1) / 2 + slope * (x - (lx0 + lx1) / 2) + ((ASCENT_EM - DESCENT_EM) / 2) * textHeight;
      const size = textHeight * sy;
      ops.push(`/${TEXT_FONT_RESOURCE} ${num(size)} Tf`);
      for (const [i, word] of words.entries()) {
        const [x0, , x1] = word.box;
        // Level, on the baseline at the word's middle: extractors split turned words into pieces as
        // their letters climb, and a level word is off by under 0.3 mm at its ends on a 3 degree line.
        const chars = [...word.text].length;
        const y = height - baselineAt((x0 + x1) / 2) * sy;
        ops.push(`${num((100 * (x1 - x0) * sx) / (chars * ADVANCE_EM * size))} Tz 1 0 0 1 ${num(x0 * sx)} ${num(y)} Tm ${font.show(word.text)} Tj`);
        const next = words[i + 1];
        if (next) {
          // The space fills the gap to the next word; overlapping boxes still get a (hair-thin) space.
          const gap = Math.max(0.01, (next.box[0] - x1) * sx);
          ops.push(`${num((100 * gap) / (ADVANCE_EM * size))} Tz ${font.show(' ')} Tj`);
        }
      }
    }
  }
  if (ops.length === 0) return Buffer.alloc(0);
  return Buffer.from(`BT\n3 Tr\n${ops.join('\n')}\nET\n`, 'latin1');
}
