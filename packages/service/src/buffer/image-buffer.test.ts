import assert from 'node:assert/strict';
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ScanbridgeError } from '@scanbridge/protocol';
import { ids, image, openManager, recordEvents, tempDir } from './test-helpers.js';

async function setup(t: Parameters<typeof tempDir>[0], pages = 0) {
  const dir = await tempDir(t);
  const manager = await openManager(t, dir);
  const session = await manager.create('https://app.example');
  const buffer = session.buffer;
  for (let i = 0; i < pages; i++) await buffer.add(image(`p${i}`));
  const events = recordEvents(buffer);
  return { dir, manager, session, buffer, events, sessionDir: join(dir, session.id) };
}

function code(expected: string) {
  return (err: unknown) => err instanceof ScanbridgeError && err.code === expected;
}

test('add appends, inserts at an index, reports full page info and emits add', async (t) => {
  const { buffer, events } = await setup(t);
  const a = await buffer.add(image('a', 1234, { width: 640, height: 480, xdpi: 150, ydpi: 300, mode: 'gray', bitDepth: 16 }), { tags: ['x', 'x', 'y'] });
  assert.deepEqual(a, { id: a.id, index: 0, width: 640, height: 480, xdpi: 150, ydpi: 300, mode: 'gray', bitDepth: 16, byteSize: 1234, format: 'png', version: 1, tags: ['x', 'y'], selected: false });
  assert.match(a.id, /^[A-Za-z0-9_-]{16}$/);
  const b = await buffer.add(image('b'));
  const c = await buffer.add(image('c'), { index: 0 });
  const d = await buffer.add(image('d'), { index: 3 }); // index == count appends
  assert.deepEqual(ids(buffer), [c.id, a.id, b.id, d.id]);
  assert.equal(buffer.count(), 4);
  assert.deepEqual(events, [
    { action: 'add', ids: [a.id], index: 0, count: 1 },
    { action: 'add', ids: [b.id], index: 1, count: 2 },
    { action: 'add', ids: [c.id], index: 0, count: 3 },
    { action: 'add', ids: [d.id], index: 3, count: 4 },
  ]);
  assert.equal(new Set([a.id, b.id, c.id, d.id]).size, 4);
});

test('add beyond the end or with a bad image changes nothing', async (t) => {
  const { buffer, events, sessionDir } = await setup(t, 2);
  const before = await readdir(sessionDir);
  await assert.rejects(buffer.add(image('x'), { index: 3 }), (err: unknown) => code('invalid-params')(err) && /between 0 and 2/.test((err as Error).message));
  await assert.rejects(buffer.add(image('x', 10, { width: 0 })), code('invalid-image'));
  await assert.rejects(buffer.add({ ...image('x'), bytes: Buffer.alloc(0) }), code('invalid-image'));
  await assert.rejects(buffer.add(image('x', 10, { mode: 'sepia' as never })), code('invalid-image'));
  await assert.rejects(buffer.add(image('x'), { tags: [''] }), code('invalid-params'));
  assert.equal(buffer.count(), 2);
  assert.deepEqual(events, []);
  assert.deepEqual((await readdir(sessionDir)).sort(), before.sort());
});

test('page ids are stable while indices shift', async (t) => {
  const { buffer } = await setup(t, 5);
  const [p0, p1, p2, p3, p4] = ids(buffer) as [string, string, string, string, string];
  await buffer.remove([1]);
  assert.equal(buffer.info(p2).index, 1);
  assert.equal(buffer.resolve(1), p2);
  await buffer.move(p4, 0);
  assert.deepEqual(ids(buffer), [p4, p0, p2, p3]);
  assert.equal(buffer.info(p0).index, 1);
  assert.deepEqual(await buffer.getImage(p3), image('p3'));
  assert.throws(() => buffer.info(p1), code('page-not-found'));
});

test('resolve names the index and the count, or the id', async (t) => {
  const { buffer } = await setup(t, 3);
  assert.throws(() => buffer.resolve(3), (err: unknown) => code('page-not-found')(err) && /index 3/.test((err as Error).message) && /3 pages/.test((err as Error).message));
  assert.throws(() => buffer.resolve('nope'), (err: unknown) => code('page-not-found')(err) && /"nope"/.test((err as Error).message));
  assert.throws(() => buffer.resolve(-1), code('page-not-found'));
  assert.throws(() => buffer.resolve(1.5), code('page-not-found'));
  const [, second] = ids(buffer);
  assert.deepEqual(
    buffer.list([2, second!]).map((p) => p.index),
    [2, 1],
  );
  assert.equal(buffer.list().length, 3);
});

