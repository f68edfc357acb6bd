/**
 * `scanbridge ocr FILE...` on a two-page PDF (made by img2pdf): the text of
 * each page separated by a form feed, --out, --json; a language an
 * administrator put in <home>/ocr/ is used; a missing one is named.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { OcrPage } from '@scanbridge/protocol';
import { runCli } from '../test-support/service-harness.js';
import { tool } from '../formats/test-tools.js';
import { cer, textPage } from '../addons/ocr/test-pages.js';
import { bundledFile } from '../addons/ocr/languages.js';

describe('scanbridge ocr', () => {
  let dir: string;
  let pdf: string;
  let png: string;
  let texts: string[];

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'scanbridge-ocr-cli-'));
    const de = await textPage({ text: 'de', dpi: 200, font: 'dejavu-sans' });
    const en = await textPage({ text: 'en', dpi: 200, font: 'liberation-serif', skew: 3 });
    texts = [de.text, en.text];
    png = path.join(dir, 'b.png');
    await writeFile(path.join(dir, 'a.png'), de.bytes);
    await writeFile(png, en.bytes);
    pdf = path.join(dir, 'two pages.pdf');
    await writeFile(pdf, (await tool('img2pdf', [path.join(dir, 'a.png'), png])).stdout);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('prints the text of every page, pages separated by a form feed; --out writes it to a file', async () => {
    const out = path.join(dir, 'out.txt');
    const { code, stderr } = await runCli(['ocr', '--lang', 'deu+eng', '--out', out, pdf]);
    assert.equal(code, 0, stderr);
    const pages = (await readFile(out, 'utf8')).split('\f');
    assert.equal(pages.length, 2);
    pages.forEach((p, i) => assert.ok(cer(p, texts[i]!) <= 1, p));
  });

  it('--json answers each page model; a language an administrator added to <home>/ocr is used', async () => {
    const home = path.join(dir, 'home');
    await mkdir(path.join(home, 'ocr'), { recursive: true });
    // The English model under a name no engine ships: only <home>/ocr has it.
    await writeFile(path.join(home, 'ocr', 'engx.traineddata'), gunzipSync(await readFile(bundledFile('eng')!)));
    const { code, stdout, stderr } = await runCli(['ocr', '--json', '--lang', 'engx', '--home', home, png]);
    assert.equal(code, 0, stderr);
    const [page] = JSON.parse(stdout) as (OcrPage & { file: string; page: number })[];
    assert.equal(page!.engine, 'tesseract.js');
    assert.deepEqual(page!.languages, ['engx']);
    assert.ok(cer(page!.text, texts[1]!) <= 1, page!.text);
    assert.ok(Math.abs(page!.skew! - 3) < 0.3, String(page!.skew));
  });

  it('a language that is not installed fails with ocr-language-missing naming it and the folder for it', async () => {
    const { code, stderr } = await runCli(['ocr', '--lang', 'tlh', '--home', dir, png]);
    assert.equal(code, 1);
    assert.match(stderr, /ocr-language-missing: OCR language tlh is not installed: put tlh\.traineddata in .*ocr/);
  });
});
