/**
 * Pages read back from the encrypted disk cache (issue 12.4): with a memory
 * budget too small to hold any page, every read decrypts its file, through
 * reused buffers. Reads of pages of different sizes, overlapping, must each
 * get their own page whole; an altered file is that page's damage
 * (page-damaged), a missing one the folder's (buffer-storage-failed).
 */
import assert from 'node:assert/strict';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ScanbridgeError } from '@scanbridge/protocol';
import { pageFileName } from './page-files.js';
import { image, openManager, tempDir } from './test-helpers.js';

async function setup(t: Parameters<typeof tempDir>[0]) {
  const dir = await tempDir(t);
  const manager = await openManager(t, dir, { memoryBudgetBytes: 1 });
  const session = await manager.create('https://app.example');
  const sizes = [70_000, 1000, 300_000, 5, 140_000];
  const expected = sizes.map((size, i) => image(`page${i}`, size));
  for (const page of expected) await session.buffer.add(page);
  return { buffer: session.buffer, expected, folder: join(dir, session.id) };
}

test('overlapping reads of pages of different sizes from the disk cache each get their page whole', async (t) => {
  const { buffer, expected } = await setup(t);
  for (let round = 0; round < 5; round++) {
    const order = expected.map((_, i) => (i * (round + 2)) % expected.length);
    const read = await Promise.all([...order, ...order.reverse()].map((i) => buffer.getImage(i).then((page) => ({ i, page }))));
    for (const { i, page } of read) assert.ok(page.bytes.equals(expected[i]!.bytes), `page ${i} in round ${round}`);
  }
});

test('an altered page file is page-damaged for that page only; a missing one is buffer-storage-failed', async (t) => {
  const { buffer, expected, folder } = await setup(t);
  const [, second, , fourth] = buffer.list();
  const file = join(folder, pageFileName(second!.id, second!.version));
  const sealed = await readFile(file);
  sealed[sealed.length - 10]! ^= 0x40;
  await writeFile(file, sealed);
  await assert.rejects(buffer.getImage(1), (err: unknown) => err instanceof ScanbridgeError && err.code === 'page-damaged' && err.message.includes(second!.id), 'altered');
  assert.ok((await buffer.getImage(2)).bytes.equals(expected[2]!.bytes), 'the other pages still read');
  await unlink(join(folder, pageFileName(fourth!.id, fourth!.version)));
  await assert.rejects(buffer.getImage(3), (err: unknown) => err instanceof ScanbridgeError && err.code === 'buffer-storage-failed' && err.message.includes(folder), 'missing');
  assert.equal(buffer.count(), 5, 'no page is dropped by a failed read');
  assert.ok((await buffer.getImage(0)).bytes.equals(expected[0]!.bytes));
});
