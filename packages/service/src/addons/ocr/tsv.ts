/**
 * Tesseract's TSV output (both engines write it) as the shared page model:
 * levels 2/4/5 are blocks, lines and words, each with its box; confidence
 * -1 marks a structural row. Text is words joined by spaces, lines by
 * newlines, blocks by a blank line, as Tesseract's own text output does.
 */
import type { OcrBlock, OcrBox } from '@scanbridge/protocol';

export interface TsvPage {
  blocks: OcrBlock[];
  text: string;
  confidence: number;
}

export function parseTsv(tsv: string, mapBox: (b: OcrBox) => OcrBox = (b) => b): TsvPage {
  const blocks: OcrBlock[] = [];
  let block: OcrBlock | undefined;
  let line: OcrBlock['lines'][number] | undefined;
  let sum = 0;
  let count = 0;
  for (const row of tsv.split('\n')) {
    const f = row.split('\t');
    if (f.length < 12 || f[0] === 'level') continue;
    const level = Number(f[0]);
    const [l, t, w, h] = [Number(f[6]), Number(f[7]), Number(f[8]), Number(f[9])];
    const box = mapBox([l, t, l + w, t + h]);
    if (level === 2) {
      block = { box, lines: [] };
      blocks.push(block);
      line = undefined;
    } else if (level === 4 && block) {
      line = { box, words: [] };
      block.lines.push(line);
    } else if (level === 5 && line) {
      const text = f.slice(11).join('\t').trim();
      if (!text) continue;
      const confidence = Math.max(0, Number(f[10]));
      line.words.push({ text, box, confidence: Math.round(confidence * 100) / 100 });
      sum += confidence;
      count++;
    }
  }
  // Blocks and lines without words (images, rules) are dropped: nothing to place or search.
  const kept = blocks.map((b) => ({ ...b, lines: b.lines.filter((l) => l.words.length > 0) })).filter((b) => b.lines.length > 0);
  const text = kept.map((b) => b.lines.map((l) => l.words.map((w) => w.text).join(' ')).join('\n')).join('\n\n');
  return { blocks: kept, text, confidence: count ? Math.round((sum / count) * 100) / 100 : 0 };
}