test('getImage reads back identical bytes, from memory or disk', async (t) => {
  const { buffer } = await setup(t, 3);
  for (let i = 0; i < 3; i++) assert.deepEqual(await buffer.getImage(i), image(`p${i}`));
});

test('replace stores a new version, deletes the old file and emits modify', async (t) => {
  const { buffer, events, sessionDir } = await setup(t, 2);
  const id = buffer.resolve(1);
  const info = await buffer.replace(1, image('new', 500, { format: 'jpeg', width: 33 }));
  assert.equal(info.id, id);
  assert.equal(info.version, 2);
  assert.equal(info.format, 'jpeg');
  assert.equal(info.width, 33);
  assert.equal(info.byteSize, 500);
  assert.deepEqual(await buffer.getImage(id), image('new', 500, { format: 'jpeg', width: 33 }));
  assert.deepEqual(events, [{ action: 'modify', ids: [id], count: 2 }]);
  const files = await readdir(sessionDir);
  assert.ok(files.includes(`${id}.2.sbc`));
  assert.ok(!files.includes(`${id}.1.sbc`));
  await assert.rejects(buffer.replace(5, image('x')), code('page-not-found'));
  await assert.rejects(buffer.replace(id, image('x', 1, { height: -1 })), code('invalid-image'));
  assert.equal(buffer.info(id).version, 2);
});

test('remove takes indices and ids, tolerates duplicates, deletes files and emits remove', async (t) => {
  const { buffer, events, sessionDir } = await setup(t, 5);
  const all = ids(buffer);
  const count = await buffer.remove([0, all[0]!, all[3]!, 0]);
  assert.equal(count, 3);
  assert.deepEqual(ids(buffer), [all[1], all[2], all[4]]);
  assert.deepEqual(events, [{ action: 'remove', ids: [all[0], all[3]], count: 3 }]);
  const files = await readdir(sessionDir);
  assert.equal(files.filter((f) => f.endsWith('.sbc')).length, 3);
});

test('a bad ref anywhere in the list changes nothing (atomic)', async (t) => {
  const { buffer, events } = await setup(t, 3);
  const before = buffer.list();
  await assert.rejects(buffer.remove([0, 7]), code('page-not-found'));
  await assert.rejects(buffer.remove([0, 'ghost']), code('page-not-found'));
  await assert.rejects(buffer.select([1, 9]), code('page-not-found'));
  await assert.rejects(buffer.setTags([0, 9], ['t'], 'set'), code('page-not-found'));
  await assert.rejects(buffer.setTags([0], ['t'], 'toggle' as never), code('invalid-params'));
  await assert.rejects(buffer.move(0, 3), code('invalid-params'));
  await assert.rejects(buffer.move(5, 0), code('page-not-found'));
  await assert.rejects(buffer.swap(0, 3), code('page-not-found'));
  assert.deepEqual(buffer.list(), before);
  assert.deepEqual(events, []);
});

test('removeSelected and clear emit remove with the ids; empty operations emit nothing', async (t) => {
  const { buffer, events, sessionDir } = await setup(t, 4);
  const all = ids(buffer);
  assert.equal(await buffer.removeSelected(), 4);
  await buffer.select([3, 1]);
  events.length = 0;
  assert.equal(await buffer.removeSelected(), 2);
  assert.deepEqual(events, [{ action: 'remove', ids: [all[1], all[3]], count: 2 }]);
  assert.deepEqual(buffer.selected(), []);
  events.length = 0;
  await buffer.clear();
  assert.equal(buffer.count(), 0);
  assert.deepEqual(events, [{ action: 'remove', ids: [all[0], all[2]], count: 0 }]);
  assert.deepEqual((await readdir(sessionDir)).filter((f) => f.endsWith('.sbc')), []);
  events.length = 0;
  await buffer.clear();
  assert.deepEqual(events, []);
});

test('move and swap answer the new order and emit move', async (t) => {
  const { buffer, events } = await setup(t, 4);
  const [a, b, c, d] = ids(buffer) as [string, string, string, string];
  assert.deepEqual(await buffer.move(0, 2), [b, c, a, d]);
  assert.deepEqual(await buffer.swap(b, 3), [d, c, a, b]);
  assert.deepEqual(await buffer.move(a, 2), [d, c, a, b]); // already there: no event
  assert.deepEqual(await buffer.swap(1, 1), [d, c, a, b]);
  assert.deepEqual(events, [
    { action: 'move', ids: [a], order: [b, c, a, d], count: 4 },
    { action: 'move', ids: [b, d], order: [d, c, a, b], count: 4 },
  ]);
});

