/**
 * hOCR output: parsed back by xmllint (a parser that is not ours, --nonet),
 * every page, area, paragraph, line and word found with its bbox, baseline,
 * confidence and text, awkward text included.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hocrHtml } from './hocr.js';
import { AWKWARD, awkwardPage, ocrSample } from './ocr-sample.js';
import { tool, withTempDir, xpath } from './test-tools.js';

const cls = (name: string) => `//*[@class="${name}"]`;

describe('hOCR output', () => {
  it('parses back: every word with its text, bbox and confidence, lines with their baseline', async () => {
    const sample = ocrSample({ blocks: [['Invoice 2024-0317 dated 12.03.2024'], ['Größe und Übermaß', 'Café déjà vu']], inches: [4, 2] }).ocr;
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'page.hocr');
      await writeFile(file, hocrHtml([sample, awkwardPage()], { fileName: 'scan "1".png' }));
      await tool('xmllint', ['--nonet', '--noout', file]);
      assert.equal(await xpath(file, `count(${cls('ocr_page')})`), '2');
      assert.equal(await xpath(file, `count(${cls('ocr_page')}[1]${cls('ocr_carea').slice(1)})`), '2');
      assert.equal(await xpath(file, `count(${cls('ocr_page')}[1]//*[@class="ocr_par"])`), '2');
      assert.equal(await xpath(file, `string(${cls('ocr_page')}[1]/@title)`), `image "scan \\"1\\".png"; bbox 0 0 ${sample.width} ${sample.height}; ppageno 0; scan_res 300 300`);
      const lines = sample.blocks.flatMap((b) => b.lines);
      for (const [i, line] of lines.entries()) {
        assert.equal(await xpath(file, `string((${cls('ocr_line')})[${i + 1}]/@title)`), `bbox ${line.box.join(' ')}; baseline 0 ${-line.baseline!}`);
      }
      const words = [...lines.flatMap((l) => l.words), ...awkwardPage().blocks[0]!.lines[0]!.words];
      assert.equal(await xpath(file, `count(${cls('ocrx_word')})`), String(words.length));
      const expected = [...lines.flatMap((l) => l.words.map((w) => w.text)), ...AWKWARD.map(([, e]) => e)];
      for (const [i, w] of words.entries()) {
        const at = `(${cls('ocrx_word')})[${i + 1}]`;
        assert.equal(await xpath(file, `string(${at})`), expected[i]);
        assert.equal(await xpath(file, `string(${at}/@title)`), `bbox ${w.box.join(' ')}; x_wconf ${w.confidence}`);
      }
      assert.equal(await xpath(file, `string(${cls('ocr_par')}[1]/@lang)`), 'eng');
    });
  });
});
