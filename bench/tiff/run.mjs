#!/usr/bin/env node
// bench/tiff: black-and-white A4 300 dpi pages into one multi-page CCITT G4
// TIFF, scanbridge against `tiffcp -c g4` (libtiff-tools) on the same files:
// uncompressed 1-bit TIFFs, one a page. tiffcp runs as its own process; ours
// goes through a running service (its own process, started once): a session,
// every file loaded (checked and stored in the buffer), the TIFF saved with
// compression g4 and written, the session closed (bench/pdf/ours.mjs). On
// three contents (a text page, a photo-ish noisy page, a nearly blank page),
// rounds alternating tiffcp and us, contents interleaved. Checked: tiffinfo
// -D decodes our file without a complaint, every page is G4, and tiffcmp
// -t (pixels only: tags such as Software differ) finds our pages
// pixel for pixel those of tiffcp's file. Target: at most
// 1.2x tiffcp's time on every content. Also printed per content (no
// target): CPU seconds of both sides (ours: the service's threads and this
// client's), and the floor of loading through HTTP: the same files sent
// one request each to a process that only reads and discards them.
//   node bench/tiff/run.mjs [--pages 100] [--rounds 5]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median, timed } from '../lib/timing.mjs';
import { machineLoad, ratioLine } from '../lib/report.mjs';
import { packGrey } from '../../packages/service/dist/formats/bilevel.js';
import { layoutPage, longs, rational, shorts, TAG, tiffHeader } from '../../packages/service/dist/formats/tiff-ifd.js';
import { startChild, tokenFor } from '../../packages/service/dist/test-support/service-harness.js';
import { A4_300, bilevelContent, CONTENTS } from '../pdf/pages.mjs';
import { cpuLine, discardingReceiver, round, throughService } from '../pdf/ours.mjs';

const { values } = parseArgs({ options: { pages: { type: 'string', default: '100' }, rounds: { type: 'string', default: '5' } } });
const PAGES = Number(values.pages);
const ROUNDS = Number(values.rounds);

/** An uncompressed 1-bit TIFF, one strip (min-is-white: 1 = black, as the packed rows are). */
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
const svc = await startChild(path.join(dir, 'home'), []);
const token = tokenFor(svc.base);
const floor = await discardingReceiver();
try {
  const sets = [];
  for (const content of CONTENTS) {
    // Ten different pages, each used PAGES / 10 times: realistic content without minutes of set-up.
    const distinct = [];
    for (let i = 0; i < Math.min(10, PAGES); i++) distinct.push(rawTiff(packGrey(await bilevelContent(content, i), A4_300.width, A4_300.height)));
    const files = [];
    for (let i = 0; i < PAGES; i++) {
      const file = path.join(dir, `${content}-${String(i).padStart(3, '0')}.tif`);
      await writeFile(file, distinct[i % distinct.length]);
      files.push(file);
    }
    sets.push({ content, files, theirsOut: path.join(dir, `${content}-tiffcp.tif`), oursOut: path.join(dir, `${content}-scanbridge.tif`), theirs: [], ours: [], theirsCpu: [], oursCpu: [], floor: [] });
  }
  const job = (s) => throughService(svc.base, token, s.oursOut, s.files, { type: 'image/tiff', save: { format: 'tiff', compression: 'g4' } });
  // Warm the file cache and both programs once, then alternate.
  for (const s of sets) {
    timed('tiffcp', ['-c', 'g4', ...s.files, s.theirsOut]);
    await job(s);
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const s of sets) {
      await round(s, ['tiffcp', ['-c', 'g4', ...s.files, s.theirsOut]], () => job(s), svc.child.pid, floor, 'image/tiff');
    }
  }
  console.log(`bench/tiff: ${PAGES} black-and-white A4 300 dpi pages (uncompressed 1-bit TIFF files) into one CCITT G4 TIFF, ${ROUNDS} rounds; tiffcp -c g4 a new process each, scanbridge through its running service (load, store, save)`);
  console.log(`  ${machineLoad()}`);
  for (const s of sets) {
    const g4Pages = (execFileSync('tiffinfo', [s.oursOut]).toString().match(/CCITT Group 4/g) ?? []).length;
    if (g4Pages !== PAGES) throw new Error(`${s.content}: ${g4Pages} G4 pages in our file, expected ${PAGES}`);
    const decode = spawnSync('tiffinfo', ['-D', s.oursOut], { maxBuffer: 1 << 30 });
    const clean = decode.status === 0 && decode.stderr.length === 0;
    const cmp = spawnSync('tiffcmp', ['-t', s.theirsOut, s.oursOut]);
    // -t still names tags found in one file only; a pixel difference is a "Scanline" line (or a size mismatch).
    const cmpOut = cmp.stdout.toString();
    const identical = cmp.status !== null && cmp.status <= 1 && !/^(Scanline|ImageWidth|ImageLength|BitsPerSample|SamplesPerPixel|PlanarConfiguration|Photometric)/m.test(cmpOut);
    const t = median(s.theirs);
    const o = median(s.ours);
    console.log(`  ${s.content}: tiffcp median ${t.toFixed(0)} ms, ${(await stat(s.theirsOut)).size} bytes; scanbridge median ${o.toFixed(0)} ms (${(o / PAGES).toFixed(1)} ms a page), ${(await stat(s.oursOut)).size} bytes; tiffinfo -D clean: ${clean ? 'yes' : 'NO'}; pixels as tiffcp's (tiffcmp): ${identical ? 'yes' : `NO ${cmpOut.slice(0, 300)}`}`);
    console.log(`  ${ratioLine(`time scanbridge / tiffcp, ${s.content}`, s.ours.map((x, i) => x / s.theirs[i]), '<= 1.2x')}`);
    console.log(`  ${cpuLine(s, 'tiffcp')}`);
  }
} finally {
  floor.stop();
  await svc.stop();
  await rm(dir, { recursive: true, force: true });
}