test('select sets exactly the selection and emits modify for flipped pages', async (t) => {
  const { buffer, events } = await setup(t, 4);
  const [a, b, c, d] = ids(buffer) as [string, string, string, string];
  assert.deepEqual(await buffer.select([2, a, a]), [a, c]);
  assert.deepEqual(await buffer.select([c, d]), [c, d]);
  assert.deepEqual(await buffer.select([c, d]), [c, d]);
  assert.equal(buffer.info(d).selected, true);
  assert.equal(buffer.info(b).selected, false);
  assert.deepEqual(await buffer.select([]), []);
  assert.deepEqual(events, [
    { action: 'modify', ids: [a, c], count: 4 },
    { action: 'modify', ids: [a, d], count: 4 },
    { action: 'modify', ids: [c, d], count: 4 },
  ]);
});

test('setTags set/add/remove, findByTag in buffer order, modify only for changed pages', async (t) => {
  const { buffer, events } = await setup(t, 3);
  const [a, b, c] = ids(buffer) as [string, string, string];
  const infos = await buffer.setTags([2, 0], ['invoice', 'acme'], 'set');
  assert.deepEqual(
    infos.map((p) => [p.id, p.tags]),
    [
      [c, ['invoice', 'acme']],
      [a, ['invoice', 'acme']],
    ],
  );
  await buffer.setTags([a, b], ['urgent', 'invoice'], 'add');
  assert.deepEqual(buffer.info(a).tags, ['invoice', 'acme', 'urgent']);
  assert.deepEqual(buffer.info(b).tags, ['urgent', 'invoice']);
  assert.deepEqual(buffer.findByTag('invoice'), [a, b, c]);
  await buffer.setTags([a, c], ['invoice'], 'remove');
  assert.deepEqual(buffer.findByTag('invoice'), [b]);
  assert.deepEqual(buffer.findByTag('acme'), [a, c]);
  assert.deepEqual(buffer.findByTag('none'), []);
  await buffer.setTags([b], ['invoice'], 'add'); // no change
  assert.deepEqual(events, [
    { action: 'modify', ids: [c, a], count: 3 },
    { action: 'modify', ids: [a, b], count: 3 },
    { action: 'modify', ids: [a, c], count: 3 },
  ]);
});

test('concurrent changes are serialized', async (t) => {
  const { buffer } = await setup(t);
  const added = await Promise.all(Array.from({ length: 20 }, (_, i) => buffer.add(image(`c${i}`), { index: 0 })));
  assert.equal(buffer.count(), 20);
  assert.deepEqual(
    ids(buffer),
    added.map((p) => p.id).reverse(),
  );
  const results = await Promise.allSettled([buffer.remove([0]), buffer.remove([18]), buffer.move(0, 5), buffer.clear(), buffer.remove([0])]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected'],
  );
  assert.equal(buffer.count(), 0);
});

test('a throwing listener does not make a committed change fail', async (t) => {
  const { buffer } = await setup(t);
  buffer.on('change', () => {
    throw new Error('listener bug');
  });
  const info = await buffer.add(image('a'));
  assert.equal(buffer.info(info.id).index, 0);
});

test('a closed session buffer refuses changes', async (t) => {
  const { manager, session, buffer } = await setup(t, 1);
  await manager.close(session.id);
  await assert.rejects(buffer.add(image('late')), code('unknown-session'));
  await assert.rejects(buffer.getImage(0), code('unknown-session'));
});

async function* pages(count: number, opts: { failAt?: number; onYield?: (i: number) => Promise<void> } = {}) {
  for (let i = 0; i < count; i++) {
    if (i === opts.failAt) throw new ScanbridgeError('invalid-image', `page ${i + 1} is damaged`);
    await opts.onYield?.(i);
    yield image(`load${i}`, 500 + i);
  }
}

