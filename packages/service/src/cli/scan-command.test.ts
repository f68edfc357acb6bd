/**
 * `scanbridge scan` and `scanbridge devices` as scripts use them, as scanimage
 * is used: compression and quality (checked with pdfimages), progress on
 * stderr, an unwritable --out refused before the scanner moves, a batch far
 * longer than any server timeout, and a device's capabilities.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { rpc, runCli, type ChildService } from '../test-support/service-harness.js';
import { withChildService } from '../test-support/child-fixture.js';

const run = promisify(execFile);

/** The encoding pdfimages -list names for each image. */
async function encodings(file: string): Promise<string[]> {
  const rows = (await run('pdfimages', ['-list', file])).stdout.split('\n').slice(2).filter(Boolean);
  return rows.map((row) => {
    const cols = row.trim().split(/\s+/);
    return `${cols[2]}:${cols[8]}`;
  });
}

describe('scanbridge scan for scripts', () => {
  let home: string;
  let svc: ChildService;
  const scan = (...args: string[]) => runCli(['scan', '--home', home, '--device', 'demo:scanner', '--source', 'feeder', '--option', 'sheets=2', '--dpi', '100', ...args]);

  withChildService((s) => {
    svc = s;
    home = s.home;
  });

  it('--compression and --quality choose how PDF pages are compressed', async () => {
    const auto = path.join(home, 'auto.pdf');
    const lossless = path.join(home, 'lossless.pdf');
    const low = path.join(home, 'low.pdf');
    for (const [out, flags] of [[auto, []], [lossless, ['--compression', 'lossless']], [low, ['--compression', 'jpeg', '--quality', '30']]] as const) {
      const r = await scan('--mode', 'color', '--out', out, ...flags);
      assert.equal(r.code, 0, r.stderr);
      await run('qpdf', ['--check', out]);
    }
    assert.deepEqual(await encodings(auto), ['image:jpeg', 'stencil:ccitt', 'image:jpeg', 'stencil:ccitt']);
    assert.deepEqual(await encodings(lossless), ['image:image', 'image:image']);
    assert.deepEqual(await encodings(low), ['image:jpeg', 'image:jpeg']);
    const [a = 0, l = 0, q = 0] = await Promise.all([auto, lossless, low].map(async (f) => (await stat(f)).size));
    console.log(`2 colour pages at 100 dpi: auto ${a}, lossless ${l}, jpeg q30 ${q} bytes`);
    assert.ok(a * 5 < l, 'auto is far smaller than lossless');
  });

  it('checks --out before scanning: a missing folder or a folder is one line on stderr, exit 1', async () => {
    // An unknown device would be refused by the service: the --out problem is found first.
    const missing = path.join(home, 'missing', 'x.pdf');
    const m = await runCli(['scan', '--home', home, '--device', 'nope:x', '--out', missing]);
    assert.equal(m.code, 1, m.stderr);
    assert.equal(m.stderr, `scanbridge scan: cannot write --out ${missing}: the folder ${path.dirname(missing)} does not exist\n`);
    const folder = path.join(home, 'folder.pdf');
    await mkdir(folder);
    const r = await runCli(['scan', '--home', home, '--device', 'nope:x', '--out', folder]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^scanbridge scan: cannot write --out .*folder\.pdf: .*folder\.pdf is a folder\n$/);
  });

  it('--progress reports each page on stderr; without it (not a terminal) stderr stays quiet', async () => {
    const quiet = await scan('--out', path.join(home, 'quiet.pdf'));
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stderr, '');
    const loud = await scan('--out', path.join(home, 'loud.pdf'), '--progress');
    assert.equal(loud.code, 0, loud.stderr);
    assert.match(loud.stderr, /^scanning page 1 \(0 done\)\nscanning page 2 \(1 done\)\nscanned 2 page\(s\)\n$/);
    assert.match(loud.stdout, /2 page\(s\) saved/);
  });

  it('a batch of about 90 s (three 30 s pages) is followed to its end, saved, exit 0', async () => {
    const out = path.join(home, 'long.pdf');
    const r = await runCli(['scan', '--home', home, '--device', 'demo:scanner', '--source', 'feeder', '--dpi', '75', '--mode', 'gray', '--option', 'sheets=3', '--option', 'pageDelay=30000', '--progress', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /scanning page 3 \(2 done\)\nscanned 3 page\(s\)\n$/);
    assert.match((await run('pdfinfo', [out])).stdout, /^Pages:\s+3$/m);
  });

  it('the demo feeder empty (sheets=0) and jammed at page 2 (jamAt=2): typed errors, exit 1, the page before the jam saved', async () => {
    const empty = await scan('--option', 'sheets=0', '--out', path.join(home, 'empty.pdf'));
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /^scanbridge scan: feeder-empty: The document feeder of demo:scanner is empty/m);
    await assert.rejects(stat(path.join(home, 'empty.pdf')));
    const jam = path.join(home, 'jam.pdf');
    const jammed = await scan('--option', 'sheets=3', '--option', 'jamAt=2', '--out', jam);
    assert.equal(jammed.code, 1);
    assert.match(jammed.stderr, /^scanbridge scan: paper-jam: Paper jam in the feeder of demo:scanner at page 2/m);
    assert.match((await run('pdfinfo', [jam])).stdout, /^Pages:\s+1$/m);
  });

  it('devices --capabilities ID tells what a device can do, as text or --json', async () => {
    const text = await runCli(['devices', '--home', home, '--capabilities', 'demo:scanner']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^sources +flatbed, feeder \(duplex\)$/m);
    assert.match(text.stdout, /^area +215\.9 x 355\.6 mm/m);
    assert.match(text.stdout, /^ {2}sheets +\d\.\.1000 sheets \[10\]/m);
    const json = await runCli(['devices', '--home', home, '--capabilities', 'demo:scanner', '--json']);
    assert.deepEqual(JSON.parse(json.stdout), (await rpc(svc.base, 'fa', 'GetCapabilities', { device: 'demo:scanner' })).body.result![0]);
    const unknown = await runCli(['devices', '--home', home, '--capabilities', 'nope:x']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^scanbridge devices: unknown-device: .*\n$/);
  });

  it('refuses a bad --compression or --quality before scanning, exit 2', async () => {
    for (const flags of [['--compression', 'zip'], ['--quality', '0'], ['--quality', 'high'], ['--compression', 'lzw']]) {
      const out = path.join(home, 'bad.pdf');
      const r = await scan('--out', out, ...flags);
      assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`^scanbridge scan: (--compression|--quality)`));
      await assert.rejects(stat(out));
    }
  });

  it('--split-on writes one file per document named from its code ({barcode}), --barcodes lists the codes', async () => {
    const dir = path.join(home, 'split');
    await mkdir(dir);
    const r = await runCli(['scan', '--home', home, '--device', 'demo:scanner', '--source', 'feeder', '--duplex', '--option', 'sheets=3', '--option', 'pattern=blank-backs', '--dpi', '150', '--mode', 'gray', '--barcodes', '--split-on', 'blank', '--drop-separators', '--out', path.join(dir, 'doc-{barcode}.pdf')]);
    assert.equal(r.code, 0, r.stderr);
    const fronts = [1, 2, 3].map((n) => `SB-DEMO-000${n}-F`);
    assert.deepEqual((await readdir(dir)).sort(), fronts.map((f) => `doc-${f}.pdf`));
    for (const f of fronts) {
      const file = path.join(dir, `doc-${f}.pdf`);
      assert.match((await run('pdfinfo', [file])).stdout, /^Pages:\s+1$/m);
      assert.ok(r.stdout.includes(`${file}\t1 page(s)\tCode128\t${f}`), r.stdout);
    }
    assert.match(r.stdout, /^3 page\(s\) in 3 document\(s\)$/m);
    // Refused before scanning: a bad rule (invalid-settings, as every bad setting: exit 1), and one file per page with documents (usage: exit 2).
    const bad = await runCli(['scan', '--home', home, '--device', 'demo:scanner', '--split-on', 'qr', '--out', path.join(dir, 'x.pdf')]);
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stderr, /split\.on.*barcode.*patch.*blank.*barcodeChange/);
    const jpeg = await runCli(['scan', '--home', home, '--device', 'demo:scanner', '--split-on', 'blank', '--out', path.join(dir, 'x.jpg')]);
    assert.equal(jpeg.code, 2, jpeg.stderr);
    assert.match(jpeg.stderr, /\.pdf or \.tif/);
  });
});
