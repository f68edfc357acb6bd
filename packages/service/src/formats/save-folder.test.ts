/** File names the service makes from what a page wishes for. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { safeBaseName, writeIntoFolder } from './save-folder.js';

const EXT = ['.pdf', '.tif', '.tiff', '.jpg', '.jpeg', '.png', '.bmp'];
const name = (wish: string | undefined) => safeBaseName(wish, EXT, 'scan');

describe('safe file names', () => {
  it('keeps the last path part only, and drops the format extension (the service adds it)', () => {
    assert.equal(name('../../etc/passwd'), 'passwd');
    assert.equal(name('..\\..\\Windows\\win.INI'), 'win.INI');
    assert.equal(name('Invoice 2024.PDF'), 'Invoice 2024');
    assert.equal(name('scan.tiff'), 'scan');
  });

  it('replaces characters file systems refuse, and control characters', () => {
    assert.equal(name('a<b>c:d"e|f?g*h'), 'a_b_c_d_e_f_g_h');
    assert.equal(name('line\nbreak\u0000nul'), 'line_break_nul');
  });

  it('keeps no leading or trailing dots and blanks, no device names, no empty name', () => {
    assert.equal(name('  .hidden.  '), 'hidden');
    assert.equal(name('nul'), '_nul');
    assert.equal(name('COM1.report'), '_COM1.report');
    assert.equal(name('...'), 'scan');
    assert.equal(name('/'), 'scan');
    assert.equal(name(undefined), 'scan');
  });

  it('stays within 200 bytes of UTF-8 without cutting a character', () => {
    const long = name('é'.repeat(300));
    assert.ok(Buffer.byteLength(long) <= 200);
    assert.equal(long, 'é'.repeat(100));
  });
});

describe('writing into a folder', () => {
  it('writes each chunk before it asks for the next (a page leased from the disk cache may change once the next is asked for)', async (t) => {
    const folder = await mkdtemp(path.join(tmpdir(), 'scanbridge-write-'));
    t.after(() => rm(folder, { recursive: true, force: true }));
    const chunks = Array.from({ length: 20 }, (_, i) => Buffer.alloc(64 * 1024 + i, i));
    for (const overwrite of [false, true]) {
      const file = path.join(folder, 'scan.pdf');
      let handed = 0;
      const behind: string[] = [];
      async function* source(): AsyncGenerator<Buffer> {
        for (const [i, chunk] of chunks.entries()) {
          // On disk by now: everything handed out before this chunk (the overwrite goes through a temporary file).
          const onDisk = overwrite ? await partSize(folder) : (await stat(file).catch(() => ({ size: 0 }))).size;
          if (onDisk !== handed) behind.push(`chunk ${i}: ${onDisk} of ${handed} bytes written`);
          handed += chunk.length;
          yield chunk;
        }
      }
      const written = await writeIntoFolder(folder, 'scan', '.pdf', overwrite, source());
      assert.deepEqual(behind, [], `overwrite ${overwrite}`);
      assert.equal(written.size, handed);
      assert.ok((await readFile(file)).equals(Buffer.concat(chunks)));
    }
  });
});

async function partSize(folder: string): Promise<number> {
  const part = (await readdir(folder)).find((n) => n.endsWith('.part'));
  return part ? (await stat(path.join(folder, part))).size : 0;
}