test('addAll makes every page of a load visible at once, with one event, and recovery replays it', async (t) => {
  const { dir, manager, session, buffer, events } = await setup(t, 2);
  const before = ids(buffer);
  const written: number[] = [];
  const added = await buffer.addAll(pages(5, { onYield: async () => assert.equal(buffer.count(), 2, 'no page is visible before the end') }), { index: 1, tags: ['doc'], onPage: (n) => written.push(n) });
  assert.deepEqual(written, [1, 2, 3, 4, 5]);
  assert.deepEqual(added.map((p) => p.index), [1, 2, 3, 4, 5]);
  assert.deepEqual(ids(buffer), [before[0], ...added.map((p) => p.id), before[1]]);
  assert.deepEqual(events, [{ action: 'add', ids: added.map((p) => p.id), index: 1, count: 7 }]);
  const expected = buffer.list();
  await manager.shutdown();
  const again = await openManager(t, dir);
  const recovered = again.get(session.id).buffer;
  assert.deepEqual(recovered.list(), expected);
  assert.deepEqual(await recovered.getImage(3), image('load2', 502));
});

test('addAll adds nothing when a page fails or the load is aborted, deletes its files, and lets other changes run meanwhile', async (t) => {
  const { buffer, events, sessionDir } = await setup(t, 2);
  const before = buffer.list();
  let removedMeanwhile = false;
  await assert.rejects(
    buffer.addAll(
      pages(40, {
        failAt: 29,
        onYield: async (i) => {
          // A change requested during a load is not queued behind it.
          if (i === 10) removedMeanwhile = (await buffer.remove([1])) === 1;
        },
      }),
    ),
    /page 30 is damaged/,
  );
  assert.ok(removedMeanwhile);
  assert.deepEqual(buffer.list(), [before[0]]);
  assert.deepEqual(events, [{ action: 'remove', ids: [before[1]!.id], count: 1 }]);
  assert.deepEqual((await readdir(sessionDir)).filter((n) => n.endsWith('.sbc')), [`${before[0]!.id}.1.sbc`]);

  const controller = new AbortController();
  await assert.rejects(buffer.addAll(pages(10, { onYield: async (i) => (i === 3 ? controller.abort(new ScanbridgeError('job-cancelled', 'cancelled')) : undefined) }), { signal: controller.signal }), code('job-cancelled'));
  assert.equal(buffer.count(), 1);
  assert.equal((await readdir(sessionDir)).filter((n) => n.endsWith('.sbc')).length, 1);
  await assert.rejects(buffer.addAll(pages(1), { index: 5 }), code('invalid-params'));
});

test('pages of a load stay in memory like added ones: reading them back does not go to the disk cache (issue 12.2)', async (t) => {
  const { buffer, sessionDir } = await setup(t, 0);
  const added = await buffer.addAll(pages(3));
  // Were they read from disk, the missing files would fail the reads.
  for (const name of (await readdir(sessionDir)).filter((n) => n.endsWith('.sbc'))) await unlink(join(sessionDir, name));
  for (const [i, page] of added.entries()) assert.deepEqual(await buffer.getImage(page.id), image(`load${i}`, 500 + i));
  // A failed load leaves nothing in memory either: its pages were never visible.
  await assert.rejects(buffer.addAll(pages(3, { failAt: 2 })), /page 3 is damaged/);
  assert.equal(buffer.count(), 3);
});

test('a page of a load whose check is still running is written meanwhile and counts only once the check resolves; a failed check adds nothing (issue 12.2)', async (t) => {
  const { buffer, events, sessionDir } = await setup(t, 1);
  const sbc = async () => (await readdir(sessionDir)).filter((n) => n.endsWith('.sbc')).length;
  let pass!: () => void;
  const checked = new Promise<void>((resolve) => (pass = resolve));
  let settled = false;
  const load = buffer.addAll(
    (async function* () {
      yield { ...image('checked', 300_000), whole: checked };
    })(),
  );
  void load.then(() => (settled = true));
  // The page file is written while the check runs; the load waits for the check.
  while ((await sbc()) < 2) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(settled, false);
  assert.equal(buffer.count(), 1);
  pass();
  const [added] = await load;
  assert.equal(buffer.count(), 2);
  assert.deepEqual(await buffer.getImage(added!.id), image('checked', 300_000));

  const refused = new ScanbridgeError('invalid-image', 'JPEG: corrupt');
  const failing = Promise.reject(refused);
  failing.catch(() => undefined);
  await assert.rejects(
    buffer.addAll(
      (async function* () {
        yield image('fine', 200_000);
        yield { ...image('corrupt', 200_000), whole: failing };
      })(),
    ),
    (err: unknown) => err === refused,
  );
  assert.equal(buffer.count(), 2);
  assert.equal(await sbc(), 2, 'the files of the refused load are deleted');
  assert.equal(events.filter((e) => e.action === 'add').length, 1);
});
