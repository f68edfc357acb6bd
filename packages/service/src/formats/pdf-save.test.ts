/**
 * Saving PDFs, every file checked by tools that are not ours: qpdf --check
 * (structure), pdfinfo (pages, sizes, metadata, encryption), pdfimages
 * (encodings; JPEG streams extracted and compared byte for byte), pdftoppm
 * (rendered pixels against the source), qpdf --json (PDF/A parts read back).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { ScanbridgeError } from '@scanbridge/protocol';
import type { StoredImage } from '../buffer/types.js';
import { checkSaveOptions, outputFiles, type SaveOptions } from './encode.js';
import { concat, loadAll, meanAbsDiff, readPnm, tool, withTempDir } from './test-tools.js';

interface Source {
  name: string;
  page: StoredImage;
  /** The page's pixels as RGB, for comparing renderings. */
  rgb: Buffer;
}

async function rgbOf(page: StoredImage): Promise<Buffer> {
  return sharp(page.bytes).toColourspace('srgb').removeAlpha().raw().toBuffer();
}

function ppm(width: number, height: number, pixel: (x: number, y: number) => number[]): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 3);
  return Buffer.concat([Buffer.from(`P6\n${width} ${height}\n255\n`, 'latin1'), data]);
}

async function one(bytes: Buffer, opts = {}): Promise<StoredImage> {
  const [page] = await loadAll(bytes, opts);
  return page!;
}

let sources: Source[] = [];
let originalJpeg: Buffer;

async function savePdf(pages: StoredImage[], opts: Omit<SaveOptions, 'format'> = {}): Promise<Buffer> {
  // Lossless: these tests compare what poppler renders with the pages' pixels (pdf-compression.test.ts has the rest).
  const options: SaveOptions = { format: 'pdf', compression: 'lossless', ...opts };
  checkSaveOptions(options, pages.map((p, index) => ({ id: `p${index}`, index, format: p.format, bitDepth: p.bitDepth, mode: p.mode })));
  const [file] = outputFiles({ count: pages.length, get: async (i) => pages[i]! }, options);
  return concat(file!.chunks());
}

/**
 * Page `n` rendered by pdftoppm at 4x the page's resolution and sampled at
 * pixel centres: at exactly 1x, poppler's pixel grid rounding moves the edges
 * of 1-bit images by a pixel.
 */
async function rendered(file: string, n: number, page: StoredImage, args: string[] = []): Promise<{ width: number; height: number; rgb: Buffer }> {
  const pnm = readPnm((await tool('pdftoppm', [...args, '-r', String(page.xdpi * 4), '-f', `${n}`, '-l', `${n}`, '-singlefile', file])).stdout);
  const width = Math.round(pnm.width / 4);
  const height = Math.round(pnm.height / 4);
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pnm.data.copy(rgb, (y * width + x) * 3, ((4 * y + 2) * pnm.width + 4 * x + 2) * 3, ((4 * y + 2) * pnm.width + 4 * x + 2) * 3 + 3);
  return { width, height, rgb };
}

interface QpdfJson {
  trailer: Record<string, unknown>;
  objects: Record<string, { value?: Record<string, unknown>; stream?: { dict: Record<string, unknown>; data?: string } }>;
}

async function qpdfJson(file: string): Promise<QpdfJson> {
  const json = JSON.parse((await tool('qpdf', ['--json=2', '--json-key=qpdf', '--json-stream-data=inline', file])).stdout.toString()) as { qpdf: [unknown, Record<string, never>] };
  const objects = json.qpdf[1];
  return { trailer: (objects['trailer'] as unknown as { value: Record<string, unknown> }).value, objects };
}

