#!/usr/bin/env node
// bench/pdf: 100 A4 300 dpi JPEG files into one PDF, scanbridge against
// img2pdf (Debian package img2pdf) on the same files in the same run, rounds
// alternating. img2pdf runs as its own process (startup included); ours goes
// through a running service (its own process; a background service is
// started once, not per job): a session, every file loaded (checked and
// stored in the buffer), the PDF saved and written, the session closed
// (bench/pdf/ours.mjs). Checked: the JPEGs in both PDFs are the input files
// byte for byte (pdfimages -all). Targets: at most 1.0x img2pdf's time,
// size within 1 %.
//   node bench/pdf/run.mjs [--pages 100] [--rounds 5]
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { median, timed } from '../lib/timing.mjs';
import { machineLoad, ratioLine } from '../lib/report.mjs';
import { jpegPage } from './pages.mjs';
import { throughService } from './ours.mjs';
import { startChild, tokenFor } from '../../packages/service/dist/test-support/service-harness.js';

const { values } = parseArgs({ options: { pages: { type: 'string', default: '100' }, rounds: { type: 'string', default: '5' } } });
const PAGES = Number(values.pages);
const ROUNDS = Number(values.rounds);

/** The JPEG streams of a PDF, as SHA-256 hashes in page order. */
async function jpegHashes(pdf, dir) {
  const prefix = path.join(dir, 'img');
  execFileSync('pdfimages', ['-all', pdf, prefix]);
  const names = (await readdir(dir)).filter((n) => n.startsWith('img-')).sort();
  const hashes = [];
  for (const n of names) {
    if (!n.endsWith('.jpg')) throw new Error(`${pdf}: image ${n} is not a JPEG`);
    hashes.push(createHash('sha256').update(await readFile(path.join(dir, n))).digest('hex'));
    await rm(path.join(dir, n));
  }
  return hashes;
}

const dir = await mkdtemp(path.join(tmpdir(), 'scanbridge-bench-pdf-'));
const svc = await startChild(path.join(dir, 'home'), []);
const token = tokenFor(svc.base);
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
  await throughService(svc.base, token, oursOut, files);
  for (let r = 0; r < ROUNDS; r++) {
    theirs.push(timed('img2pdf', [...files, '-o', theirsOut]));
    ours.push(await throughService(svc.base, token, oursOut, files));
  }
  const theirSize = (await stat(theirsOut)).size;
  const ourSize = (await stat(oursOut)).size;
  const pagesOf = (f) => execFileSync('pdfinfo', [f]).toString().match(/Pages:\s+(\d+)/)[1];
  if (pagesOf(oursOut) !== String(PAGES) || pagesOf(theirsOut) !== String(PAGES)) throw new Error('page counts differ');
  const inputs = files.map((_, i) => createHash('sha256').update(distinct[i % distinct.length]).digest('hex'));
  const extracted = path.join(dir, 'extracted');
  await mkdir(extracted);
  const identical = async (pdf) => JSON.stringify(await jpegHashes(pdf, extracted)) === JSON.stringify(inputs);
  const oursIdentical = await identical(oursOut);
  const theirsIdentical = await identical(theirsOut);
  const version = execFileSync('img2pdf', ['--version']).toString().trim();
  const t = median(theirs);
  const o = median(ours);
  console.log(`bench/pdf: ${PAGES} A4 300 dpi JPEG files (${(jpegBytes / 1e6).toFixed(1)} MB of JPEG) into one PDF, ${ROUNDS} rounds; img2pdf a new process each, scanbridge through its running service (load, store, save)`);
  console.log(`  ${machineLoad()}`);
  console.log(`  ${version}: median ${t.toFixed(0)} ms, ${theirSize} bytes, JPEGs byte for byte: ${theirsIdentical ? 'yes' : 'NO'}`);
  console.log(`  scanbridge:  median ${o.toFixed(0)} ms (${(o / PAGES).toFixed(1)} ms a page), ${ourSize} bytes, JPEGs byte for byte: ${oursIdentical ? 'yes' : 'NO'}`);
  console.log(`  ${ratioLine('time scanbridge / img2pdf', ours.map((x, i) => x / theirs[i]), '<= 1.0x')}`);
  console.log(`  size difference: ${(((ourSize - theirSize) / theirSize) * 100).toFixed(3)} % (target within 1 %)`);
} finally {
  await svc.stop();
  await rm(dir, { recursive: true, force: true });
}
