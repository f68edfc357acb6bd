/**
 * Documents in the buffer: a page removed leaves its document (an emptied
 * document is gone), a page moved stays in its document (listed in buffer
 * order, documents ordered by their first page), a split again takes pages
 * out of their old documents, and all of it survives a restart (journal,
 * snapshot after compaction). Unknown ids are document-not-found.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScanbridgeError } from '@scanbridge/protocol';
import { COMPACT_AFTER_OPS } from '../buffer/journal.js';
import { ids, image, openManager, recordEvents, tempDir } from '../buffer/test-helpers.js';

const code = (text: string, pageId: string) => ({ format: 'Code128' as const, text, pageId });

test('documents follow removals and moves, survive a restart, and name unknown ids', async (t) => {
  const dir = await tempDir(t);
  const first = await openManager(t, dir);
  const s = await first.create('https://app.example');
  const b = s.buffer;
  for (let i = 0; i < 6; i++) await b.add(image(`p${i}`));
  const [p0, p1, p2, p3, p4, p5] = ids(b) as [string, string, string, string, string, string];
  const events = recordEvents(b);
  const made = await b.splitDocuments(ids(b), [
    { pageIds: [p0, p1], barcode: code('A', p0) },
    { pageIds: [p2, p3, p4], barcode: code('B', p2) },
    { pageIds: [p5], barcode: null },
  ]);
  assert.equal(made.length, 3);
  const [dA, dB, dC] = made.map((d) => d.id) as [string, string, string];
  assert.deepEqual(events.at(-1), { action: 'documents', ids: [dA, dB, dC], count: 6 });
  assert.deepEqual(b.document(dB), { id: dB, pageIds: [p2, p3, p4], barcode: code('B', p2) });

  // Moving p4 to the front: it stays in B, listed in buffer order; B now starts first.
  await b.move(p4, 0);
  assert.deepEqual(
    b.documents().map((d) => [d.id, d.pageIds]),
    [
      [dB, [p4, p2, p3]],
      [dA, [p0, p1]],
      [dC, [p5]],
    ],
  );
  // Removing pages: they leave their documents; C, emptied, is gone.
  await b.remove([p2, p5]);
  assert.deepEqual(events.at(-1), { action: 'documents', ids: [dB, dC], count: 4 });
  assert.deepEqual(
    b.documents().map((d) => [d.id, d.pageIds]),
    [
      [dB, [p4, p3]],
      [dA, [p0, p1]],
    ],
  );
  // The page that named B is gone; B keeps its name (the code was read from it).
  assert.deepEqual(b.document(dB).barcode, code('B', p2));
  // Joining: a page joins A, leaving B.
  await b.joinDocument(dA, [p3], null);
  assert.deepEqual(b.document(dA).pageIds, [p0, p1, p3]);
  const expected = b.documents();
  await first.shutdown();

  const second = await openManager(t, dir);
  const r = second.get(s.id).buffer;
  assert.deepEqual(r.documents(), expected);
  assert.throws(() => r.document('nope'), (err: unknown) => err instanceof ScanbridgeError && err.code === 'document-not-found' && /GetDocuments/.test(err.message));
  // A long journal is compacted into a snapshot: documents are in it.
  for (let i = 0; i <= COMPACT_AFTER_OPS; i++) await r.setTags([0], [`t${i % 2}`], 'set');
  await second.shutdown();
  const third = await openManager(t, dir);
  assert.deepEqual(third.get(s.id).buffer.documents(), expected);
  await third.get(s.id).buffer.clear();
  assert.deepEqual(third.get(s.id).buffer.documents(), []);
});