describe('PDF saving', () => {
  before(async () => {
    originalJpeg = (await tool('pnmtojpeg', ['--quality=85', '--density=150x150dpi'], ppm(300, 400, (x, y) => [x % 256, (y / 2) % 256, 90]))).stdout;
    const bw = Buffer.alloc(400 * 300);
    for (let i = 0; i < bw.length; i++) bw[i] = (i % 400) % 16 < 5 || Math.floor(i / 400) % 40 < 3 ? 0 : 255;
    const pages = [
      { name: 'jpeg', page: await one(originalJpeg) },
      { name: 'line-art', page: await one(await sharp(bw, { raw: { width: 400, height: 300, channels: 1 } }).toColourspace('b-w').withDensity(200).png({ palette: true, colours: 2 }).toBuffer()) },
      { name: 'grey png', page: await one((await tool('pnmtopng', [], Buffer.concat([Buffer.from('P5\n120 80\n255\n'), Buffer.from(Array.from({ length: 9600 }, (_, i) => (i * 7) % 256))]))).stdout, { xdpi: 100 }) },
      { name: 'colour png', page: await one((await tool('pnmtopng', [], ppm(150, 100, (x, y) => [x, y * 2, 200]))).stdout, { xdpi: 100 }) },
      { name: 'palette png', page: await one((await tool('pnmtopng', [], ppm(100, 100, (x) => (x % 3 ? [250, 0, 0] : [0, 0, 250])))).stdout, { xdpi: 50 }) },
      { name: 'interlaced png', page: await one(await sharp(Buffer.from(Array.from({ length: 90 * 60 * 3 }, (_, i) => (i * 13) % 256)), { raw: { width: 90, height: 60, channels: 3 } }).png({ progressive: true }).toBuffer(), { xdpi: 60 }) },
    ];
    assert.deepEqual(pages.map((p) => `${p.page.format}/${p.page.mode}/${p.page.bitDepth}`), ['jpeg/color/8', 'png/bw/1', 'png/gray/8', 'png/color/8', 'png/color/8', 'png/color/8']);
    sources = await Promise.all(pages.map(async (p) => ({ ...p, rgb: await rgbOf(p.page) })));
  });

  it('writes every page at its size from its resolution; qpdf finds no error', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'out.pdf');
      await writeFile(file, await savePdf(sources.map((s) => s.page)));
      await tool('qpdf', ['--check', file]);
      const info = (await tool('pdfinfo', ['-f', '1', '-l', String(sources.length), file])).stdout.toString();
      assert.match(info, new RegExp(`Pages:\\s+${sources.length}\\n`));
      for (const [i, s] of sources.entries()) {
        const w = (s.page.width / s.page.xdpi) * 72;
        const h = (s.page.height / s.page.ydpi) * 72;
        const m = info.match(new RegExp(`Page\\s+${i + 1} size:\\s+([\\d.]+) x ([\\d.]+) pts`));
        assert.ok(m, `size of page ${i + 1}`);
        assert.ok(Math.abs(Number(m[1]) - w) < 0.01 && Math.abs(Number(m[2]) - h) < 0.01, `${s.name}: ${m[1]} x ${m[2]} pts, expected ${w} x ${h}`);
      }
    });
  });

  it('embeds JPEG pages byte for byte, line-art as CCITT, and renders every page as its source', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'out.pdf');
      await writeFile(file, await savePdf(sources.map((s) => s.page)));
      const list = (await tool('pdfimages', ['-list', file])).stdout.toString().split('\n').slice(2).filter(Boolean);
      assert.deepEqual(list.map((l) => l.trim().split(/\s+/)[8]), ['jpeg', 'ccitt', 'image', 'image', 'image', 'image']);
      await tool('pdfimages', ['-all', '-f', '1', '-l', '1', file, path.join(dir, 'img')]);
      const extracted = (await readdir(dir)).find((f) => f.startsWith('img') && f.endsWith('.jpg'));
      assert.ok(extracted, 'pdfimages found a JPEG stream');
      assert.ok((await readFile(path.join(dir, extracted))).equals(originalJpeg), 'the JPEG in the PDF is the original file');
      for (const [i, s] of sources.entries()) {
        const r = await rendered(file, i + 1, s.page);
        assert.deepEqual([r.width, r.height], [s.page.width, s.page.height], s.name);
        const diff = meanAbsDiff(r.rgb, s.rgb);
        assert.ok(diff < 1, `${s.name}: mean difference ${diff}`);
      }
    });
  });

  it('writes the document information', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'out.pdf');
      const metadata = { title: 'Rechnung März (2024)', author: 'Ana \\ Bo', subject: 'Invoices', keywords: 'invoice, 2024', creator: 'Back office' };
      await writeFile(file, await savePdf([sources[0]!.page], { metadata }));
      const info = (await tool('pdfinfo', [file])).stdout.toString();
      assert.match(info, /Title:\s+Rechnung März \(2024\)\n/);
      assert.match(info, /Author:\s+Ana \\ Bo\n/);
      assert.match(info, /Subject:\s+Invoices\n/);
      assert.match(info, /Keywords:\s+invoice, 2024\n/);
      assert.match(info, /Creator:\s+Back office\n/);
      assert.match(info, /Producer:\s+scanbridge\n/);
    });
  });

  it('writes PDF/A-2b: XMP identification, sRGB output intent, no encryption, CMYK turned RGB', async () => {
    await withTempDir(async (dir) => {
      const cmyk = await one(await sharp(Buffer.alloc(60 * 40 * 3, 140), { raw: { width: 60, height: 40, channels: 3 } }).toColourspace('cmyk').jpeg().toBuffer(), { xdpi: 72 });
      const file = path.join(dir, 'a.pdf');
      const pdf = await savePdf([...sources.map((s) => s.page), cmyk], { pdfa: true, metadata: { title: 'Archive <copy> & co', author: 'Ana' } });
      await writeFile(file, pdf);
      assert.equal(pdf.toString('latin1', 0, 9), '%PDF-1.7\n');
      assert.ok([...pdf.subarray(10, 14)].every((b) => b > 127), 'binary comment on the second line');
      await tool('qpdf', ['--check', file]);
      assert.match((await tool('qpdf', ['--show-encryption', file])).stdout.toString(), /File is not encrypted/);
      const { trailer, objects } = await qpdfJson(file);
      assert.equal((trailer['/ID'] as string[]).length, 2);
      assert.equal(trailer['/Encrypt'], undefined);
      const catalog = objects[`obj:${trailer['/Root']}`]!.value!;
      const intent = objects[`obj:${(catalog['/OutputIntents'] as string[])[0]}`]!.value!;
      assert.equal(intent['/S'], '/GTS_PDFA1');
      const profile = objects[`obj:${intent['/DestOutputProfile']}`]!.stream!;
      assert.equal(profile.dict['/N'], 3);
      const icc = Buffer.from(profile.data!, 'base64');
      assert.equal(icc.toString('latin1', 36, 40), 'acsp', 'an ICC profile');
      assert.equal(icc.toString('latin1', 16, 20), 'RGB ', 'for RGB');
      const metadata = objects[`obj:${catalog['/Metadata']}`]!.stream!;
      assert.equal(metadata.dict['/Subtype'], '/XML');
      assert.equal(metadata.dict['/Filter'], undefined, 'the XMP packet is not compressed');
      const xmp = Buffer.from(metadata.data!, 'base64').toString('utf8');
      assert.match(xmp, /<pdfaid:part>2<\/pdfaid:part>/);
      assert.match(xmp, /<pdfaid:conformance>B<\/pdfaid:conformance>/);
      assert.match(xmp, /<rdf:li xml:lang="x-default">Archive &#60;copy&#62; &#38; co<\/rdf:li>/);
      const info = (await tool('pdfinfo', [file])).stdout.toString();
      assert.match(info, /Title:\s+Archive <copy> & co\n/);
      assert.match(info, /Metadata Stream:\s+yes/);
      // The XMP dates are the Info dictionary's.
      const created = xmp.match(/<xmp:CreateDate>(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z<\/xmp:CreateDate>/);
      assert.ok(created);
      assert.ok(pdf.includes(`/CreationDate (D:${created.slice(1).join('')}Z)`));
      const encodings = (await tool('pdfimages', ['-list', file])).stdout.toString().split('\n').slice(2).filter(Boolean).map((l) => l.trim().split(/\s+/)[5]);
      assert.ok(!encodings.includes('cmyk'), `no CMYK image in PDF/A with an sRGB intent: ${encodings.join(', ')}`);
    });
  });

  it('protects with AES-256: opens only with the password, renders the same', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'locked.pdf');
      const password = 'pässwörd 42';
      const pdf = await savePdf(sources.map((s) => s.page), { password, metadata: { title: 'Secret title' } });
      await writeFile(file, pdf);
      assert.ok(!pdf.includes('Secret title'), 'the title is encrypted too');
      await assert.rejects(tool('pdfinfo', [file]), /Incorrect password/);
      const info = (await tool('pdfinfo', ['-upw', password, file])).stdout.toString();
      assert.match(info, /Encrypted:\s+yes \(.*algorithm:AES-256\)/);
      assert.match(info, /Title:\s+Secret title/);
      assert.match(info, new RegExp(`Pages:\\s+${sources.length}\\n`));
      await tool('qpdf', ['--check', `--password=${password}`, file]);
      const encryption = (await tool('qpdf', ['--show-encryption', `--password=${password}`, file])).stdout.toString();
      assert.match(encryption, /R = 6/);
      assert.match(encryption, /stream encryption method: AESv3/);
      for (const [i, s] of sources.entries()) {
        const r = await rendered(file, i + 1, s.page, ['-upw', password]);
        assert.ok(meanAbsDiff(r.rgb, s.rgb) < 1, s.name);
      }
      // pdf.js (our own loader) agrees.
      await assert.rejects(loadAll(pdf), (err: ScanbridgeError) => err.code === 'pdf-password-required');
      assert.equal((await loadAll(pdf, { password, dpi: 36 })).length, sources.length);
    });
  });

  it('refuses PDF/A with a password, and PDF options on other formats', () => {
    const facts = [{ id: 'p', index: 0, format: 'png' as const, bitDepth: 8, mode: 'color' }];
    assert.throws(() => checkSaveOptions({ format: 'pdf', pdfa: true, password: 'x' }, facts), (err: ScanbridgeError) => err.code === 'invalid-params' && /PDF\/A forbids encryption/.test(err.message));
    assert.throws(() => checkSaveOptions({ format: 'tiff', password: 'x' }, facts), (err: ScanbridgeError) => err.code === 'invalid-params' && err.message === 'params.password applies to pdf output, not tiff');
  });
});
