/**
 * Disk errors. Tests run as root, where permissions do not stop writes, so the
 * failures are injected through the io option (ENOSPC, EACCES) or provoked by
 * putting a file where the session folder should be (ENOTDIR).
 */
import assert from 'node:assert/strict';
import { readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ScanbridgeError } from '@scanbridge/protocol';
import { type BufferIO, nodeIO } from './storage.js';
import { ids, image, openManager, recordEvents, tempDir } from './test-helpers.js';

type Failable = 'writeFile' | 'appendFile' | 'truncate' | 'rename' | 'mkdir';

/** nodeIO, except that the calls named in `failing` throw the given errno. */
function faultyIO() {
  const failing = new Map<Failable, string>();
  const wrap =
    <K extends Failable>(name: K) =>
    async (...args: unknown[]) => {
      const errno = failing.get(name);
      if (errno) throw Object.assign(new Error(`${errno}: simulated`), { code: errno });
      return (nodeIO[name] as (...a: unknown[]) => Promise<unknown>)(...args);
    };
  const io = { ...nodeIO, writeFile: wrap('writeFile'), appendFile: wrap('appendFile'), truncate: wrap('truncate'), rename: wrap('rename'), mkdir: wrap('mkdir') } as BufferIO;
  return { io, failing };
}

function storageFailed(folder: string, reason?: RegExp) {
  return (err: unknown) => err instanceof ScanbridgeError && err.code === 'buffer-storage-failed' && err.message.includes(folder) && (!reason || reason.test(err.message));
}

async function setup(t: Parameters<typeof tempDir>[0]) {
  const dir = await tempDir(t);
  const { io, failing } = faultyIO();
  const manager = await openManager(t, dir, { io });
  const session = await manager.create('https://app.example');
  for (let i = 0; i < 3; i++) await session.buffer.add(image(`p${i}`));
  await session.buffer.select([1]);
  const events = recordEvents(session.buffer);
  const folder = join(dir, session.id);
  return { dir, manager, session, buffer: session.buffer, failing, events, folder, before: session.buffer.list(), files: (await readdir(folder)).sort() };
}

test('ENOSPC writing a page: buffer-storage-failed naming the folder, buffer unchanged', async (t) => {
  const { buffer, failing, events, folder, before, files } = await setup(t);
  failing.set('writeFile', 'ENOSPC');
  await assert.rejects(buffer.add(image('x')), storageFailed(folder, /disk is full/));
  await assert.rejects(buffer.replace(0, image('x')), storageFailed(folder));
  assert.deepEqual(buffer.list(), before);
  assert.deepEqual(events, []);
  assert.deepEqual((await readdir(folder)).sort(), files);
  failing.clear();
  await buffer.add(image('after'));
  assert.equal(buffer.count(), 4);
});

test('EACCES appending the journal: every kind of change fails cleanly and leaves nothing behind', async (t) => {
  const { dir, buffer, session, failing, events, folder, before, files } = await setup(t);
  failing.set('appendFile', 'EACCES');
  await assert.rejects(buffer.add(image('x')), storageFailed(folder, /permission denied/));
  await assert.rejects(buffer.replace(1, image('x')), storageFailed(folder));
  await assert.rejects(buffer.remove([0]), storageFailed(folder));
  await assert.rejects(buffer.removeSelected(), storageFailed(folder));
  await assert.rejects(buffer.clear(), storageFailed(folder));
  await assert.rejects(buffer.move(0, 2), storageFailed(folder));
  await assert.rejects(buffer.swap(0, 2), storageFailed(folder));
  await assert.rejects(buffer.select([0]), storageFailed(folder));
  await assert.rejects(buffer.setTags([0], ['t'], 'add'), storageFailed(folder));
  assert.deepEqual(buffer.list(), before);
  assert.deepEqual(events, []);
  assert.deepEqual((await readdir(folder)).sort(), files);
  for (let i = 0; i < 3; i++) assert.deepEqual(await buffer.getImage(i), image(`p${i}`));

  // What is on disk still recovers to the same buffer.
  const fresh = await openManager(t, dir);
  assert.deepEqual(fresh.get(session.id).buffer.list(), before);
});

test('a failed append that cannot be cut off forces a journal rewrite before the next change', async (t) => {
  const { dir, buffer, session, failing, folder } = await setup(t);
  const order = ids(buffer);
  failing.set('appendFile', 'ENOSPC');
  failing.set('truncate', 'EIO');
  await assert.rejects(buffer.move(0, 2), storageFailed(folder));
  // Disk still full: the rewrite fails, so the change fails and nothing changes.
  failing.set('writeFile', 'ENOSPC');
  failing.delete('appendFile');
  await assert.rejects(buffer.move(0, 2), storageFailed(folder));
  assert.deepEqual(ids(buffer), order);
  failing.clear();
  const moved = await buffer.move(0, 2);
  const fresh = await openManager(t, dir);
  assert.deepEqual(ids(fresh.get(session.id).buffer), moved);
});

test('a file where the session folder should be (ENOTDIR) fails cleanly; pages come back with the folder', async (t) => {
  const { buffer, events, folder, before } = await setup(t);
  const aside = `${folder}.aside`;
  await rename(folder, aside);
  await writeFile(folder, 'not a folder');
  await assert.rejects(buffer.add(image('x')), storageFailed(folder));
  await assert.rejects(buffer.remove([0]), storageFailed(folder));
  await assert.rejects(buffer.getImage('no-such-page'), (err: unknown) => err instanceof ScanbridgeError && err.code === 'page-not-found');
  assert.deepEqual(buffer.list(), before);
  assert.deepEqual(events, []);
  await rm(folder);
  await rename(aside, folder);
  for (let i = 0; i < 3; i++) assert.deepEqual(await buffer.getImage(i), image(`p${i}`));
  await buffer.add(image('after'));
  assert.equal(buffer.count(), 4);
});

test('a cache folder that refuses new session folders: create fails naming the cache folder', async (t) => {
  const dir = await tempDir(t);
  const { io, failing } = faultyIO();
  const manager = await openManager(t, dir, { io });
  failing.set('mkdir', 'EACCES');
  await assert.rejects(manager.create('https://app.example'), storageFailed(dir, /permission denied/));
  failing.clear();
  failing.set('rename', 'ENOSPC');
  await assert.rejects(manager.create('https://app.example'), storageFailed(dir));
  assert.equal(manager.size, 0);
  assert.deepEqual(await readdir(dir), []);
});
