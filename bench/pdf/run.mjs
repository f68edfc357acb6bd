#!/usr/bin/env node
// bench/pdf: 100 A4 300 dpi JPEG pages into one PDF, scanbridge against
// img2pdf (Debian package img2pdf) on the same files in the same run. Both
// run as their own process; each is timed over several rounds and the
// median is compared. Targets: at most 1.0x img2pdf's time, size within 1 %.
//   node bench/pdf/run.mjs [--pages 100] [--rounds 5]
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, timed } from '../lib/timing.mjs';
import { jpegPage } from './pages.mjs';

const { values } = parseArgs({ options: { pages: { type: 'string', default: '100' }, rounds: { type: 'string', default: '5' } } });
const PAGES = Number(values.pages);
const ROUNDS = Number(values.rounds);
const here = path.dirname(fileURLToPath(import.meta.url));


const dir = await mkdtemp(path.join(tmpdir(), 'scanbridge-bench-pdf-'));
try {
  // Ten different pages, each used ten times: realistic content without minutes of set-up.
  const distinct = [];
  for (let i = 0; i < Math.min(10, PAGES); i++) distinct.push(await jpegPage(i));
  const files = [];
  for (let i = 0; i < PAGES; i++) {
    const file = path.join(dir, `page-${String(i).padStart(3, '0')}.jpg`);
    await writeFile(file, distinct[i % distinct.length]);
    files.push(file);
  }
  const jpegBytes = files.reduce((n, _, i) => n + distinct[i % distinct.length].length, 0);
  const theirsOut = path.join(dir, 'img2pdf.pdf');
  const oursOut = path.join(dir, 'scanbridge.pdf');
  const theirs = [];
  const ours = [];
  // Warm the file cache and both programs once, then alternate.
  timed('img2pdf', [...files, '-o', theirsOut]);
  timed(process.execPath, [path.join(here, 'ours.mjs'), oursOut, ...files]);
  for (let r = 0; r < ROUNDS; r++) {
    theirs.push(timed('img2pdf', [...files, '-o', theirsOut]));
    ours.push(timed(process.execPath, [path.join(here, 'ours.mjs'), oursOut, ...files]));
  }
  const theirSize = (await stat(theirsOut)).size;
  const ourSize = (await stat(oursOut)).size;
  const pagesOf = (f) => execFileSync('pdfinfo', [f]).toString().match(/Pages:\s+(\d+)/)[1];
  if (pagesOf(oursOut) !== String(PAGES) || pagesOf(theirsOut) !== String(PAGES)) throw new Error('page counts differ');
  const version = execFileSync('img2pdf', ['--version']).toString().trim();
  const t = median(theirs);
  const o = median(ours);
  console.log(`bench/pdf: ${PAGES} A4 300 dpi JPEG pages (${(jpegBytes / 1e6).toFixed(1)} MB of JPEG) into one PDF, median of ${ROUNDS} rounds, each a new process`);
  console.log(`  ${version}: ${t.toFixed(0)} ms, ${theirSize} bytes`);
  console.log(`  scanbridge:  ${o.toFixed(0)} ms, ${ourSize} bytes`);
  console.log(`  time ratio scanbridge / img2pdf: ${(o / t).toFixed(2)}x (target <= 1.00x)`);
  console.log(`  size difference: ${(((ourSize - theirSize) / theirSize) * 100).toFixed(3)} % (target within 1 %)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
