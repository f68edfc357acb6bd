/** File names the service makes from what a page wishes for. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { safeBaseName } from './save-folder.js';

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
