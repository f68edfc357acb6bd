import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { BufferState, type JournalOp, type PageMeta } from './buffer-state.js';
import { Journal, parseJournal } from './journal.js';
import { nodeIO } from './storage.js';
import { tempDir } from './test-helpers.js';

const meta: PageMeta = { format: 'png', width: 10, height: 20, xdpi: 300, ydpi: 300, mode: 'gray', bitDepth: 8, byteSize: 5 };

test('apply: add, move, swap, select, tags, replace, remove, clear', () => {
  const s = new BufferState();
  for (const [i, id] of ['a', 'b', 'c', 'd'].entries()) s.apply({ op: 'add', id, version: 1, index: i, meta, tags: [] });
  s.apply({ op: 'add', id: 'e', version: 1, index: 0, meta, tags: ['x', 'x'] });
  assert.deepEqual(s.order, ['e', 'a', 'b', 'c', 'd']);
  assert.deepEqual(s.pages.get('e')!.tags, ['x']);
  s.apply({ op: 'move', id: 'e', to: 4 });
  assert.deepEqual(s.order, ['a', 'b', 'c', 'd', 'e']);
  s.apply({ op: 'swap', a: 'a', b: 'd' });
  assert.deepEqual(s.order, ['d', 'b', 'c', 'a', 'e']);
  assert.equal(s.indexOf('a'), 3);
  s.apply({ op: 'select', ids: ['b', 'e'] });
  s.apply({ op: 'tags', pages: [{ id: 'b', tags: ['t'] }] });
  s.apply({ op: 'replace', id: 'b', version: 2, meta: { ...meta, byteSize: 9 } });
  assert.equal(s.pages.get('b')!.version, 2);
  assert.deepEqual(s.pages.get('b')!.tags, ['t']);
  s.apply({ op: 'remove', ids: ['b', 'zz'] });
  assert.deepEqual(s.order, ['d', 'c', 'a', 'e']);
  assert.deepEqual([...s.selected], ['e']);
  const snap = s.snapshot();
  const t = new BufferState();
  t.apply(snap);
  assert.deepEqual(t.records(), s.records());
  assert.deepEqual([...t.selected], ['e']);
  s.apply({ op: 'clear' });
  assert.equal(s.count, 0);
});

test('parseJournal ignores a torn last line and reports invalid lines', () => {
  const good: JournalOp = { op: 'add', id: 'a', version: 1, index: 0, meta, tags: [] };
  const line = JSON.stringify(good);
  assert.deepEqual(parseJournal(`${line}\n${line.slice(0, 20)}`), { ops: [good], bad: [{ line: 2, torn: true }] });
  // An unterminated line that still parses was written completely.
  assert.deepEqual(parseJournal(`${line}\n${line}`).ops.length, 2);
  // Ids that are not path-safe are refused.
  const evil = JSON.stringify({ ...good, id: '../../etc' });
  assert.deepEqual(parseJournal(`${evil}\n${line}\n`), { ops: [good], bad: [{ line: 1, torn: false }] });
  assert.deepEqual(parseJournal(''), { ops: [], bad: [] });
});

test('Journal appends lines, compacts to one snapshot, and cuts off a failed partial append', async (t) => {
  const dir = await tempDir(t);
  const s = new BufferState();
  const j = new Journal(dir, nodeIO);
  const op: JournalOp = { op: 'add', id: 'a', version: 1, index: 0, meta, tags: [] };
  await j.append(op);
  s.apply(op);
  assert.equal(j.ops, 1);
  assert.equal((await readFile(j.path, 'utf8')).split('\n').length, 2);
  await j.compact(s);
  assert.equal(j.ops, 0);
  const text = await readFile(j.path, 'utf8');
  assert.equal(JSON.parse(text).op, 'snapshot');

  // An append that writes half a line and then fails with ENOSPC.
  const failing = {
    ...nodeIO,
    appendFile: async (path: string, data: string) => {
      await nodeIO.appendFile(path, data.slice(0, 7));
      throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    },
  } as typeof nodeIO;
  const broken = new Journal(dir, failing, { size: Buffer.byteLength(text), ops: 0 });
  await assert.rejects(broken.append({ op: 'clear' }), (err: Error & { code?: string }) => err.code === 'buffer-storage-failed' && err.message.includes(dir) && /disk is full/.test(err.message));
  assert.equal(await readFile(j.path, 'utf8'), text);
  assert.equal(broken.dirty, false);
});
