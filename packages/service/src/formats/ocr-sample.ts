/**
 * Test pages whose text layout is known exactly: lines of words drawn with
 * DejaVu Sans (fonts-dejavu-core) by @napi-rs/canvas, every word's box
 * measured by the canvas as it is drawn, so the OcrPage is what a perfect
 * engine would answer. Optionally turned by a skew angle, the boxes then the
 * axis-aligned boxes of the turned words, as an engine reports them on the
 * stored (skewed) page. For the PDF text layer, ALTO and hOCR tests; also
 * a page of words XML must escape or cannot carry.
 */
import { GlobalFonts, createCanvas } from '@napi-rs/canvas';
import type { OcrBlock, OcrBox, OcrPage } from '@scanbridge/protocol';

const FONT_FILE = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const FAMILY = 'OcrSampleSans';
let registered = false;

export interface OcrSampleOptions {
  /** Paragraphs (blocks) of lines of text; words are split at spaces. */
  blocks: string[][];
  dpi?: number;
  /** Page size in inches (default 5 x 4). */
  inches?: [number, number];
  /** Font size in points (default 12). */
  points?: number;
  /** Clockwise degrees the text is turned on the page. */
  skew?: number;
  format?: 'png' | 'jpeg';
}

export interface OcrSample {
  image: Buffer;
  ocr: OcrPage;
}

const union = (boxes: OcrBox[]): OcrBox => [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))];

export function ocrSample(opts: OcrSampleOptions): OcrSample {
  if (!registered) {
    if (!GlobalFonts.registerFromPath(FONT_FILE, FAMILY)) throw new Error(`cannot load ${FONT_FILE} (package fonts-dejavu-core)`);
    registered = true;
  }
  const dpi = opts.dpi ?? 300;
  const [wi, hi] = opts.inches ?? [5, 4];
  const width = Math.round(wi * dpi);
  const height = Math.round(hi * dpi);
  const px = ((opts.points ?? 12) / 72) * dpi;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#000000';
  ctx.font = `${px}px ${FAMILY}`;
  ctx.textBaseline = 'alphabetic';
  const angle = ((opts.skew ?? 0) * Math.PI) / 180;
  const cx = width / 2;
  const cy = height / 2;
  // Where a point of the level text lands on the turned page.
  const turn = (x: number, y: number): [number, number] => [cx + (x - cx) * Math.cos(angle) - (y - cy) * Math.sin(angle), cy + (x - cx) * Math.sin(angle) + (y - cy) * Math.cos(angle)];
  ctx.translate(cx, cy);
  ctx.rotate(angle);
  ctx.translate(-cx, -cy);
  const margin = 0.4 * dpi;
  const space = ctx.measureText(' ').width;
  let baseY = margin + px;
  const blocks: OcrBlock[] = [];
  const texts: string[] = [];
  for (const paragraph of opts.blocks) {
    const lines = [];
    for (const text of paragraph) {
      let x = margin;
      const words = [];
      for (const word of text.split(' ').filter(Boolean)) {
        const m = ctx.measureText(word);
        ctx.fillText(word, x, baseY);
        const corners = [
          turn(x - m.actualBoundingBoxLeft, baseY - m.actualBoundingBoxAscent),
          turn(x + m.actualBoundingBoxRight, baseY - m.actualBoundingBoxAscent),
          turn(x - m.actualBoundingBoxLeft, baseY + m.actualBoundingBoxDescent),
          turn(x + m.actualBoundingBoxRight, baseY + m.actualBoundingBoxDescent),
        ];
        const box: OcrBox = [Math.floor(Math.min(...corners.map((c) => c[0]))), Math.floor(Math.min(...corners.map((c) => c[1]))), Math.ceil(Math.max(...corners.map((c) => c[0]))), Math.ceil(Math.max(...corners.map((c) => c[1])))];
        words.push({ text: word, box, confidence: 96 });
        x += m.width + space;
      }
      const box = union(words.map((w) => w.box));
      // A level line's baseline is known exactly; on a turned one it is not one height (as from an engine).
      lines.push({ box, ...(angle === 0 ? { baseline: box[3] - Math.round(baseY) } : {}), words });
      texts.push(words.map((w) => w.text).join(' '));
      baseY += px * 1.5;
    }
    blocks.push({ box: union(lines.map((l) => l.box)), lines });
    baseY += px;
  }
  const image = opts.format === 'jpeg' ? canvas.toBuffer('image/jpeg', 90) : canvas.toBuffer('image/png');
  return {
    image,
    ocr: { pageId: 'sample', width, height, dpi, languages: ['eng'], confidence: 96, text: texts.join('\n'), blocks, engine: 'tesseract' },
  };
}

/** Words an engine may answer that XML must escape or cannot carry. */
export const AWKWARD: Array<[string, string]> = [
  ['<Tag>', '<Tag>'],
  ['A&B', 'A&B'],
  ['"quoted"', '"quoted"'],
  ["it's", "it's"],
  ['tab\there', 'tab\there'],
  ['bell\u0007x', 'bell\ufffdx'],
  ['😀€', '😀€'],
  ['lone\ud800', 'lone\ufffd'],
];

/** A page of one line holding the awkward words, and an empty block and line. */
export function awkwardPage(): OcrPage {
  const words = AWKWARD.map(([text], i) => ({ text, box: [10 + 60 * i, 20, 60 + 60 * i, 40] as [number, number, number, number], confidence: 50 + i }));
  return {
    pageId: 'awkward',
    width: 600,
    height: 200,
    dpi: 150,
    languages: ['deu', 'eng'],
    confidence: 60,
    text: AWKWARD.map(([t]) => t).join(' '),
    blocks: [
      { box: [10, 20, 540, 40], lines: [{ box: [10, 20, 540, 40], baseline: 4, words }, { box: [10, 50, 20, 60], words: [] }] },
      { box: [10, 100, 20, 110], lines: [] },
    ],
    engine: 'tesseract.js',
  };
}
