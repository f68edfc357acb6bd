/**
 * The generated corpus: every symbology on A4 pages at 150, 200 and 300 dpi,
 * turned, skewed, noisy, blurred, JPEG q40 and 1-bit, plus pages without a
 * code. Prints the read rate per symbology; requires exact text, every code
 * on clean pages of 200 dpi and more, 95 % over the corpus, nothing on pages
 * without codes, and every code zbarimg (an independent reader) finds on the
 * same files.
 *
 * MaxiCode is the exception, measured and printed like the rest: ZXing finds
 * a MaxiCode only when it is alone in the image, so it is read through a
 * region that frames it (last test), not on a full page.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BarcodeFormat, BarcodeResult } from '@scanbridge/protocol';
import { composePage, SYMBOLOGIES, symbology, type PageSpec, type Symbology } from './test-corpus.js';
import { greyPixels, readPixels, regionPixels, type ReadOptions } from './read-page.js';
import { BarcodePool } from './worker-pool.js';

const run = promisify(execFile);

const VARIANTS: { name: string; spec: Omit<PageSpec, 'codes' | 'flow'>; clean?: boolean }[] = [
  { name: '150 dpi', spec: { dpi: 150 } },
  { name: '200 dpi', spec: { dpi: 200 }, clean: true },
  { name: '300 dpi', spec: { dpi: 300 }, clean: true },
  { name: 'turned 90', spec: { dpi: 200, rotate: 90 }, clean: true },
  { name: 'turned 180', spec: { dpi: 200, rotate: 180 }, clean: true },
  { name: 'turned 270', spec: { dpi: 200, rotate: 270 }, clean: true },
  { name: 'skewed 4', spec: { dpi: 200, skew: 4 } },
  { name: 'skewed -8', spec: { dpi: 300, skew: -8 } },
  { name: 'noisy', spec: { dpi: 200, noise: 25 } },
  { name: 'blurred', spec: { dpi: 300, blur: 1.2 } },
  { name: 'JPEG q40', spec: { dpi: 200, output: 'jpeg40' } },
  { name: '1-bit', spec: { dpi: 200, output: 'bilevel', noise: 15 } },
];
const EMPTY: { name: string; spec: PageSpec }[] = [
  { name: 'empty, noisy', spec: { dpi: 200, codes: [], noise: 20 } },
  { name: 'text-like stripes', spec: { dpi: 300, codes: [], stripes: true } },
  { name: 'stripes, 1-bit', spec: { dpi: 200, codes: [], stripes: true, output: 'bilevel' } },
];
const ON_FULL_PAGE = SYMBOLOGIES.filter((s) => s.format !== 'MaxiCode');
const OPTIONS: ReadOptions = { maxSymbols: 255, tryHarder: true, tryRotate: true, tryInvert: false, timeout: 0 };

/** zbarimg's names, as the corpus records them. */
const ZBAR_NAMES = new Map(SYMBOLOGIES.filter((s) => s.zbar).map((s) => [s.zbar!, s]));

interface Page {
  name: string;
  file: string;
  found: BarcodeResult[];
  clean: boolean;
  codes: readonly Symbology[];
}

async function zbarimg(file: string): Promise<{ type: string; text: string }[]> {
  // QR bytes as they are (zbar otherwise guesses a charset); exit code 4 means nothing found.
  const out = await run('zbarimg', ['-q', '--xml', '-Sqrcode.binary', file]).catch((err: { code?: number; stdout?: string }) => {
    if (err.code === 4) return { stdout: err.stdout ?? '' };
    throw err;
  });
  const found: { type: string; text: string }[] = [];
  for (const m of out.stdout.matchAll(/<symbol type='([^']+)'[^>]*><data( format='base64')?[^>]*><!\[CDATA\[([\s\S]*?)\]\]><\/data>/g)) {
    found.push({ type: m[1]!, text: m[2] ? Buffer.from(m[3]!.trim(), 'base64').toString('utf8') : m[3]! });
  }
  return found;
}

