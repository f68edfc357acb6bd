/** Document file names from barcode texts: never a path, never `..`, no controls, bounded, unique. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_NAME_CHARS, codeFileName, documentFileNames } from './file-names.js';

describe('document file names', () => {
  it('makes hostile code texts safe', () => {
    assert.equal(codeFileName('INV-2024-0001'), 'INV-2024-0001');
    assert.equal(codeFileName('../../etc/passwd'), '_etc_passwd');
    assert.equal(codeFileName('C:\\Windows\\system32'), 'C__Windows_system32');
    assert.equal(codeFileName('a..b'), 'a_b');
    assert.equal(codeFileName('bell\u0007tab\tnl\nend'), 'bell_tab_nl_end');
    assert.equal(codeFileName('evil\u202Efdp.exe'), 'evil_fdp.exe');
    assert.equal(codeFileName('..'), undefined);
    assert.equal(codeFileName('/'), undefined);
    assert.equal(codeFileName('   '), undefined);
    assert.equal(codeFileName('CON'), '_CON');
    const long = codeFileName('x'.repeat(5000))!;
    assert.equal(long.length, MAX_NAME_CHARS);
    for (const text of ['../a', 'a/../b', '\\\\server\\share', '.hidden', 'a\u0000b']) {
      const name = codeFileName(text)!;
      assert.ok(!/[\\/\u0000-\u001f]/.test(name) && !name.includes('..') && !name.startsWith('.'), `${JSON.stringify(text)} -> ${JSON.stringify(name)}`);
    }
  });

  it('numbers documents without a usable code and keeps every name distinct (case folded)', () => {
    const docs = [{ barcode: { text: 'A1' } }, { barcode: null }, { barcode: { text: 'a1' } }, { barcode: { text: '../' } }, { barcode: { text: 'A1' } }];
    assert.deepEqual(documentFileNames(docs, 'document'), ['A1', 'document-2', 'a1-2', 'document-4', 'A1-3']);
  });
});
