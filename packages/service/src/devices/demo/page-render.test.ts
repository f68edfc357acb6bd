/** Demo pages as files: format, bit depth and pixel size per mode, resolution and paper; tone; realism of blank paper. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import type { ColorMode } from '@scanbridge/protocol';
import sharp from 'sharp';
import { type PageRequest, renderPage } from './page-render.js';
import { adler32, adler32Combine } from '../../formats/png-pieces.js';
import { pngHeader, pnmHeader } from './test-helpers.js';

const SIZES = { A4: [210, 297], A5: [148, 210], Letter: [215.9, 279.4], Legal: [215.9, 355.6] } as const;

function request(mode: ColorMode, dpi: number, paper: keyof typeof SIZES | [number, number], extra: Partial<PageRequest> = {}): PageRequest {
  const [widthMm, heightMm] = typeof paper === 'string' ? SIZES[paper] : paper;
  return { widthMm, heightMm, dpi, mode, brightness: 0, contrast: 0, content: 'front', face: 'front', sheet: 1, page: 1, pages: 1, ...extra };
}

/** Decoded samples; sharp would widen grey to RGB unless told to keep it. */
async function pixelsOf(png: Buffer): Promise<{ data: Buffer; channels: number }> {
  const { channels = 0 } = await sharp(png).metadata();
  const image = channels === 1 ? sharp(png).toColourspace('b-w') : sharp(png);
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  return { data, channels: info.channels };
}

function stats(data: Buffer): { mean: number; sd: number; black: number } {
  let sum = 0;
  let squares = 0;
  let black = 0;
  for (const v of data) {
    sum += v;
    squares += v * v;
    if (v < 128) black++;
  }
  const mean = sum / data.length;
  return { mean, sd: Math.sqrt(squares / data.length - mean * mean), black: black / data.length };
}

describe('demo page format', () => {
  const cases: [ColorMode, number, keyof typeof SIZES | [number, number], 'front' | 'back' | 'blank'][] = [
    ['color', 75, 'A4', 'front'],
    ['color', 150, 'Letter', 'back'],
    ['color', 300, 'A5', 'front'],
    ['color', 150, [100, 50], 'front'],
    ['bw', 75, [5, 3], 'front'],
    ['gray', 100, 'A4', 'front'],
    ['gray', 200, 'Legal', 'back'],
    ['gray', 400, 'A5', 'blank'],
    ['bw', 300, 'A4', 'front'],
    ['bw', 75, 'A5', 'back'],
    ['bw', 600, 'Letter', 'front'],
  ];
  for (const [mode, dpi, paper, content] of cases) {
    const label = typeof paper === 'string' ? paper : `${paper[0]} x ${paper[1]} mm`;
    it(`${mode} ${label} at ${dpi} dpi (${content}) is a ${mode === 'bw' ? '1-bit grey' : mode === 'gray' ? '8-bit grey' : '8-bit RGB'} PNG of the paper's pixel size`, async () => {
      const req = request(mode, dpi, paper, { content, face: content === 'back' ? 'back' : 'front' });
      const page = await renderPage(req);
      const width = Math.round((req.widthMm / 25.4) * dpi);
      const height = Math.round((req.heightMm / 25.4) * dpi);
      assert.deepEqual(
        { kind: page.kind, format: page.format, width: page.width, height: page.height, xdpi: page.xdpi, ydpi: page.ydpi, mode: page.mode, bitDepth: page.bitDepth },
        { kind: 'encoded', format: 'png', width, height, xdpi: dpi, ydpi: dpi, mode, bitDepth: mode === 'bw' ? 1 : 8 },
      );
      const header = pngHeader(page.bytes);
      assert.deepEqual(header, { width, height, bitDepth: mode === 'bw' ? 1 : 8, colorType: mode === 'color' ? 2 : 0, perMetre: Math.round(dpi / 0.0254) });
      const meta = await sharp(page.bytes).metadata();
      assert.equal(meta.density, dpi);
      assert.equal(meta.hasAlpha, false);
      assert.equal(await pnmHeader(page.bytes), `${mode === 'bw' ? 'P4' : mode === 'gray' ? 'P5' : 'P6'} ${width} ${height}`);
      const { data, channels } = await pixelsOf(page.bytes);
      assert.equal(channels, mode === 'color' ? 3 : 1);
      if (mode === 'bw') {
        const values = new Set(data);
        assert.deepEqual([...values].sort((a, b) => a - b), [0, 255], 'line-art holds pure black and pure white only');
      }
    });
  }

  it('is one valid zlib stream whose checksum covers every row', async () => {
    const page = await renderPage(request('gray', 150, 'A4'));
    const header = pngHeader(page.bytes);
    const start = page.bytes.indexOf('IDAT', 0, 'latin1');
    const length = page.bytes.readUInt32BE(start - 4);
    const rows = inflateSync(page.bytes.subarray(start + 4, start + 4 + length));
    assert.equal(rows.length, header.height * (header.width + 1));
    for (let y = 0; y < header.height; y++) assert.equal(rows[y * (header.width + 1)], 0);
  });

  it('combines Adler-32 checksums as zlib does', () => {
    const a = Buffer.from('scanbridge demo '.repeat(900));
    const b = Buffer.alloc(70000, 0xfe);
    assert.equal(adler32(Buffer.from('Wikipedia')), 0x11e60398);
    assert.equal(adler32Combine(adler32(a), adler32(b), b.length), adler32(Buffer.concat([a, b])));
  });
});

