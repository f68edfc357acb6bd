/**
 * Accuracy on generated pages with known text, scanbridge against the
 * system `tesseract` CLI run on the same files (as a user would run it:
 * no deskew, no orientation), CER printed per subset:
 * clean 300 dpi CER <= 1 % and no worse than the CLI + 0.5 point; skewed
 * 2-5 degrees at most clean + 1 point. One warm pool for the whole file;
 * pages small in number, OCR being slow.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cer, normalise, textPage, type TextPageSpec } from './test-pages.js';
import { recognizeImage } from './recognize-buffer.js';
import { OcrPool } from './worker-pool.js';
import { systemTesseract } from './engine-choice.js';

interface Case {
  subset: string;
  spec: TextPageSpec;
  languages: string[];
  psm?: number;
}

const CASES: Case[] = [
  { subset: 'clean 300', spec: { text: 'en', dpi: 300, font: 'liberation-serif' }, languages: ['eng'] },
  { subset: 'clean 300', spec: { text: 'de', dpi: 300, font: 'dejavu-sans' }, languages: ['deu', 'eng'] },
  { subset: 'clean 300', spec: { text: 'fr', dpi: 300, font: 'liberation-sans' }, languages: ['fra'] },
  { subset: 'clean 200', spec: { text: 'en', dpi: 200, font: 'dejavu-serif' }, languages: ['eng'] },
  { subset: 'skewed', spec: { text: 'en', dpi: 300, font: 'liberation-serif', skew: 3 }, languages: ['eng'] },
  { subset: 'skewed', spec: { text: 'de', dpi: 300, font: 'dejavu-sans', skew: -5 }, languages: ['deu', 'eng'] },
  { subset: 'skewed', spec: { text: 'fr', dpi: 200, font: 'liberation-sans', skew: 2 }, languages: ['fra'] },
  { subset: 'noisy', spec: { text: 'en', dpi: 300, font: 'dejavu-sans', noise: 25 }, languages: ['eng'] },
  { subset: 'jpeg q50', spec: { text: 'de', dpi: 200, font: 'liberation-serif', output: 'jpeg50' }, languages: ['deu'] },
  // A table of dates, IBANs and amounts, read row by row (psm 6: one block).
  { subset: 'table', spec: { text: 'table', dpi: 300, font: 'liberation-sans' }, languages: ['eng'], psm: 6 },
];

function cli(bytes: Buffer, languages: string[], psm: number): string {
  const r = spawnSync('tesseract', ['stdin', 'stdout', '--psm', String(psm), '-l', languages.join('+')], { input: bytes, env: { ...process.env, OMP_THREAD_LIMIT: '1' }, maxBuffer: 1 << 24 });
  assert.equal(r.status, 0, String(r.stderr));
  return r.stdout.toString('utf8');
}

describe('OCR accuracy on generated pages', () => {
  const pool = new OcrPool(2);
  const rows: { subset: string; ours: number; cli: number }[] = [];
  after(() => pool.close());

  before(async () => {
    assert.ok(systemTesseract(), 'the system tesseract is installed (scripts/setup.sh --test)');
    // Pages two at a time: the pool's two threads busy, the CLI beside them.
    for (let i = 0; i < CASES.length; i += 2) {
      await Promise.all(
        CASES.slice(i, i + 2).map(async (c) => {
          const page = await textPage(c.spec);
          const psm = c.psm ?? 3;
          const ours = await recognizeImage(pool, { bytes: page.bytes, width: page.width, height: page.height, xdpi: page.dpi, ydpi: page.dpi }, c.subset, { languages: c.languages, psm, orient: true, deskew: true });
          const theirs = cli(page.bytes, c.languages, psm);
          rows.push({ subset: c.subset, ours: cer(ours.text, page.text), cli: cer(theirs, page.text) });
          if (cer(ours.text, page.text) > 2) console.log(`${c.subset} ${JSON.stringify(c.spec)}:\n${normalise(ours.text)}\nwant\n${normalise(page.text)}`);
        }),
      );
    }
    const subsets = [...new Set(rows.map((r) => r.subset))];
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    for (const s of subsets) {
      const r = rows.filter((x) => x.subset === s);
      console.log(`CER ${s.padEnd(10)} scanbridge ${mean(r.map((x) => x.ours)).toFixed(2)} %   tesseract CLI ${mean(r.map((x) => x.cli)).toFixed(2)} %   (${r.length} pages)`);
    }
  });

  const subsetCer = (s: string, k: 'ours' | 'cli') => {
    const r = rows.filter((x) => x.subset === s);
    return r.reduce((a, x) => a + x[k], 0) / r.length;
  };

  it('clean 300 dpi pages: CER at most 1 %, and no worse than the tesseract CLI + 0.5 point', () => {
    assert.ok(subsetCer('clean 300', 'ours') <= 1, `CER ${subsetCer('clean 300', 'ours')}`);
    assert.ok(subsetCer('clean 300', 'ours') <= subsetCer('clean 300', 'cli') + 0.5);
  });

  it('pages skewed 2-5 degrees: CER at most the clean CER + 1 point', () => {
    assert.ok(subsetCer('skewed', 'ours') <= subsetCer('clean 300', 'ours') + 1, `skewed ${subsetCer('skewed', 'ours')} vs clean ${subsetCer('clean 300', 'ours')}`);
  });

  it('200 dpi, noisy and JPEG q50 pages, and a table of IBANs and dates, read with CER under 2 %', () => {
    for (const s of ['clean 200', 'noisy', 'jpeg q50', 'table']) assert.ok(subsetCer(s, 'ours') < 2, `${s}: CER ${subsetCer(s, 'ours')}`);
  });
});
