// Bytes per page of scanbridge's PDF compressions against independent tools,
// on the demo scanner's pages (A4 invoice with text, table, codes and a photo)
// at 200 dpi in colour, grey and line-art:
//   ours auto / jpeg / lossless   SaveImages' encoders (packages/service/dist)
//   img2pdf of JPEGs             the same pages as JPEG at the same quality by libjpeg-turbo's
//                                cjpeg (Debian's libjpeg-turbo-progs, its defaults: standard
//                                Huffman tables, as ours), wrapped by img2pdf
//   tiffcp -c g4                 line-art pages as uncompressed 1-bit TIFFs, recompressed by libtiff
// Each page is saved on its own by each, so every page is a round: the ratios are
// min/median/max over the pages. Targets: our JPEG within 5 % of img2pdf's (the
// same JPEG, our PDF around it), `auto` no larger than img2pdf's JPEG for colour
// and grey pages (mixed raster), and within 10 % of tiffcp's G4 for line-art.
// Usage: npm run build && node bench/pdf-size/run.mjs [pages per mode, default 5] [quality, default 80]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { ScanSettings } from '../../packages/protocol/dist/index.js';
import { DemoDriver } from '../../packages/service/dist/devices/demo/demo-driver.js';
import { outputFiles } from '../../packages/service/dist/formats/encode.js';
import { machineLoad, ratioLine } from '../lib/report.mjs';

const count = Number(process.argv[2] ?? 5);
const quality = Number(process.argv[3] ?? 80);
const dir = mkdtempSync(path.join(tmpdir(), 'bench-pdf-size-'));

async function scan(mode) {
  const pages = [];
  const sink = { progress() {}, async page({ kind: _, ...p }) { pages.push(p); } };
  await new DemoDriver().scan('demo:scanner', ScanSettings.parse({ source: 'feeder', dpi: 200, mode, options: { sheets: count } }), sink, new AbortController().signal);
  return pages;
}

async function ours(pages, compression) {
  const opts = { format: 'pdf', compression, ...(compression === 'jpeg' ? { quality } : {}) };
  const [file] = outputFiles({ count: pages.length, get: async (i) => pages[i] }, opts);
  let bytes = 0;
  for await (const chunk of file.chunks()) bytes += chunk.length;
  return bytes;
}

async function img2pdf(pages, mode) {
  const files = [];
  for (const [i, p] of pages.entries()) {
    const file = path.join(dir, `${mode}-${i}.jpg`);
    const { data, info } = await sharp(p.bytes).toColourspace(mode === 'color' ? 'srgb' : 'b-w').raw().toBuffer({ resolveWithObject: true });
    const pnm = Buffer.concat([Buffer.from(`P${info.channels === 3 ? 6 : 5}\n${info.width} ${info.height}\n255\n`), data]);
    const jpeg = execFileSync('cjpeg', ['-quality', String(quality)], { input: pnm, maxBuffer: 1 << 28 });
    // cjpeg writes JFIF without a resolution: set it (units dpi), so that img2pdf sizes the page as ours.
    if (jpeg.toString('latin1', 6, 11) === 'JFIF\0') {
      jpeg[13] = 1;
      jpeg.writeUInt16BE(Math.round(p.xdpi), 14);
      jpeg.writeUInt16BE(Math.round(p.ydpi), 16);
    }
    writeFileSync(file, jpeg);
    files.push(file);
  }
  const out = path.join(dir, `${mode}-img2pdf.pdf`);
  execFileSync('img2pdf', ['-o', out, ...files]);
  return statSync(out).size;
}

async function tiffcpG4(pages, mode) {
  const files = [];
  for (const [i, p] of pages.entries()) {
    const file = path.join(dir, `${mode}-${i}.tif`);
    writeFileSync(file, await sharp(p.bytes).toColourspace('b-w').threshold(128).tiff({ bitdepth: 1, compression: 'none', xres: p.xdpi / 25.4, yres: p.ydpi / 25.4 }).toBuffer());
    files.push(file);
  }
  const out = path.join(dir, `${mode}-g4.tif`);
  execFileSync('tiffcp', ['-c', 'g4', ...files, out]);
  return statSync(out).size;
}

const perPage = (bytes) => String(Math.round(bytes / count)).padStart(9);
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const each = async (pages, f) => {
  const sizes = [];
  for (const p of pages) sizes.push(await f([p]));
  return sizes;
};
console.log(`demo scanner, A4 at 200 dpi, ${count} pages per mode (each saved on its own), JPEG quality ${quality}; bytes per page`);
console.log(`  ${machineLoad()}`);
console.log(`${'mode'.padEnd(6)} ${'ours auto'.padStart(9)} ${'ours jpeg'.padStart(9)} ${'lossless'.padStart(9)} ${'img2pdf'.padStart(9)} ${'tiffcp g4'.padStart(9)}`);
const ratios = [];
try {
  for (const mode of ['color', 'gray', 'bw']) {
    const pages = await scan(mode);
    const auto = await each(pages, (p) => ours(p, 'auto'));
    const jpeg = mode === 'bw' ? null : await each(pages, (p) => ours(p, 'jpeg'));
    const lossless = await each(pages, (p) => ours(p, 'lossless'));
    const ref = mode === 'bw' ? null : await each(pages, (p) => img2pdf(p, mode));
    const g4 = mode === 'bw' ? await each(pages, (p) => tiffcpG4(p, mode)) : null;
    const show = (xs) => (xs === null ? '-'.padStart(9) : perPage(sum(xs)));
    console.log(`${mode.padEnd(6)} ${show(auto)} ${show(jpeg)} ${show(lossless)} ${show(ref)} ${show(g4)}`);
    const per = (a, b) => a.map((x, i) => x / b[i]);
    if (mode === 'bw') ratios.push(ratioLine('PDF bytes, line-art, ours auto / tiffcp -c g4', per(auto, g4), '<= 1.1x'));
    else {
      ratios.push(ratioLine(`PDF bytes, ${mode}, ours jpeg / img2pdf`, per(jpeg, ref), '<= 1.05x'));
      ratios.push(ratioLine(`PDF bytes, ${mode}, ours auto / img2pdf`, per(auto, ref), '<= 1.0x'));
    }
  }
  for (const line of ratios) console.log(line);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
