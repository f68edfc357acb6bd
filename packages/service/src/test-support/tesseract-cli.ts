/**
 * The system `tesseract` CLI (Debian tesseract-ocr) as a PageRecognizer, its
 * TSV output turned into the page model: a real engine, independent of
 * scanbridge's own, for the searchable-PDF tests. `runs` counts the pages it
 * actually read.
 */
import { execFile } from 'node:child_process';
import type { OcrBlock, OcrBox, OcrLine, OcrPage } from '@scanbridge/protocol';
import type { ImageBuffer } from '../buffer/image-buffer.js';
import type { PageRecognizer } from '../formats/page-recognizer.js';

function tesseract(image: Buffer, languages: readonly string[], dpi: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('tesseract', ['-', '-', '-l', languages.join('+'), '--dpi', String(dpi), 'tsv'], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, OMP_THREAD_LIMIT: '1' } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`tesseract failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
    child.stdin!.end(image);
  });
}

/** TSV rows (level 5 are words) into blocks, lines and words. */
export function pageFromTsv(tsv: string, page: Pick<OcrPage, 'pageId' | 'width' | 'height' | 'dpi' | 'languages'>): OcrPage {
  const blocks = new Map<string, OcrBlock>();
  const lines = new Map<string, OcrLine>();
  const confidences: number[] = [];
  for (const row of tsv.split('\n').slice(1)) {
    const cols = row.split('\t');
    if (cols.length < 12) continue;
    const [level, , block, par, line, , left, top, width, height, conf] = cols.slice(0, 11).map(Number) as number[];
    const text = cols.slice(11).join('\t');
    const box: OcrBox = [left!, top!, left! + width!, top! + height!];
    if (level === 2) blocks.set(`${block}`, { box, lines: [] });
    if (level === 4) {
      const l: OcrLine = { box, words: [] };
      lines.set(`${block}.${par}.${line}`, l);
      blocks.get(`${block}`)!.lines.push(l);
    }
    if (level === 5 && text.trim() !== '' && conf! >= 0) {
      lines.get(`${block}.${par}.${line}`)!.words.push({ text: text.trim(), box, confidence: conf! });
      confidences.push(conf!);
    }
  }
  const all = [...blocks.values()].map((b) => ({ ...b, lines: b.lines.filter((l) => l.words.length > 0) })).filter((b) => b.lines.length > 0);
  return {
    ...page,
    confidence: confidences.length ? confidences.reduce((a, b) => a + b, 0) / confidences.length : 0,
    text: all.map((b) => b.lines.map((l) => l.words.map((w) => w.text).join(' ')).join('\n')).join('\n\n'),
    blocks: all,
    engine: 'tesseract',
  };
}

export interface CliRecognizer extends PageRecognizer {
  /** Pages read by tesseract (not taken from the cache). */
  runs: number;
}

export function tesseractCliRecognizer(): CliRecognizer {
  const cache = new Map<string, Promise<OcrPage>>();
  const r: CliRecognizer = {
    runs: 0,
    check() {},
    recognize(buffer: ImageBuffer, pageId: string, languages: readonly string[]) {
      const info = buffer.list([pageId])[0]!;
      const key = `${pageId}/${info.version}/${languages.join('+')}`;
      let hit = cache.get(key);
      if (!hit) {
        hit = (async () => {
          r.runs++;
          const image = await buffer.getImage(pageId);
          const dpi = Math.round(image.xdpi);
          return pageFromTsv(await tesseract(image.bytes, languages, dpi), { pageId, width: image.width, height: image.height, dpi, languages: [...languages] });
        })();
        cache.set(key, hit);
      }
      return hit;
    },
  };
  return r;
}