describe('demo page content', () => {
  it('differs from page to page and renders the same page identically', async () => {
    const one = await renderPage(request('color', 100, 'A4', { sheet: 1, page: 1, pages: 2 }));
    const again = await renderPage(request('color', 100, 'A4', { sheet: 1, page: 1, pages: 2 }));
    const two = await renderPage(request('color', 100, 'A4', { sheet: 2, page: 2, pages: 2 }));
    assert.ok(one.bytes.equals(again.bytes));
    assert.ok(!one.bytes.equals(two.bytes));
  });

  it('shows off-white, slightly noisy paper on a blank page, as a real scan does', async () => {
    for (const mode of ['gray', 'color'] as const) {
      const page = await renderPage(request(mode, 150, 'A4', { content: 'blank' }));
      const { mean, sd, black } = stats((await pixelsOf(page.bytes)).data);
      assert.ok(mean > 235 && mean < 250, `${mode} blank paper mean ${mean}`);
      assert.ok(sd > 0.5 && sd < 4, `${mode} blank paper noise ${sd}`);
      assert.ok(black < 0.0005, `${mode} blank page dark fraction ${black}`);
    }
    const printed = stats((await pixelsOf((await renderPage(request('gray', 150, 'A4'))).bytes)).data);
    assert.ok(printed.black > 0.02, `a printed page has ink: ${printed.black}`);
  });

  it('applies brightness and contrast', async () => {
    const gray = async (brightness: number, contrast: number) =>
      stats((await pixelsOf((await renderPage(request('gray', 75, 'A5', { brightness, contrast }))).bytes)).data);
    const plain = await gray(0, 0);
    assert.ok((await gray(40, 0)).mean > plain.mean + 10);
    assert.ok((await gray(-40, 0)).mean < plain.mean - 20);
    assert.ok((await gray(0, -60)).sd < plain.sd * 0.6);
    assert.ok((await gray(0, 60)).sd > plain.sd * 1.1);

    const line = async (brightness: number) => stats((await pixelsOf((await renderPage(request('bw', 150, 'A4', { brightness }))).bytes)).data).black;
    const normal = await line(0);
    assert.ok(normal > 0.02 && normal < 0.3, `line-art ink ${normal}`);
    assert.ok((await line(90)) < normal / 2, 'bright line-art drops most ink');
    assert.ok((await line(-100)) > 0.9, 'darkest line-art turns the paper black');
  });
});
