/**
 * Shared by the document separation tests (not itself a test file): pages to
 * split (separator sheets with a Code 128, patch code sheets, blank pages,
 * content pages without codes) and the check of saved documents with
 * independent tools: pdfinfo counts each file's pages, pdftoppm + zbarimg
 * read the code on its first page.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { composePage, patchSheetPage, symbology, type PatchText } from '../addons/barcode/test-corpus.js';
import { tool, withTempDir } from '../formats/test-tools.js';

export const DPI = 150;

/** A separator sheet: a Code 128 of `text`. */
export async function separatorPage(text: string, dpi = DPI): Promise<Buffer> {
  return (await composePage({ dpi, codes: [{ symbology: { ...symbology('Code128'), text }, x: 30, y: 30 }] })).bytes;
}

/** A page of text-like stripes and no code. */
export async function contentPage(dpi = DPI): Promise<Buffer> {
  return (await composePage({ dpi, codes: [], stripes: true })).bytes;
}

export async function blankPage(dpi = DPI): Promise<Buffer> {
  return (await composePage({ dpi, codes: [], noise: 4 })).bytes;
}

export async function patchPage(text: PatchText, dpi = DPI): Promise<Buffer> {
  return (await patchSheetPage(text, dpi)).bytes;
}

/** zbarimg's Code 128 texts on an image file (exit code 4: none). */
async function zbarTexts(file: string): Promise<string[]> {
  const out = await tool('zbarimg', ['-q', '--raw', file]).catch((err: Error) => {
    if (/exit code 4|code 4/.test(err.message) || /failed: Command failed/.test(err.message)) return { stdout: Buffer.alloc(0) };
    throw err;
  });
  return out.stdout.toString().split('\n').filter((l) => l.length > 0);
}

/** Each saved PDF has the pages expected (pdfinfo) and, when `code` is given, its first page carries that code (zbarimg reads it among any others). */
export async function checkSavedPdfs(files: { name: string; data?: string | undefined }[], expected: { name: string; pages: number; code?: string }[]): Promise<void> {
  assert.deepEqual(
    files.map((f) => f.name),
    expected.map((e) => e.name),
  );
  await withTempDir(async (dir) => {
    for (const [i, e] of expected.entries()) {
      const file = path.join(dir, `doc-${i}.pdf`);
      await writeFile(file, Buffer.from(files[i]!.data!, 'base64'));
      const info = (await tool('pdfinfo', [file])).stdout.toString();
      assert.equal(Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]), e.pages, `${e.name}: ${info}`);
      if (e.code === undefined) continue;
      await tool('pdftoppm', ['-f', '1', '-l', '1', '-r', '150', '-gray', '-png', '-singlefile', file, path.join(dir, `first-${i}`)]);
      const texts = await zbarTexts(path.join(dir, `first-${i}.png`));
      assert.ok(texts.includes(e.code), `${e.name}: ${e.code} on its first page; zbarimg read ${JSON.stringify(texts)}`);
    }
  });
}
