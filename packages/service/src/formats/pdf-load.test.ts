/**
 * Loading PDFs: pages rendered by pdf.js match poppler's rendering of the
 * same file; pages that are one JPEG (img2pdf's output) come in byte for
 * byte; encrypted PDFs (qpdf, AES-256) open with their password only; a
 * document claiming a million pages, or a page too large at the asked
 * resolution, is refused.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PDFDocument, StandardFonts, grayscale, rgb } from 'pdf-lib';
import sharp from 'sharp';
import { ScanbridgeError } from '@scanbridge/protocol';
import { drawnPdf, loadAll, meanAbsDiff, readPnm, tool, withTempDir } from './test-tools.js';

function ppm(width: number, height: number, pixel: (x: number, y: number) => number[]): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 3);
  return Buffer.concat([Buffer.from(`P6\n${width} ${height}\n255\n`, 'latin1'), data]);
}

const isCode = (code: string, pattern: RegExp) => (err: ScanbridgeError) => err.code === code && pattern.test(err.message);

describe('PDF loading', () => {
  it('renders every page at the chosen resolution, as poppler does', async () => {
    await withTempDir(async (dir) => {
      const pdf = await drawnPdf(2);
      const file = path.join(dir, 'drawn.pdf');
      await writeFile(file, pdf);
      const pages = await loadAll(pdf, { dpi: 100 });
      assert.equal(pages.length, 2);
      for (const [i, page] of pages.entries()) {
        assert.deepEqual([page.format, page.xdpi, page.ydpi, page.mode], ['png', 100, 100, 'color']);
        assert.ok(Math.abs(page.width - 827) <= 1 && Math.abs(page.height - 1169) <= 1, `A4 at 100 dpi, got ${page.width}x${page.height}`);
        const poppler = readPnm((await tool('pdftoppm', ['-r', '100', '-f', `${i + 1}`, '-l', `${i + 1}`, '-singlefile', file])).stdout);
        const w = Math.min(poppler.width, page.width);
        const h = Math.min(poppler.height, page.height);
        const ours = await sharp(page.bytes).extract({ left: 0, top: 0, width: w, height: h }).raw().toBuffer();
        const theirs = await sharp(poppler.data, { raw: { width: poppler.width, height: poppler.height, channels: 3 } }).extract({ left: 0, top: 0, width: w, height: h }).raw().toBuffer();
        const diff = meanAbsDiff(ours, theirs);
        assert.ok(diff < 2, `page ${i + 1}: mean difference to poppler ${diff}`);
      }
    });
  });

  it('renders a wide page band by band without seams: grey stays grey, a colour band makes the page RGB', async () => {
    await withTempDir(async (dir) => {
      // At 100 dpi a 14400 pt wide page is 20000 pixels wide: a band of the
      // renderer's 16 MB canvas is 209 rows, so these 278-row pages take two.
      const doc = await PDFDocument.create();
      const font = await doc.embedFont(StandardFonts.Helvetica);
      for (const colour of [grayscale(0.2), rgb(0.1, 0.6, 0.2)]) {
        const page = doc.addPage([14400, 200]);
        // Text and a diagonal cross the band boundary (about 50 pt from the bottom).
        page.drawText('Across the band boundary', { x: 100, y: 30, size: 60, font, color: grayscale(0) });
        page.drawLine({ start: { x: 2000, y: 10 }, end: { x: 2300, y: 190 }, thickness: 8, color: grayscale(0.4) });
        // The colour (or grey) only in the lower band: the upper band is grey either way.
        page.drawRectangle({ x: 5000, y: 5, width: 900, height: 30, color: colour });
      }
      const file = path.join(dir, 'wide.pdf');
      await writeFile(file, await doc.save());
      const pages = await loadAll(await readFile(file), { dpi: 100 });
      assert.deepEqual(pages.map((p) => [p.width, p.height, p.mode]), [[20000, 278, 'gray'], [20000, 278, 'color']]);
      for (const [i, page] of pages.entries()) {
        const poppler = readPnm((await tool('pdftoppm', ['-r', '100', '-f', `${i + 1}`, '-l', `${i + 1}`, '-singlefile', file])).stdout);
        const h = Math.min(poppler.height, page.height);
        const ours = await sharp(page.bytes).toColourspace('srgb').extract({ left: 0, top: 0, width: 20000, height: h }).removeAlpha().raw().toBuffer();
        const theirs = await sharp(poppler.data, { raw: { width: poppler.width, height: poppler.height, channels: 3 } }).extract({ left: 0, top: 0, width: 20000, height: h }).raw().toBuffer();
        // Row by row, so a seam (a band drawn at the wrong offset) cannot hide in the page's average.
        const row = 20000 * 3;
        for (let y = 200; y < 220; y++) {
          const diff = meanAbsDiff(ours.subarray(y * row, (y + 1) * row), theirs.subarray(y * row, (y + 1) * row));
          assert.ok(diff < 3, `page ${i + 1} row ${y}: mean difference to poppler ${diff}`);
        }
        assert.ok(meanAbsDiff(ours, theirs) < 2);
      }
    });
  });

  it('takes pages that are a single JPEG byte for byte (img2pdf)', async () => {
    await withTempDir(async (dir) => {
      const colour = (await tool('pnmtojpeg', ['--density=300x300dpi'], ppm(120, 170, (x, y) => [x * 2, y, 128]))).stdout;
      const grey = (await tool('pnmtojpeg', ['--density=200x200dpi', '--grayscale'], ppm(90, 60, (x) => [x, x, x]))).stdout;
      const files = [path.join(dir, 'a.jpg'), path.join(dir, 'b.jpg')];
      await writeFile(files[0]!, colour);
      await writeFile(files[1]!, grey);
      const out = path.join(dir, 'scan.pdf');
      await tool('img2pdf', [...files, '-o', out]);
      const pages = await loadAll(await readFile(out));
      assert.equal(pages.length, 2);
      assert.equal(pages[0]!.format, 'jpeg');
      assert.ok(pages[0]!.bytes.equals(colour), 'page 1 holds the JPEG unchanged');
      assert.deepEqual([pages[0]!.width, pages[0]!.height, pages[0]!.xdpi, pages[0]!.mode], [120, 170, 300, 'color']);
      assert.ok(pages[1]!.bytes.equals(grey), 'page 2 holds the JPEG unchanged');
      assert.deepEqual([pages[1]!.xdpi, pages[1]!.mode], [200, 'gray']);
    });
  });

  it('opens an AES-256 encrypted PDF with its password, and only with it', async () => {
    await withTempDir(async (dir) => {
      const plain = path.join(dir, 'plain.pdf');
      const locked = path.join(dir, 'locked.pdf');
      await writeFile(plain, await drawnPdf(1));
      await tool('qpdf', ['--encrypt', 'open sesame', 'owner-pw', '256', '--', plain, locked]);
      const bytes = await readFile(locked);
      await assert.rejects(loadAll(bytes), (err: ScanbridgeError) => err.code === 'pdf-password-required' && err.details?.passwordGiven === false && /params\.password/.test(err.message));
      await assert.rejects(loadAll(bytes, { password: 'guess' }), isCode('pdf-password-required', /^PDF: the password is wrong/));
      const pages = await loadAll(bytes, { password: 'open sesame', dpi: 50 });
      assert.equal(pages.length, 1);
      assert.ok(Math.abs(pages[0]!.width - 413) <= 1);
    });
  });

  /** A small file whose page tree is a million real pages: each node lists the same child ten times. */
  function millionPagePdf(): Buffer {
    const objects: string[] = ['<< /Type /Catalog /Pages 2 0 R >>'];
    // Objects 2..7: page tree nodes from 10^6 pages down to 10; object 8: the one page, used 10^6 times.
    for (let level = 0; level < 6; level++) {
      const n = 2 + level;
      const kids = Array.from({ length: 10 }, () => `${n + 1} 0 R`).join(' ');
      objects.push(`<< /Type /Pages${level > 0 ? ` /Parent ${n - 1} 0 R` : ''} /Kids [${kids}] /Count ${10 ** (6 - level)} >>`);
    }
    objects.push('<< /Type /Page /Parent 7 0 R /MediaBox [0 0 612 792] >>');
    let pdf = '%PDF-1.7\n';
    const offsets: number[] = [];
    objects.forEach((body, i) => {
      offsets.push(Buffer.byteLength(pdf));
      pdf += `${i + 1} 0 obj ${body} endobj\n`;
    });
    const xrefAt = Buffer.byteLength(pdf);
    pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f\r\n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n\r\n`).join('')}`;
    pdf += `trailer << /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
    return Buffer.from(pdf, 'latin1');
  }

  it('refuses a document of a million pages before rendering any', async () => {
    const pdf = millionPagePdf();
    assert.ok(pdf.length < 2000, 'the whole file is small');
    await assert.rejects(loadAll(pdf), isCode('invalid-image', /^PDF: 1000000 pages is more than the limit of \d+ per load/));
  });

  it('counts the pages there are, not the count a document claims', async () => {
    const doc = await PDFDocument.create();
    doc.addPage([200, 100]);
    const lying = Buffer.from(Buffer.from(await doc.save({ useObjectStreams: false })).toString('latin1').replace('/Count 1', '/Count 999999'), 'latin1');
    assert.ok(lying.includes('/Count 999999'));
    const pages = await loadAll(lying, { dpi: 72 });
    assert.equal(pages.length, 1);
  });

  it('refuses a page that would be too large at the asked resolution, naming the dpi', async () => {
    const doc = await PDFDocument.create();
    doc.addPage([14000, 14000]);
    await assert.rejects(loadAll(Buffer.from(await doc.save()), { dpi: 600 }), isCode('invalid-image', /^PDF: at 600 dpi the page is 116667x116667 pixels, more than the limit .* load it at a lower dpi/));
  });
});
