import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { type BufferEvent, ScanbridgeError } from '@scanbridge/protocol';
import { image, openManager, tempDir } from './test-helpers.js';

function code(expected: string) {
  return (err: unknown) => err instanceof ScanbridgeError && err.code === expected;
}

test('create, get, list, info and close a session', async (t) => {
  const dir = await tempDir(t);
  const manager = await openManager(t, dir, { idleTimeoutMs: 90_000 });
  const s = await manager.create('https://app.example');
  assert.match(s.id, /^[0-9a-f]{32}$/);
  assert.deepEqual(s.info(), { id: s.id, origin: 'https://app.example', pages: 0, createdAt: s.createdAt.toISOString(), idleTimeout: 90 });
  const meta = JSON.parse(await readFile(join(dir, s.id, 'session.json'), 'utf8'));
  assert.deepEqual(meta, { id: s.id, origin: 'https://app.example', createdAt: s.createdAt.toISOString() });
  if (process.platform !== 'win32') assert.equal((await stat(join(dir, s.id))).mode & 0o777, 0o700);

  const other = await manager.create('https://other.example');
  assert.notEqual(other.id, s.id);
  assert.equal(manager.size, 2);
  assert.deepEqual(manager.list().map((x) => x.id).sort(), [s.id, other.id].sort());
  assert.equal(manager.get(s.id), s);
  assert.equal(manager.has(s.id), true);

  await s.buffer.add(image('a'));
  assert.equal(s.info().pages, 1);
  const closed = once(manager, 'closed');
  await manager.close(s.id);
  assert.deepEqual(await closed, [s.id]);
  assert.equal(manager.has(s.id), false);
  assert.equal(manager.size, 1);
  await assert.rejects(stat(join(dir, s.id)), { code: 'ENOENT' });
  assert.throws(
    () => manager.get(s.id),
    (err: unknown) => code('unknown-session')(err) && !(err as Error).message.includes(s.id),
  );
  await assert.rejects(manager.close(s.id), code('unknown-session'));
  assert.deepEqual((await readdir(dir)).sort(), [other.id]);
});

test('get marks activity; buffer changes are forwarded as (sessionId, event)', async (t) => {
  const dir = await tempDir(t);
  const manager = await openManager(t, dir);
  const s = await manager.create('https://app.example');
  s.lastActive = 0;
  manager.get(s.id);
  assert.ok(Date.now() - s.lastActive < 1000);
  const seen: [string, BufferEvent][] = [];
  manager.on('change', (id, event) => seen.push([id, event]));
  const p = await s.buffer.add(image('a'));
  assert.deepEqual(seen, [[s.id, { action: 'add', ids: [p.id], index: 0, count: 1 }]]);
});

test('an idle session expires: its folder is deleted and expired is emitted; an active one stays', async (t) => {
  const dir = await tempDir(t);
  const manager = await openManager(t, dir, { idleTimeoutMs: 150, sweepIntervalMs: 20 });
  const idle = await manager.create('https://idle.example');
  await idle.buffer.add(image('a', 50_000));
  const active = await manager.create('https://active.example');
  const expired = once(manager, 'expired');
  const keepAlive = setInterval(() => manager.get(active.id), 30);
  t.after(() => clearInterval(keepAlive));
  assert.deepEqual(await expired, [idle.id]);
  await assert.rejects(stat(join(dir, idle.id)), { code: 'ENOENT' });
  assert.equal(manager.has(idle.id), false);
  assert.throws(() => manager.get(idle.id), code('unknown-session'));
  assert.equal(manager.memory().usedBytes, 0);
  await sleep(300);
  assert.equal(manager.has(active.id), true);
});

test('the memory budget holds however many pages are added; evicted pages read back from disk', async (t) => {
  const dir = await tempDir(t);
  const budget = 100_000;
  const manager = await openManager(t, dir, { memoryBudgetBytes: budget });
  const s1 = await manager.create('https://one.example');
  const s2 = await manager.create('https://two.example');
  const sizes = [30_000, 45_000, 150_000, 20_000];
  for (let i = 0; i < 40; i++) {
    const size = sizes[i % sizes.length]!;
    await (i % 2 ? s2 : s1).buffer.add(image(`m${i}`, size));
    assert.ok(manager.memory().usedBytes <= budget, `used ${manager.memory().usedBytes} after page ${i}`);
  }
  assert.equal(manager.memory().budgetBytes, budget);
  for (let i = 0; i < 40; i++) {
    const buffer = (i % 2 ? s2 : s1).buffer;
    assert.deepEqual(await buffer.getImage(Math.floor(i / 2)), image(`m${i}`, sizes[i % sizes.length]));
    assert.ok(manager.memory().usedBytes <= budget);
  }
});

test('shutdown stops changes and keeps sessions on disk for the next start', async (t) => {
  const dir = await tempDir(t);
  const manager = await openManager(t, dir);
  const s = await manager.create('https://app.example');
  const pending = s.buffer.add(image('in-flight'));
  await manager.shutdown();
  await pending; // a change already running completes
  await assert.rejects(s.buffer.add(image('late')), code('service-stopping'));
  await assert.rejects(manager.create('https://app.example'), code('service-stopping'));
  assert.equal(s.buffer.count(), 1);
  const next = await openManager(t, dir);
  assert.equal(next.get(s.id).buffer.count(), 1);
  assert.deepEqual(await next.get(s.id).buffer.getImage(0), image('in-flight'));
});