describe('barcode corpus', () => {
  const pool = new BarcodePool();
  let dir: string;
  const pages: Page[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'scanbridge-barcodes-'));
    const all = [...VARIANTS.map((v) => ({ name: v.name, spec: { ...v.spec, codes: [], flow: SYMBOLOGIES } as PageSpec, clean: v.clean ?? false })), ...EMPTY.map((e) => ({ ...e, clean: false }))];
    // Pages go to the pool together: it reads as many at once as the machine has cores.
    pages.push(
      ...(await Promise.all(
        all.map(async (p, i) => {
          const page = await composePage(p.spec, i + 1);
          const file = path.join(dir, `page-${i}.${page.format === 'jpeg' ? 'jpg' : 'png'}`);
          await writeFile(file, page.bytes);
          const px = await greyPixels(page.bytes);
          const read = await readPixels(pool, px, { left: 0, top: 0, width: px.width, height: px.height }, OPTIONS, `page-${i}`);
          return { name: p.name, file, found: read.barcodes, clean: p.clean, codes: p.spec.flow ?? [] };
        }),
      )),
    );
  });
  after(async () => {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  });

  const readOn = (page: Page, s: Symbology) => page.found.some((b) => b.format === s.format && b.text === s.text);

  it('reads every symbology with exact text; prints the read rate per symbology', () => {
    const lines: string[] = [];
    let read = 0;
    let total = 0;
    for (const s of SYMBOLOGIES) {
      const on = pages.filter((p) => p.codes.includes(s));
      const hits = on.filter((p) => readOn(p, s));
      const missed = on.filter((p) => !readOn(p, s)).map((p) => p.name);
      lines.push(`  ${s.format.padEnd(16)} ${hits.length}/${on.length} ${((100 * hits.length) / on.length).toFixed(0).padStart(3)} %${missed.length ? `  missed: ${missed.join(', ')}` : ''}`);
      if (s.format !== 'MaxiCode') {
        read += hits.length;
        total += on.length;
      }
    }
    console.log(`read rate per symbology over ${VARIANTS.length} pages:\n${lines.join('\n')}\n  all but MaxiCode: ${read}/${total} ${((100 * read) / total).toFixed(1)} %`);
    assert.ok(read / total >= 0.95, `read rate ${read}/${total} is below 95 %`);
    // Nothing read that is not on the page (a misread would show up as a wrong text).
    for (const p of pages) for (const b of p.found) assert.ok(p.codes.some((s) => s.format === b.format && s.text === b.text), `${p.name}: unexpected ${b.format} ${JSON.stringify(b.text)}`);
  });

  it('reads every code on clean pages of 200 dpi and more', () => {
    for (const p of pages.filter((x) => x.clean)) {
      const missed = ON_FULL_PAGE.filter((s) => !readOn(p, s)).map((s) => s.format);
      assert.deepEqual(missed, [], `${p.name}: missed ${missed.join(', ')}`);
    }
  });

  it('finds nothing on pages without codes', () => {
    for (const p of pages.filter((x) => x.codes.length === 0)) assert.deepEqual(p.found, [], p.name);
  });

  it('finds every code zbarimg finds on the same files', async () => {
    let theirs = 0;
    const misreads: string[] = [];
    for (const p of pages) {
      for (const z of await zbarimg(p.file)) {
        // zbar writes UPC-A and UPC-E as EAN-13 and GS1 without brackets: match by the corpus' record of its text.
        const s = p.codes.find((c) => (c.zbarText ?? c.text) === z.text && (ZBAR_NAMES.get(z.type) === c || z.type === 'EAN-13'));
        if (!s) {
          misreads.push(`${p.name}: ${z.type} ${JSON.stringify(z.text)}`);
          continue;
        }
        theirs++;
        assert.ok(readOn(p, s), `${p.name}: zbarimg read ${s.format} ${JSON.stringify(s.text)}, scanbridge did not`);
      }
    }
    console.log(`zbarimg read ${theirs} codes of the corpus, all read by scanbridge too${misreads.length ? `; zbarimg misreads (not on the page): ${misreads.join('; ')}` : ''}`);
    assert.ok(theirs > 0);
  });

  it('reads a MaxiCode framed by a region', async () => {
    const maxi = symbology('MaxiCode');
    for (const dpi of [200, 300]) {
      const page = await composePage({ dpi, codes: [{ symbology: maxi, x: 100, y: 150 }, { symbology: symbology('QRCode'), x: 20, y: 20 }] });
      const px = (mm: number) => Math.round((mm * dpi) / 25.4);
      const area = regionPixels({ unit: 'px', x: px(95), y: px(145), width: px(50), height: px(50) }, page.width, page.height, 'the page');
      const read = await readPixels(pool, await greyPixels(page.bytes, area), area, { ...OPTIONS, formats: ['MaxiCode' as BarcodeFormat] }, 'p');
      assert.deepEqual(
        read.barcodes.map((b) => [b.format, b.text]),
        [['MaxiCode', maxi.text]],
        `${dpi} dpi`,
      );
      assert.ok(read.barcodes[0]!.position.topLeft.x >= px(95), 'corners are in page pixels');
    }
  });
});
