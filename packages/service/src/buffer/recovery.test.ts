import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, copyFile, mkdir, readFile, readdir, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { JOURNAL_FILE } from './journal.js';
import { TEST_KEY, collectLog, ids, image, openManager, tempDir } from './test-helpers.js';

test('a fresh manager on the same folder recovers sessions, pages, order, tags, selection and versions', async (t) => {
  const dir = await tempDir(t);
  const first = await openManager(t, dir);
  const s1 = await first.create('https://one.example');
  const s2 = await first.create('https://two.example');
  for (let i = 0; i < 6; i++) await s1.buffer.add(image(`a${i}`, 3000 + i), { tags: i % 2 ? ['odd'] : [] });
  await s1.buffer.add(image('front'), { index: 0 });
  await s1.buffer.remove([3]);
  await s1.buffer.move(0, 4);
  await s1.buffer.swap(1, 2);
  await s1.buffer.replace(2, image('edited', 777, { format: 'jpeg' }));
  await s1.buffer.select([0, 5]);
  await s1.buffer.setTags([1], ['x', 'y'], 'set');
  await s2.buffer.add(image('b0'));
  const expected1 = s1.buffer.list();
  const images1 = await Promise.all(expected1.map((p) => s1.buffer.getImage(p.id)));
  await first.shutdown();

  const second = await openManager(t, dir);
  assert.equal(second.size, 2);
  const r1 = second.get(s1.id);
  assert.equal(r1.origin, 'https://one.example');
  assert.equal(r1.createdAt.toISOString(), s1.createdAt.toISOString());
  assert.deepEqual(r1.buffer.list(), expected1);
  for (const [i, p] of expected1.entries()) assert.deepEqual(await r1.buffer.getImage(p.id), images1[i]);
  assert.deepEqual(r1.buffer.selected(), s1.buffer.selected());
  assert.deepEqual(r1.buffer.findByTag('odd'), s1.buffer.findByTag('odd'));
  assert.equal(second.get(s2.id).buffer.count(), 1);
  assert.deepEqual(await second.get(s2.id).buffer.getImage(0), image('b0'));
  // The recovered buffer keeps working and keeps recovering.
  const later = await r1.buffer.add(image('later'));
  await second.shutdown();
  const third = await openManager(t, dir);
  assert.deepEqual(ids(third.get(s1.id).buffer), [...expected1.map((p) => p.id), later.id]);
});

test('a long journal is compacted into a snapshot and still recovers', async (t) => {
  const dir = await tempDir(t);
  const first = await openManager(t, dir);
  const s = await first.create('https://app.example');
  await s.buffer.add(image('a'));
  await s.buffer.add(image('b'));
  for (let i = 0; i < 1100; i++) await s.buffer.select([i % 2]);
  const journal = await readFile(join(dir, s.id, JOURNAL_FILE), 'utf8');
  assert.ok(journal.split('\n').length < 200, `journal has ${journal.split('\n').length} lines`);
  const order = ids(s.buffer);
  const selected = s.buffer.selected();
  await first.shutdown();
  const second = await openManager(t, dir);
  assert.deepEqual(ids(second.get(s.id).buffer), order);
  assert.deepEqual(second.get(s.id).buffer.selected(), selected);
});

test('a torn last journal line is ignored with a warning', async (t) => {
  const dir = await tempDir(t);
  const first = await openManager(t, dir);
  const s = await first.create('https://app.example');
  await s.buffer.add(image('a'));
  await s.buffer.add(image('b'));
  const order = ids(s.buffer);
  await first.shutdown();
  await appendFile(join(dir, s.id, JOURNAL_FILE), '{"op":"add","id":"torn","vers');

  const { log, lines } = collectLog();
  const second = await openManager(t, dir, { log });
  const buffer = second.get(s.id).buffer;
  assert.deepEqual(ids(buffer), order);
  assert.ok(lines.some((l) => l.level === 'warn' && /torn/.test(l.msg)));
  // The journal was rewritten: appending after the torn line works and recovers.
  const c = await buffer.add(image('c'));
  await second.shutdown();
  const third = await openManager(t, dir);
  assert.deepEqual(ids(third.get(s.id).buffer), [...order, c.id]);
});

