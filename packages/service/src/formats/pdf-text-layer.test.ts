/**
 * Searchable PDF: the invisible text layer under each page's image, checked
 * with poppler and qpdf only. Pages are drawn with known text (ocr-sample.ts),
 * so the OcrPage is exact and every word's place on the page is known:
 * pdftotext gives the text (order, spaces, line breaks), pdftotext -bbox puts
 * each word within 1 mm of its box, pdffonts shows the font embedded with a
 * Unicode map, pdfimages and pdftoppm show the page image untouched.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { OcrPage } from '@scanbridge/protocol';
import type { StoredImage } from '../buffer/types.js';
import { checkSaveOptions, outputFiles, type SaveOptions } from './encode.js';
import { ocrSample } from './ocr-sample.js';
import { writePdf, type PdfOptions } from './pdf/pdf-writer.js';
import { turnBox } from './pdf/pdf-text-layer.js';
import sharp from 'sharp';
import { concat, each, loadAll, tool, withTempDir } from './test-tools.js';

interface Page {
  page: StoredImage;
  ocr: OcrPage;
  original: Buffer;
}

const MM = 72 / 25.4;

async function pageOf(sample: { image: Buffer; ocr: OcrPage }): Promise<Page> {
  const [page] = await loadAll(sample.image, { xdpi: sample.ocr.dpi, ydpi: sample.ocr.dpi });
  return { page: page!, ocr: sample.ocr, original: sample.image };
}

const pdfOf = (pages: Page[], opts: PdfOptions = {}, withText = true) =>
  concat(writePdf(each(pages.map((p) => p.page)), { ...opts, ...(withText ? { text: async (_page, i) => pages[i]!.ocr } : {}) }));

interface BboxWord {
  text: string;
  box: [number, number, number, number];
}

/** pdftotext -bbox: each page's words with their boxes in points, top-left origin. */
async function bboxWords(file: string, args: string[] = []): Promise<BboxWord[][]> {
  const html = (await tool('pdftotext', [...args, '-bbox', file, '-'])).stdout.toString();
  return html.split('<page ').slice(1).map((page) =>
    [...page.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
      text: m[5]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'"),
      box: [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])],
    })),
  );
}

const LATIN = [
  ['Invoice 2024-0317 dated 12.03.2024', 'IBAN DE89 3704 0044 0532 0130 00'],
  ['Größe und Übermaß: Straße, Äpfel, Öl', 'Café déjà vu, garçon, Noël, œuvre à côté', 'El niño pidió café: ¿señor? ¡Sí!'],
];

let latin: Page;
let jpeg: Page;
let skewed: Page;

