#!/usr/bin/env node
// bench/pdf: 100 A4 300 dpi JPEG files into one PDF, scanbridge against
// img2pdf (Debian package img2pdf) on the same files in the same run, rounds
// alternating, on three contents (a text page with a photo, an all-photo
// noisy page, a nearly blank page) interleaved. img2pdf runs as its own
// process (startup included); ours goes
// through a running service (its own process; a background service is
// started once, not per job): a session, every file loaded (checked and
// stored in the buffer), the PDF saved and written, the session closed
// (bench/pdf/ours.mjs). Checked: the JPEGs in both PDFs are the input files
// byte for byte (pdfimages -all). Targets: at most 1.0x img2pdf's time,
// size within 1 %. Also printed per content (no target): CPU seconds of
// both sides (ours: the service's threads and this client's), and the floor
// of loading through HTTP: the same files sent one request each to a
// process that only reads and discards them; and the floor of the load's
// check: every file opened and checked in this process exactly as LoadImages
// checks it (formats/decode.ts: a decode of every block, which is what
// refuses damaged coded data; libvips makes any libjpeg warning an error),
// two files at a time on the two cores, with no HTTP, store or save.
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
import { CONTENTS, jpegPage } from './pages.mjs';
import { cpuLine, discardingReceiver, round, throughService } from './ours.mjs';
import { startChild, tokenFor } from '../../packages/service/dist/test-support/service-harness.js';
import { openDocument } from '../../packages/service/dist/formats/decode.js';

/** Milliseconds to check every file as a load does (openDocument, every page), two at a time. */
async function checkAlone(files) {
  const t = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < files.length) {
      const doc = await openDocument(await readFile(files[next++]));
      for await (const page of doc.pages()) if (page.bytes.length === 0) throw new Error('empty page');
      await doc.close();
    }
  };
  await Promise.all([lane(), lane()]);
  return performance.now() - t;
}

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
const floor = await discardingReceiver();
try {
  const sets = [];
  for (const content of CONTENTS) {
    // Five different pages, each used PAGES / 5 times: realistic content without minutes of set-up.
    const distinct = [];
    for (let i = 0; i < Math.min(5, PAGES); i++) distinct.push(await jpegPage(i, 85, content));
    const files = [];
    for (let i = 0; i < PAGES; i++) {
      const file = path.join(dir, `${content}-${String(i).padStart(3, '0')}.jpg`);
      await writeFile(file, distinct[i % distinct.length]);
      files.push(file);
    }
    const inputs = files.map((_, i) => createHash('sha256').update(distinct[i % distinct.length]).digest('hex'));
    const jpegBytes = files.reduce((n, _, i) => n + distinct[i % distinct.length].length, 0);
    sets.push({ content, files, inputs, jpegBytes, theirsOut: path.join(dir, `${content}-img2pdf.pdf`), oursOut: path.join(dir, `${content}-scanbridge.pdf`), theirs: [], ours: [], theirsCpu: [], oursCpu: [], floor: [], check: [] });
  }
  // Warm the file cache and both programs once, then alternate, contents interleaved.
  for (const s of sets) {
    timed('img2pdf', [...s.files, '-o', s.theirsOut]);
    await throughService(svc.base, token, s.oursOut, s.files);
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const s of sets) {
      await round(s, ['img2pdf', [...s.files, '-o', s.theirsOut]], () => throughService(svc.base, token, s.oursOut, s.files), svc.child.pid, floor, 'image/jpeg');
      s.check.push(await checkAlone(s.files));
    }
  }
  const version = execFileSync('img2pdf', ['--version']).toString().trim();
  console.log(`bench/pdf: ${PAGES} A4 300 dpi JPEG files into one PDF, ${ROUNDS} rounds, on a text page with a photo, an all-photo noisy page and a nearly blank page; ${version} a new process each, scanbridge through its running service (load, store, save)`);
  console.log(`  ${machineLoad()}`);
  const extracted = path.join(dir, 'extracted');
  await mkdir(extracted);
  const pagesOf = (f) => execFileSync('pdfinfo', [f]).toString().match(/Pages:\s+(\d+)/)[1];
  for (const s of sets) {
    if (pagesOf(s.oursOut) !== String(PAGES) || pagesOf(s.theirsOut) !== String(PAGES)) throw new Error(`${s.content}: page counts differ`);
    const identical = async (pdf) => JSON.stringify(await jpegHashes(pdf, extracted)) === JSON.stringify(s.inputs);
    const oursIdentical = await identical(s.oursOut);
    const theirsIdentical = await identical(s.theirsOut);
    const theirSize = (await stat(s.theirsOut)).size;
    const ourSize = (await stat(s.oursOut)).size;
    const t = median(s.theirs);
    const o = median(s.ours);
    console.log(`  ${s.content} (${(s.jpegBytes / 1e6).toFixed(1)} MB of JPEG): img2pdf median ${t.toFixed(0)} ms, JPEGs byte for byte: ${theirsIdentical ? 'yes' : 'NO'}; scanbridge median ${o.toFixed(0)} ms (${(o / PAGES).toFixed(1)} ms a page), JPEGs byte for byte: ${oursIdentical ? 'yes' : 'NO'}; size difference ${(((ourSize - theirSize) / theirSize) * 100).toFixed(3)} % (target within 1 %)`);
    console.log(`  ${ratioLine(`time scanbridge / img2pdf, ${s.content}`, s.ours.map((x, i) => x / s.theirs[i]), '<= 1.0x')}`);
    console.log(`  ${cpuLine(s, 'img2pdf')}`);
    const checkRatio = median(s.check.map((x, i) => x / s.theirs[i]));
    const withHttp = median(s.check.map((x, i) => (x + s.floor[i]) / s.theirs[i]));
    console.log(`  ${s.content}: the load's check alone (every file checked as LoadImages checks it, two at a time, no HTTP, store or save): median ${median(s.check).toFixed(0)} ms, ${checkRatio.toFixed(2)}x img2pdf's whole job; with the floor of loading through HTTP ${withHttp.toFixed(2)}x (the floor of any service that keeps this check)`);
  }
} finally {
  floor.stop();
  await svc.stop();
  await rm(dir, { recursive: true, force: true });
}
