/**
 * Patch code sheets drawn at the standard's widths (wide bars 0.20 in, narrow
 * bars and spaces 0.08 in, bars 2.5 in long near the leading edge), at 150 to
 * 600 dpi, turned 0/90/180/270 and skewed, with noise and JPEG q40; and pages
 * without a patch code that have bars of their own.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp, { type OutputInfo } from 'sharp';
import { renderCode, symbology } from '../../addons/barcode/test-corpus.js';
import type { WorkingGrey } from './working-grey.js';
import { detectPatchCode, type PatchCodeType } from './patch-code.js';

const BITS: Record<PatchCodeType, string> = { patch1: '1100', patch2: '1001', patch3: '1010', patch4: '0110', patch6: '0011', patchT: '0101' };
const W = 3.5; // sheet, inches: small keeps 600 dpi cheap
const H = 3.2;

function svg(dpi: number, body: string): Buffer {
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${Math.round(W * dpi)}" height="${Math.round(H * dpi)}"><rect width="100%" height="100%" fill="#fff"/>${body}</svg>`);
}

/** Horizontal bars from 0.4 in below the top edge, first bar nearest the edge. */
function patchSheet(type: PatchCodeType, dpi: number): Buffer {
  let y = 0.4;
  let body = '';
  for (const b of BITS[type]) {
    const h = b === '1' ? 0.2 : 0.08;
    body += `<rect x="${0.5 * dpi}" y="${y * dpi}" width="${2.5 * dpi}" height="${h * dpi}" fill="#111"/>`;
    y += h + 0.08;
  }
  // Some text-like marks further down, as on a real separator sheet.
  for (let i = 0; i < 6; i++) body += `<rect x="${0.5 * dpi}" y="${(1.7 + i * 0.22) * dpi}" width="${(1 + (i % 3) * 0.6) * dpi}" height="${0.1 * dpi}" fill="#333"/>`;
  return svg(dpi, body);
}

/** Seeded noise (±amp), then JPEG q40, rotated and skewed: decoded back to 8-bit grey. */
async function scanned(input: Buffer, dpi: number, rotate: number, skew: number, seed: number): Promise<WorkingGrey> {
  // Raw grey between steps: PNG round trips of 600 dpi sheets would dominate the test's time.
  const raw = (r: { data: Buffer; info: OutputInfo }) => sharp(r.data, { raw: { width: r.info.width, height: r.info.height, channels: r.info.channels } });
  let r = await sharp(input).greyscale().raw().toBuffer({ resolveWithObject: true });
  if (rotate) r = await raw(r).rotate(rotate).raw().toBuffer({ resolveWithObject: true });
  if (skew) r = await raw(r).rotate(skew, { background: '#fff' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  const { data, info } = r;
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = Math.max(0, Math.min(255, data[i]! + ((s >>> 16) % 61) - 30));
  }
  const jpeg = await raw(r).jpeg({ quality: 40 }).toBuffer();
  const g = await sharp(jpeg).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { width: g.info.width, height: g.info.height, data: new Uint8Array(g.data.buffer, g.data.byteOffset, g.data.length), xdpi: dpi, ydpi: dpi };
}

describe('detectPatchCode', () => {
  it('reads every patch code at 150-600 dpi, turned 0/90/180/270, skewed ±3°, noisy, JPEG q40', async () => {
    const rows: string[] = [];
    const wrong: string[] = [];
    let seed = 1;
    for (const dpi of [150, 200, 300, 600]) {
      for (const type of Object.keys(BITS) as PatchCodeType[]) {
        const sheet = patchSheet(type, dpi);
        const turns = [0, 90, 180, 270].map((rotate) => ({ rotate, skew: [-3, 3, 0][seed++ % 3]!, seed }));
        const found = await Promise.all(turns.map(async (t) => detectPatchCode(await scanned(sheet, dpi, t.rotate, t.skew, t.seed))));
        const cells = turns.map((t, i) => {
          const r = found[i];
          if (r?.type !== type) wrong.push(`${type} ${dpi} dpi rot ${t.rotate} skew ${t.skew}: ${r ? r.type : 'none'}`);
          return `${t.rotate}°/${t.skew > 0 ? '+' : ''}${t.skew}°:${r ? `${r.type}@${r.confidence}` : 'none'}`;
        });
        rows.push(`${String(dpi).padStart(3)} dpi ${type.padEnd(6)} ${cells.join('  ')}`);
      }
    }
    console.log(rows.join('\n'));
    assert.deepEqual(wrong, []);
  });

  it('finds nothing on pages without a patch code', async () => {
    const dpi = 200;
    const px = (i: number) => i * dpi;
    const code128 = await renderCode(symbology('Code128'), dpi);
    const itf = await renderCode(symbology('ITF'), dpi);
    const pages: Record<string, Buffer> = {
      blank: svg(dpi, ''),
      // Lines of text as dark stripes: a paragraph of four lines, and a page of them.
      'text stripes': svg(dpi, [0, 1, 2, 3].map((i) => `<rect x="${px(0.5)}" y="${px(0.5 + i * 0.17)}" width="${px(2.5)}" height="${px(0.09)}" fill="#222"/>`).join('') +
        Array.from({ length: 12 }, (_, i) => `<rect x="${px(0.5)}" y="${px(1.5 + i * 0.2)}" width="${px(2.5)}" height="${px(i % 4 === 3 ? 0.2 : 0.08)}" fill="#222"/>`).join('')),
      // A table: thin rules, and a thick header rule.
      'table rules': svg(dpi, `<rect x="${px(0.4)}" y="${px(0.4)}" width="${px(2.7)}" height="${px(0.2)}" fill="#000"/>` +
        Array.from({ length: 14 }, (_, i) => `<rect x="${px(0.4)}" y="${px(0.7 + i * 0.22)}" width="${px(2.7)}" height="2" fill="#000"/>`).join('') +
        [0.4, 1.3, 2.2, 3.1].map((x) => `<rect x="${px(x)}" y="${px(0.7)}" width="2" height="${px(2.86)}" fill="#000"/>`).join('')),
    };
    const bar = async (code: Buffer) => sharp(svg(dpi, '')).composite([{ input: code, left: px(0.4), top: px(1) }]).png().toBuffer();
    pages['Code 128'] = await bar(code128);
    pages.ITF = await bar(itf);
    const found: string[] = [];
    let seed = 7;
    for (const [name, page] of Object.entries(pages)) {
      for (const rotate of [0, 90]) {
        const r = detectPatchCode(await scanned(page, dpi, rotate, rotate ? 2 : 0, seed++));
        console.log(`${name.padEnd(13)} rot ${rotate}: ${r ? r.type : 'none'}`);
        if (r) found.push(`${name} rot ${rotate}: ${r.type}`);
      }
    }
    assert.deepEqual(found, []);
  });
});
