#!/usr/bin/env node
// bench/tiff: 100 black-and-white A4 300 dpi pages into one multi-page CCITT
// G4 TIFF, scanbridge (from the 1-bit PNGs its buffer stores) against
// `tiffcp -c g4` (libtiff-tools, from uncompressed 1-bit TIFFs, the cheapest
// input for it) in the same run. Both run as their own process; the median
// of several rounds is compared. Target: at most 1.5x tiffcp's time.
//   node bench/tiff/run.mjs [--pages 100] [--rounds 5]
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, timed } from '../lib/timing.mjs';
import { encodeBilevelPng, packGrey } from '../../packages/service/dist/formats/bilevel.js';
import { layoutPage, longs, rational, shorts, TAG, tiffHeader } from '../../packages/service/dist/formats/tiff-ifd.js';
import { A4_300, bilevelGrey } from '../pdf/pages.mjs';

const { values } = parseArgs({ options: { pages: { type: 'string', default: '100' }, rounds: { type: 'string', default: '5' } } });
const PAGES = Number(values.pages);
const ROUNDS = Number(values.rounds);
const here = path.dirname(fileURLToPath(import.meta.url));


/** An uncompressed 1-bit TIFF (min-is-white: 1 = black, as the packed rows are). */
function rawTiff(b) {
  const entries = [
    longs(TAG.ImageWidth, b.width),
    longs(TAG.ImageLength, b.height),
    shorts(TAG.BitsPerSample, 1),
    shorts(TAG.Compression, 1),
    shorts(TAG.Photometric, 0),
    shorts(TAG.SamplesPerPixel, 1),
    longs(TAG.RowsPerStrip, b.height),
    rational(TAG.XResolution, 300),
    rational(TAG.YResolution, 300),
    shorts(TAG.ResolutionUnit, 2),
  ];
  const { parts } = layoutPage({ entries, strips: [b.data] }, 8, true);
  return Buffer.concat([tiffHeader(), ...parts]);
}

const dir = await mkdtemp(path.join(tmpdir(), 'scanbridge-bench-tiff-'));
try {
  const pngs = [];
  const tiffs = [];
  for (let i = 0; i < Math.min(10, PAGES); i++) {
    const bits = packGrey(await bilevelGrey(i), A4_300.width, A4_300.height);
    pngs.push(await encodeBilevelPng(bits, 300, 300));
    tiffs.push(rawTiff(bits));
  }
  const pngFiles = [];
  const tiffFiles = [];
  for (let i = 0; i < PAGES; i++) {
    const name = path.join(dir, `page-${String(i).padStart(3, '0')}`);
    await writeFile(`${name}.png`, pngs[i % pngs.length]);
    await writeFile(`${name}.tif`, tiffs[i % tiffs.length]);
    pngFiles.push(`${name}.png`);
    tiffFiles.push(`${name}.tif`);
  }
  const theirsOut = path.join(dir, 'tiffcp.tif');
  const oursOut = path.join(dir, 'scanbridge.tif');
  const theirs = [];
  const ours = [];
  timed('tiffcp', ['-c', 'g4', ...tiffFiles, theirsOut]);
  timed(process.execPath, [path.join(here, 'ours.mjs'), oursOut, ...pngFiles]);
  for (let r = 0; r < ROUNDS; r++) {
    theirs.push(timed('tiffcp', ['-c', 'g4', ...tiffFiles, theirsOut]));
    ours.push(timed(process.execPath, [path.join(here, 'ours.mjs'), oursOut, ...pngFiles]));
  }
  const pagesOf = (f) => (execFileSync('tiffinfo', [f]).toString().match(/CCITT Group 4/g) ?? []).length;
  if (pagesOf(oursOut) !== PAGES || pagesOf(theirsOut) !== PAGES) throw new Error('page counts differ');
  const t = median(theirs);
  const o = median(ours);
  console.log(`bench/tiff: ${PAGES} black-and-white A4 300 dpi pages into one CCITT G4 TIFF, median of ${ROUNDS} rounds, each a new process`);
  console.log(`  tiffcp -c g4 (from uncompressed 1-bit TIFF): ${t.toFixed(0)} ms, ${(await stat(theirsOut)).size} bytes`);
  console.log(`  scanbridge (from 1-bit PNG pages):          ${o.toFixed(0)} ms, ${(await stat(oursOut)).size} bytes`);
  console.log(`  time ratio scanbridge / tiffcp: ${(o / t).toFixed(2)}x (target <= 1.50x)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
