// Bytes per page of scanbridge's PDF compressions against independent tools,
// on the demo scanner's pages (A4 invoice with text, table, codes and a photo)
// at 200 dpi in colour, grey and line-art:
//   ours auto / jpeg / lossless   SaveImages' encoders (packages/service/dist)
//   img2pdf of JPEGs             the same pages as JPEG at the same quality (sharp), wrapped by img2pdf
//   tiffcp -c g4                 line-art pages as uncompressed 1-bit TIFFs, recompressed by libtiff
// Usage: npm run build && node bench/pdf-size/run.mjs [pages per mode, default 4] [quality, default 80]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { ScanSettings } from '../../packages/protocol/dist/index.js';
import { DemoDriver } from '../../packages/service/dist/devices/demo/demo-driver.js';
import { outputFiles } from '../../packages/service/dist/formats/encode.js';

const count = Number(process.argv[2] ?? 4);
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
    writeFileSync(file, await sharp(p.bytes).toColourspace(mode === 'color' ? 'srgb' : 'b-w').withDensity(p.xdpi).jpeg({ quality }).toBuffer());
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
console.log(`demo scanner, A4 at 200 dpi, ${count} pages per mode, JPEG quality ${quality}; bytes per page`);
console.log(`${'mode'.padEnd(6)} ${'ours auto'.padStart(9)} ${'ours jpeg'.padStart(9)} ${'lossless'.padStart(9)} ${'img2pdf'.padStart(9)} ${'tiffcp g4'.padStart(9)}`);
try {
  for (const mode of ['color', 'gray', 'bw']) {
    const pages = await scan(mode);
    const auto = await ours(pages, 'auto');
    const jpeg = mode === 'bw' ? NaN : await ours(pages, 'jpeg');
    const lossless = await ours(pages, 'lossless');
    const ref = mode === 'bw' ? NaN : await img2pdf(pages, mode);
    const g4 = mode === 'bw' ? await tiffcpG4(pages, mode) : NaN;
    const show = (n) => (Number.isNaN(n) ? '-'.padStart(9) : perPage(n));
    console.log(`${mode.padEnd(6)} ${show(auto)} ${show(jpeg)} ${show(lossless)} ${show(ref)} ${show(g4)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