describe('PDF text layer', () => {
  before(async () => {
    latin = await pageOf(ocrSample({ blocks: LATIN, inches: [5.5, 3] }));
    jpeg = await pageOf(ocrSample({ blocks: [['Scanned as JPEG, passed through'], ['second block, one line']], dpi: 200, format: 'jpeg', inches: [4, 2] }));
    skewed = await pageOf(ocrSample({ blocks: [['A skewed line of several words to follow'], ['and another one below it']], skew: 3, inches: [5, 3] }));
    assert.equal(latin.page.format, 'png');
    assert.equal(jpeg.page.format, 'jpeg');
  });

  it('pdftotext reads the words in order, with spaces and line breaks, diacritics included', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'ocr.pdf');
      await writeFile(file, await pdfOf([latin, jpeg]));
      await tool('qpdf', ['--check', file]);
      const text = (await tool('pdftotext', ['-enc', 'UTF-8', file, '-'])).stdout.toString();
      const pages = text.split('\f');
      const lines = (s: string) => s.split('\n').filter((l) => l.trim() !== '');
      assert.deepEqual(lines(pages[0]!), LATIN.flat());
      assert.deepEqual(lines(pages[1]!), ['Scanned as JPEG, passed through', 'second block, one line']);
    });
  });

  it('pdftotext -bbox places every word within 1 mm of its box on the page', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'ocr.pdf');
      const pages = [latin, jpeg, skewed];
      await writeFile(file, await pdfOf(pages));
      const found = await bboxWords(file);
      let worst = 0;
      for (const [i, p] of pages.entries()) {
        const words = p.ocr.blocks.flatMap((b) => b.lines.flatMap((l) => l.words.map((w) => ({ w, line: l }))));
        // On a page skewed by 3 degrees, a line's end sinks to the next line's start: poppler's reading
        // order mixes them (any level-text extractor would), so words are matched by their text there.
        const drawn = p === skewed ? [...found[i]!].sort((a, b) => a.text.localeCompare(b.text)) : found[i]!;
        const wanted = p === skewed ? [...words].sort((a, b) => a.w.text.localeCompare(b.w.text)) : words;
        assert.deepEqual(drawn.map((w) => w.text), wanted.map(({ w }) => w.text), `page ${i + 1}`);
        const k = 72 / p.ocr.dpi;
        for (const [j, { w, line }] of wanted.entries()) {
          const got = drawn[j]!.box;
          // Horizontally the word's own box; vertically the line's letters (the layer sizes words by their line).
          const dx = Math.max(Math.abs(got[0] - w.box[0] * k), Math.abs(got[2] - w.box[2] * k));
          const top = p === skewed ? w.box[1] : line.box[1];
          const bottom = p === skewed ? w.box[3] : line.box[3];
          const dy = Math.max(Math.abs(got[1] - top * k), Math.abs(got[3] - bottom * k));
          worst = Math.max(worst, dx, dy);
          assert.ok(dx < 1 * MM && dy < 1 * MM, `page ${i + 1} "${w.text}": drawn at ${got.map((n) => n.toFixed(1))}, box ${w.box.map((n) => (n * k).toFixed(1))} line ${line.box.map((n) => (n * k).toFixed(1))} (pt)`);
        }
      }
      console.log(`text layer: worst word placement ${(worst / MM).toFixed(2)} mm`);
    });
  });

  it('embeds its font with a Unicode map; qpdf finds no error; encrypted PDFs carry it too', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'ocr.pdf');
      await writeFile(file, await pdfOf([latin, jpeg]));
      await tool('qpdf', ['--check', file]);
      const fonts = (await tool('pdffonts', [file])).stdout.toString().split('\n').slice(2).filter(Boolean);
      assert.equal(fonts.length, 1, fonts.join('\n'));
      // name, type (two words), encoding, emb, sub, uni
      const [name, type1, type2, encoding, emb, , uni] = fonts[0]!.trim().split(/\s+/);
      assert.deepEqual([name, `${type1} ${type2}`, encoding, emb, uni], ['ScanbridgeGlyphless', 'CID TrueType', 'Identity-H', 'yes', 'yes']);

      const locked = path.join(dir, 'locked.pdf');
      await writeFile(locked, await pdfOf([latin], { password: 'geheim' }));
      await tool('qpdf', ['--check', '--password=geheim', locked]);
      const text = (await tool('pdftotext', ['-upw', 'geheim', '-enc', 'UTF-8', locked, '-'])).stdout.toString();
      assert.ok(text.includes('Größe und Übermaß: Straße, Äpfel, Öl'), text);
    });
  });

  it('leaves the page images as they are: same streams, same bytes, same rendered pixels', async () => {
    await withTempDir(async (dir) => {
      const pages = [jpeg, latin];
      const plain = await pdfOf(pages, {}, false);
      const searchable = await pdfOf(pages);
      const files = { plain: path.join(dir, 'plain.pdf'), ocr: path.join(dir, 'ocr.pdf') };
      await writeFile(files.plain, plain);
      await writeFile(files.ocr, searchable);
      const list = async (f: string) => (await tool('pdfimages', ['-list', f])).stdout.toString().split('\n').slice(2).filter(Boolean).map((l) => l.trim().split(/\s+/).filter((_, i) => i !== 10).join(' ')); // all but the object number
      assert.deepEqual(await list(files.ocr), await list(files.plain));
      for (const name of ['plain', 'ocr'] as const) await tool('pdfimages', ['-all', files[name], path.join(dir, name)]);
      const extracted = (await readdir(dir)).filter((f) => f.startsWith('plain-')).sort();
      assert.ok(extracted.length >= 2, extracted.join());
      for (const f of extracted) {
        assert.ok((await readFile(path.join(dir, f))).equals(await readFile(path.join(dir, f.replace('plain-', 'ocr-')))), `${f}: the same image with the text layer`);
      }
      assert.ok((await readFile(path.join(dir, extracted.find((f) => f.endsWith('.jpg'))!))).equals(jpeg.original), 'the JPEG page is the original file, byte for byte');
      for (const n of [1, 2]) {
        const render = async (f: string) => (await tool('pdftoppm', ['-r', '150', '-f', `${n}`, '-l', `${n}`, '-singlefile', f])).stdout;
        assert.ok((await render(files.ocr)).equals(await render(files.plain)), `page ${n} renders the same pixels`);
      }
      const perPage = (searchable.length - plain.length) / pages.length;
      console.log(`text layer: ${searchable.length - plain.length} bytes added to ${pages.length} pages (${perPage.toFixed(0)} per page, font included), ${plain.length} bytes without`);
    });
  });

  it('keeps PDF/A-2b claims true: font program embedded, widths equal to it, no .notdef, a ToUnicode map', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'a.pdf');
      await writeFile(file, await pdfOf([latin, jpeg], { pdfa: true, metadata: { title: 'Searchable archive copy' } }));
      await tool('qpdf', ['--check', file]);
      const json = JSON.parse((await tool('qpdf', ['--json=2', '--json-key=qpdf', '--json-stream-data=inline', '--decode-level=generalized', file])).stdout.toString()) as { qpdf: [unknown, Record<string, QpdfObject>] };
      const objects = json.qpdf[1];
      const get = (r: unknown) => objects[`obj:${r as string}`]!;
      const catalog = get((objects['trailer']!.value!['/Root'])).value!;
      const xmp = Buffer.from(get(catalog['/Metadata']).stream!.data!, 'base64').toString('utf8');
      assert.match(xmp, /<pdfaid:part>2<\/pdfaid:part>/);
      assert.match(xmp, /<pdfaid:conformance>B<\/pdfaid:conformance>/);
      assert.equal(get((catalog['/OutputIntents'] as string[])[0]).value!['/S'], '/GTS_PDFA1');

      const type0 = Object.values(objects).find((o) => o.value?.['/Subtype'] === '/Type0')!.value!;
      assert.equal(type0['/Encoding'], '/Identity-H');
      const toUnicode = Buffer.from(get(type0['/ToUnicode']).stream!.data!, 'base64').toString('latin1');
      assert.match(toUnicode, /<[0-9a-f]{4}> <00df>/, 'ß has a Unicode value');
      const cidFont = get((type0['/DescendantFonts'] as string[])[0]).value!;
      assert.equal(cidFont['/Subtype'], '/CIDFontType2');
      const descriptor = get(cidFont['/FontDescriptor']).value!;
      const program = Buffer.from(get(descriptor['/FontFile2']).stream!.data!, 'base64');
      // The TrueType tables the widths and glyphs come from, read here from the embedded program.
      const table = (tag: string) => {
        for (let i = 0; i < program.readUInt16BE(4); i++) {
          if (program.toString('latin1', 12 + 16 * i, 16 + 16 * i) === tag) return program.subarray(program.readUInt32BE(20 + 16 * i), program.readUInt32BE(20 + 16 * i) + program.readUInt32BE(24 + 16 * i));
        }
        throw new Error(`no ${tag} table`);
      };
      const unitsPerEm = table('head').readUInt16BE(18);
      const numGlyphs = table('maxp').readUInt16BE(4);
      const advances = Array.from({ length: numGlyphs }, (_, g) => table('hmtx').readUInt16BE(4 * Math.min(g, table('hhea').readUInt16BE(34) - 1)));
      const map = Buffer.from(get(cidFont['/CIDToGIDMap']).stream!.data!, 'base64');
      const codes = (toUnicode.match(/^<([0-9a-f]{4})> <[0-9a-f]+>$/gm) ?? []).map((m) => parseInt(m.slice(1, 5), 16));
      assert.ok(codes.length > 40, `${codes.length} characters mapped`);
      for (const code of codes) {
        const glyph = map.readUInt16BE(2 * code);
        assert.ok(glyph > 0 && glyph < numGlyphs, `code ${code} draws glyph ${glyph}, not .notdef`);
        assert.equal(cidFont['/W'], undefined);
        assert.equal((advances[glyph]! * 1000) / unitsPerEm, cidFont['/DW'], 'the PDF width is the font program width');
      }
      const text = (await tool('pdftotext', ['-enc', 'UTF-8', file, '-'])).stdout.toString();
      assert.ok(text.includes('Café déjà vu, garçon, Noël, œuvre à côté'), text);
    });
  });

  it('draws the text of a page stored sideways or upside down in its reading direction', async () => {
    const lines = LATIN[1]!;
    const sample = ocrSample({ blocks: [lines], inches: [5.5, 2] });
    for (const rotation of [90, 180, 270]) {
      // Stored turned back by the angle the engine turned it to read it.
      const back = (360 - rotation) % 360;
      const image = await sharp(sample.image).rotate(back).png().toBuffer();
      const [w, h] = [sample.ocr.width, sample.ocr.height];
      const box = (b: [number, number, number, number]) => turnBox(b, back, w, h);
      const ocr: OcrPage = {
        ...sample.ocr,
        ...(rotation % 180 ? { width: h, height: w } : {}),
        rotation,
        blocks: sample.ocr.blocks.map((b) => ({ box: box(b.box), lines: b.lines.map((l) => ({ ...l, box: box(l.box), words: l.words.map((wd) => ({ ...wd, box: box(wd.box) })) })) })),
      };
      const stored = await pageOf({ image, ocr });
      await withTempDir(async (dir) => {
        const file = path.join(dir, `turned-${rotation}.pdf`);
        await writeFile(file, await pdfOf([stored]));
        const text = (await tool('pdftotext', ['-enc', 'UTF-8', file, '-'])).stdout.toString();
        // Each line whole and in reading order; poppler lists the lines of text turned 90 degrees
        // counter-clockwise last to first (it does so for any PDF, pdf-lib's rotated text too).
        const read = text.split('\n').filter((l) => l.trim() !== '');
        assert.deepEqual(rotation === 90 ? read.reverse() : read, lines, `rotation ${rotation}`);
        const found = (await bboxWords(file))[0]!;
        const words = ocr.blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
        assert.deepEqual(found.map((f) => f.text).sort(), words.map((wd) => wd.text).sort());
        const k = 72 / ocr.dpi;
        for (const wd of words) {
          const got = found.find((f) => f.text === wd.text)!.box;
          // Along the reading direction the word's own extent; across it, inside the word's box (its line's band).
          const along = rotation === 180 ? [0, 2] : [1, 3];
          const across = rotation === 180 ? [1, 3] : [0, 2];
          for (const a of along) assert.ok(Math.abs(got[a]! - wd.box[a]! * k) < MM, `${rotation}: "${wd.text}" ${got} vs ${wd.box.map((v) => v * k)}`);
          const mid = (got[across[0]!]! + got[across[1]!]!) / 2;
          assert.ok(mid > wd.box[across[0]!]! * k - MM && mid < wd.box[across[1]!]! * k + MM, `${rotation}: "${wd.text}" across`);
        }
      });
    }
  });
});

interface QpdfObject {
  value?: Record<string, unknown>;
  stream?: { dict: Record<string, unknown>; data?: string };
}
