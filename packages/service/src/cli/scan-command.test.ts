/** `scanbridge scan` and `scanbridge devices` as scripts use them: compression and quality, checked with pdfimages and pdfinfo. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { runCli, startChild, tempHome, type ChildService } from '../test-support/service-harness.js';

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

  before(async () => {
    home = await tempHome();
    svc = await startChild(home);
  });
  after(async () => {
    await svc.stop();
    await rm(home, { recursive: true, force: true });
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
});