test('altered, swapped or missing page files are dropped with a warning; the rest survive', async (t) => {
  const dir = await tempDir(t);
  const first = await openManager(t, dir);
  const s = await first.create('https://app.example');
  for (let i = 0; i < 5; i++) await s.buffer.add(image(`p${i}`));
  const [p0, p1, p2, p3, p4] = ids(s.buffer) as [string, string, string, string, string];
  await first.shutdown();
  const folder = join(dir, s.id);
  const tampered = await readFile(join(folder, `${p1}.1.sbc`));
  tampered[tampered.length - 10]! ^= 0xff;
  await writeFile(join(folder, `${p1}.1.sbc`), tampered);
  await copyFile(join(folder, `${p0}.1.sbc`), join(folder, `${p2}.1.sbc`)); // a valid file under another page's name
  await unlink(join(folder, `${p3}.1.sbc`));

  const { log, lines } = collectLog();
  const second = await openManager(t, dir, { log });
  const buffer = second.get(s.id).buffer;
  assert.deepEqual(ids(buffer), [p0, p4]);
  assert.deepEqual(await buffer.getImage(p0), image('p0'));
  assert.deepEqual(await buffer.getImage(p4), image('p4'));
  const dropped = lines.filter((l) => l.level === 'warn' && /dropped a page/.test(l.msg)).map((l) => (l.data as { page: string }).page);
  assert.deepEqual(dropped.sort(), [p1, p2, p3].sort());
  // Dropped pages' files are gone too.
  assert.deepEqual((await readdir(folder)).filter((f) => f.endsWith('.sbc')).sort(), [`${p0}.1.sbc`, `${p4}.1.sbc`].sort());
});

test('orphan page files and temp files are deleted; foreign folders are left alone', async (t) => {
  const dir = await tempDir(t);
  const first = await openManager(t, dir);
  const s = await first.create('https://app.example');
  await s.buffer.add(image('a'));
  await first.shutdown();
  const folder = join(dir, s.id);
  await writeFile(join(folder, 'orphan0000000000.1.sbc'), 'half written');
  await writeFile(join(folder, 'journal.jsonl.abcd.tmp'), 'x');
  await writeFile(join(folder, 'notes.txt'), 'someone else');
  const emptyCrash = join(dir, '0123456789abcdef0123456789abcdef');
  await mkdir(emptyCrash);
  const broken = join(dir, 'fedcba9876543210fedcba9876543210');
  await mkdir(broken);
  await writeFile(join(broken, 'abc.1.sbc'), 'data without a session');
  await mkdir(join(dir, 'not-a-session'));

  const { log, lines } = collectLog();
  const second = await openManager(t, dir, { log });
  assert.equal(second.size, 1);
  assert.deepEqual((await readdir(folder)).sort(), [`${ids(second.get(s.id).buffer)[0]}.1.sbc`, 'journal.jsonl', 'notes.txt', 'session.json'].sort());
  await assert.rejects(stat(emptyCrash), { code: 'ENOENT' });
  assert.ok((await stat(join(broken, 'abc.1.sbc'))).isFile());
  assert.ok((await stat(join(dir, 'not-a-session'))).isDirectory());
  assert.ok(lines.some((l) => l.level === 'error' && /cannot be recovered/.test(l.msg)));
});

test('after kill -9 every page whose add resolved is back, byte-identical and in order', async (t) => {
  const dir = await tempDir(t);
  const child = spawn(process.execPath, [fileURLToPath(new URL('./kill-child.fixture.js', import.meta.url)), dir, TEST_KEY.toString('hex')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let sessionId = '';
  const acked: string[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    const [kind, a, b] = line.split(' ');
    if (kind === 'session') sessionId = a!;
    if (kind === 'page') acked[Number(a)] = b!;
    if (acked.length >= 40) {
      child.kill('SIGKILL');
      break;
    }
  }
  await exited;
  assert.equal(acked.length, 40);

  const manager = await openManager(t, dir);
  const session = manager.get(sessionId);
  assert.equal(session.origin, 'https://kill.example');
  const recovered = ids(session.buffer);
  assert.ok(recovered.length >= acked.length, `${recovered.length} pages recovered`);
  assert.deepEqual(recovered.slice(0, acked.length), acked);
  for (let i = 0; i < recovered.length; i++) {
    const img = await session.buffer.getImage(i);
    assert.deepEqual(img, image(`k${i}`, 20_000 + i), `page ${i}`);
    assert.deepEqual(session.buffer.info(i).tags, [`t${i}`]);
  }
});
